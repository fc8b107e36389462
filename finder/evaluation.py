"""`finder eval`: run a question file through the same ask path as the chat and score it."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finder.answering.conversation import Conversation, Profile
from finder.answering.retrieval import Retriever
from finder.answering.types import Hit
from finder.catalog.applicants import parse_applicant
from finder.catalog.vocab import VerdictKind
from finder.engine import Finder
from finder.errors import RecordError
from finder.safeyaml import load_file

KINDS = {"discovery", "eligibility", "mentions", "out_of_scope"}


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The questions of an eval file, checked: a problem is a RecordError naming file, question and field."""
    doc = load_file(path, max_bytes=4 * 1024 * 1024, hint="fix the question file, then run `finder eval` again")
    qs = doc.get("questions") if isinstance(doc, dict) else None
    if not isinstance(qs, list):
        raise RecordError(str(path), "expected a mapping with a 'questions' list", field="questions")
    seen: set[str] = set()
    for i, q in enumerate(qs):
        _check_question(path, i, q)
        if str(q["id"]) in seen:
            raise RecordError(str(path), "duplicate id", record=str(q["id"]), field="id")
        seen.add(str(q["id"]))
    return qs


def _check_question(path: Path, i: int, q: Any) -> None:
    def bad(field: str, problem: str) -> RecordError:
        rid = str(q.get("id")) if isinstance(q, dict) and q.get("id") else f"#{i}"
        return RecordError(str(path), problem, record=rid, field=field)

    if not isinstance(q, dict):
        raise bad("", "expected a mapping with id, kind and question")
    if not isinstance(q.get("id"), str | int) or isinstance(q.get("id"), bool) or not str(q.get("id")).strip():
        raise bad("id", "expected a non-empty id")
    if not isinstance(q.get("question"), str) or not q["question"].strip():
        raise bad("question", "expected the question as non-empty text")
    if q.get("kind") not in KINDS:
        raise bad("kind", f"expected one of {sorted(KINDS)}, found {q.get('kind')!r}")
    if q.get("applicant") is not None:
        try:
            parse_applicant(str(q["applicant"]))
        except ValueError as exc:
            raise bad("applicant", str(exc)) from None
    expect = q.get("expect_any")
    if q["kind"] == "discovery" and (not isinstance(expect, list) or not expect
                                     or not all(isinstance(e, str) for e in expect)):
        raise bad("expect_any", "a discovery question needs a non-empty list of expected ids, quoted ('66.468')")
    if q["kind"] == "eligibility":
        if not isinstance(q.get("about"), str):
            raise bad("about", "an eligibility question needs the program id or ALN it is about")
        verdict = q.get("verdict")
        accepted: list[Any] = verdict if isinstance(verdict, list) else [verdict]
        wrong = [v for v in accepted if not isinstance(v, str) or v not in {k.value for k in VerdictKind}]
        if wrong or not accepted:
            raise bad("verdict", f"expected one or more of {[k.value for k in VerdictKind]}, found {wrong}")
    if q["kind"] == "mentions":
        for key in ("any_of", "none_of"):
            patterns = q.get(key, [])
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                raise bad(key, "expected a list of regular expressions")
            for p in patterns:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise bad(key, f"not a valid regular expression {p!r}: {exc}") from None


@dataclass
class EvalResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    recall5: float = 0.0
    mrr10: float = 0.0
    verdicts: tuple[int, int] = (0, 0)
    refused: tuple[int, int] = (0, 0)
    mentions: tuple[int, int] = (0, 0)
    p50: float = 0.0
    p95: float = 0.0
    misses: list[str] = field(default_factory=list)
    llm: dict[str, int] = field(default_factory=dict)  # LLM leads accepted / rejected / unavailable

    def summary(self) -> str:
        return (f"recall@5={self.recall5:.3f} MRR@10={self.mrr10:.3f} "
                f"eligibility={self.verdicts[0]}/{self.verdicts[1]} refused={self.refused[0]}/{self.refused[1]} "
                + (f"mentions={self.mentions[0]}/{self.mentions[1]} " if self.mentions[1] else "") +
                f"latency_p50={self.p50:.0f}ms p95={self.p95:.0f}ms"
                + ("\nLLM leads: " + ", ".join(f"{k} {v}" for k, v in sorted(self.llm.items())) if self.llm else "")
                + (f"\nmissed: {', '.join(self.misses)}" if self.misses else ""))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def verdict_about(hits: list[Hit], about: str) -> str | None:
    """The verdict shown for `about`: a record id (20.205-bfp) matches exactly; an ALN matches the record with
    that id first, then any sub-program under it."""
    for match in (lambda h: h.id == about, lambda h: h.aln == about):
        found = next((h.verdict.kind.value for h in hits if match(h) and h.verdict), None)
        if found is not None:
            return found
    return None


def _count_llm(res: EvalResult, outcome: str | None) -> None:
    if outcome:
        key = outcome.split(":")[0]
        res.llm[key] = res.llm.get(key, 0) + 1


def mentions_ok(text: str, any_of: list[str], none_of: list[str]) -> bool:
    """The chat text states the asked fact: one `any_of` pattern matches and no `none_of` pattern does."""
    good = not any_of or any(re.search(p, text, re.I) for p in any_of)
    return good and not any(re.search(p, text, re.I) for p in none_of)


def evaluate(finder: Finder, questions: list[dict[str, Any]], mode: Retriever = Retriever.HYBRID,
             use_llm: bool = False) -> EvalResult:
    res = EvalResult()
    finder.index.snapshot()
    finder.index.embedder.embed_query("warm up")
    disc = hit5 = 0
    rr = 0.0
    v_ok = v_n = r_ok = r_n = m_ok = m_n = 0
    latencies = []
    for q in questions:
        applicant = parse_applicant(q["applicant"]) if q.get("applicant") else None
        t0 = time.perf_counter()
        answer = finder.ask(q["question"], Profile(applicant=applicant), Conversation(), mode=mode, use_llm=use_llm)
        ms = (time.perf_counter() - t0) * 1000
        _count_llm(res, answer.llm)
        latencies.append(ms)
        hits = answer.hits[:10]
        about = q.get("about")
        about_verdict = verdict_about(answer.hits, about) if about else None
        res.rows.append({"id": q["id"], "hits": [{"aln": h.aln, "id": h.id, "verdict": h.verdict.kind if h.verdict
                                                   else None} for h in hits],
                         "about_verdict": about_verdict, "refused": bool(answer.refused), "latency_ms": round(ms, 2),
                         "answer": answer.text})
        if q["kind"] == "discovery":
            disc += 1
            top = [] if answer.refused else [(h.aln, h.id) for h in hits]
            want = set(q.get("expect_any", []))
            ranks = [i for i, (aln, pid) in enumerate(top) if aln in want or pid in want]
            if ranks and min(ranks) < 5:
                hit5 += 1
            else:
                res.misses.append(str(q["id"]))
            rr += 1 / (min(ranks) + 1) if ranks else 0.0
        elif q["kind"] == "eligibility":
            v_n += 1
            accepted = q.get("verdict")
            accepted = accepted if isinstance(accepted, list) else [accepted]
            # a verdict that names a pass-through path answers "can we apply directly?" with no
            if about_verdict in accepted or (about_verdict == "through_state" and "not_eligible" in accepted):
                v_ok += 1
            else:
                res.misses.append(f"{q['id']}({about_verdict})")
        elif q["kind"] == "mentions":
            m_n += 1
            if mentions_ok(answer.text, q.get("any_of", []), q.get("none_of", [])):
                m_ok += 1
            else:
                res.misses.append(str(q["id"]))
        else:
            r_n += 1
            if answer.refused:
                r_ok += 1
            else:
                res.misses.append(str(q["id"]))
    res.recall5 = hit5 / disc if disc else 0.0
    res.mrr10 = rr / disc if disc else 0.0
    res.verdicts, res.refused, res.mentions = (v_ok, v_n), (r_ok, r_n), (m_ok, m_n)
    res.p50, res.p95 = statistics.median(latencies) if latencies else 0.0, percentile(latencies, 0.95)
    return res
