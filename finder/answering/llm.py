"""Optional LLM mode: an OpenAI-compatible model rewrites the lead from the same shown programs.

The prompt (finder/answering/prompt.py) holds only the facts a lead may use (for each shown program: name,
verdict, reason, status, office and match), as data inside a delimited block, never as instructions. Generation
is bounded: a few
sentences (`MAX_TOKENS`), stop sequences, temperature 0, and a deadline of `FINDER_LLM_TIMEOUT` seconds after
which the stream is closed, so the server stops generating too.

The lead streams sentence by sentence through the verifier: each whole sentence is checked before it is shown
(marked as still being written), a lead is marked verified only when it is whole, and a lead that fails a
check is replaced by the grounded one. Program lines, verdicts, deadlines and links are always rendered from
the index. Any failure falls back to the grounded answer, with the cause logged and a one-line notice.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, replace

from finder.answering.markdown import render
from finder.answering.prompt import facts_block, request_body
from finder.answering.types import Answer
from finder.answering.verify import Check, verify
from finder.settings import Settings
from finder.text import RECORD_ID, TAG, URL

log = logging.getLogger(__name__)
FALLBACK_NOTICE = "The language model was unavailable, so this is the standard answer from the index."
WRITING_NOTICE = "Writing a summary; each sentence is checked against the index before it is shown."
MAX_LEAD_WORDS = 60  # a lead is a sentence or two; the facts are on the program lines below it
CITATION = re.compile(rf"\[({RECORD_ID})\]")
BARE_ID = re.compile(rf"\b{RECORD_ID}\b")
# a sentence ends at . ! or ? before a capital, not inside "23 U.S.C. 120" or "Pub. L. 119-21"
SENTENCE_END = re.compile(r"(?<!\.[A-Z]\.)(?<! [A-Z]\.)(?<=[.!?])\s+(?=[A-Z\"'(\[])")


class Unavailable(Exception):
    """The model could not be used: the message is the cause, for the log and `Answer.llm`."""


def clean(text: str, allowed: set[str]) -> str:
    """Drop citations outside the shown set, and every link, image or tag the model wrote."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\((?:[^)]*)\)", r"\1", text)
    text = CITATION.sub(lambda m: m[0] if m[1] in allowed else "", text)
    text = BARE_ID.sub(lambda m: m[0] if m[0] in allowed else "", text)
    text = TAG.sub("", text)
    text = URL.sub("[link removed]", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def fallback(answer: Answer, cause: str) -> Answer:
    log.warning("LLM unavailable, grounded answer used: %s", cause)
    out = replace(answer, notice=FALLBACK_NOTICE, llm=f"unavailable: {cause}")
    out.text = f"_{FALLBACK_NOTICE}_\n\n{render(out)}"
    return out


@dataclass
class Piece:
    text: str
    finish: str | None = None  # "stop" or "length" on the last piece


def _pieces(settings: Settings, body: dict[str, object], deadline: float) -> Generator[Piece]:
    """Text as the server streams it. Closing this generator closes the HTTP stream, which makes an
    OpenAI-compatible server (llama.cpp's included) stop generating. Raises Unavailable."""
    import httpx

    url = f"{(settings.llm_base_url or '').rstrip('/')}/chat/completions"
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    t = settings.llm_timeout
    try:
        with httpx.Client(timeout=httpx.Timeout(t, connect=min(t, 5.0))) as client, \
                client.stream("POST", url, json=body, headers={"Authorization": f"Bearer {key}"}) as resp:
            if resp.status_code != 200:
                raise Unavailable(f"HTTP {resp.status_code} from {settings.llm_base_url}")
            if not resp.headers.get("content-type", "").startswith("text/event-stream"):  # a server that won't stream
                choice = json.loads(resp.read())["choices"][0]
                yield Piece(str(choice["message"]["content"] or ""), choice.get("finish_reason") or "stop")
                return
            for line in resp.iter_lines():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("deadline passed while streaming")
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                choices = json.loads(data).get("choices") or []
                if choices:
                    yield Piece(str((choices[0].get("delta") or {}).get("content") or ""),
                                choices[0].get("finish_reason"))
    except httpx.TimeoutException as exc:
        raise Unavailable(f"timed out after {t:g}s at {settings.llm_base_url}") from exc
    except httpx.ConnectError as exc:
        raise Unavailable(f"cannot connect to {settings.llm_base_url} ({exc})") from exc
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc


def _draft(answer: Answer, sentences: list[str], allowed: set[str]) -> Answer:
    out = replace(answer, lead=clean(" ".join(sentences), allowed) + " …" if sentences else "", llm="writing")
    out.text = f"_{WRITING_NOTICE}_\n\n{render(out)}"
    return out


def _rejected(answer: Answer, reason: str, raw: str) -> Answer:
    log.warning("LLM lead rejected (%s): %r", reason, raw[:300])
    out = replace(answer, llm=f"rejected: {reason}")
    out.text = render(out)
    return out


def stream(settings: Settings, question: str, answer: Answer,
           known_acronyms: dict[str, set[str]] | None = None) -> Iterator[Answer]:
    """The answer while the model writes its lead: drafts whose sentences have each passed the verifier
    (`llm == "writing"`), then the final answer with the verified lead, the grounded lead after a rejection,
    or the grounded answer and a notice when the model fails. After a rejection the model is asked again with
    only the first program's facts (FINDER_LLM_RETRIES), within the same FINDER_LLM_TIMEOUT; an accepted retry
    says so in `llm` ("accepted: on try 2, after ...")."""
    deadline = time.monotonic() + settings.llm_timeout
    facts = facts_block(answer)  # every shown program's facts: the check is the same whatever the prompt held
    about = next((h for h in answer.shown if h.id == answer.about), None)
    allowed = {h.id for h in answer.shown} | {h.aln for h in answer.shown}

    def check(lead: str) -> Check:
        return verify(lead, answer.shown, facts, known_acronyms or {}, about, question)

    first_reason = ""
    for attempt in range(settings.llm_retries + 1):
        yield _draft(answer, [], allowed)  # (again) nothing written yet
        final = answer
        body = request_body(settings, question, answer, first_only=attempt > 0)
        for final in _attempt(settings, answer, body, deadline, check, allowed):
            if final.llm == "writing":
                yield final
        rejected = (final.llm or "").startswith("rejected")
        if rejected and attempt < settings.llm_retries and deadline - time.monotonic() > settings.llm_timeout / 3:
            first_reason = first_reason or (final.llm or "").removeprefix("rejected: ")
            log.info("LLM lead rejected on try %d; asking again with the first program's facts", attempt + 1)
            continue
        if attempt and final.llm == "accepted":
            final = replace(final, llm=f"accepted: on try {attempt + 1}, after {first_reason}")
        yield final
        return


def _attempt(settings: Settings, answer: Answer, body: dict[str, object], deadline: float,
             check: Callable[[str], Check], allowed: set[str]) -> Iterator[Answer]:
    """One request to the model: drafts of checked sentences, then the answer it ends in (accepted, rejected
    with the verifier's reason, or the grounded answer with a notice when the model fails)."""
    raw, done, finish = "", list[str](), None
    try:
        with closing(_pieces(settings, body, deadline)) as pieces:
            for piece in pieces:
                raw += piece.text
                finish = piece.finish or finish
                *whole, _tail = SENTENCE_END.split(" ".join(raw.split()))
                if len(whole) == len(done):
                    if len(raw.split()) > 2 * MAX_LEAD_WORDS:  # a run-on with no sentence end: stop it
                        finish = "length"
                        break
                    continue
                new = whole[len(done):]
                if any(s.lower() in {d.lower() for d in done} for s in new) or \
                        len(" ".join(whole).split()) > MAX_LEAD_WORDS:  # repeating itself, or long enough
                    done = _fit([*done, *new])
                    finish = "cut"
                    break
                verdict = check(" ".join(whole))
                if not verdict.ok:  # closing the stream here stops the server generating the rest
                    yield _rejected(answer, verdict.reason, raw)
                    return
                done = whole
                if len(done) >= settings.llm_max_sentences:  # enough: closing the stream stops the server too
                    done, finish = done[:settings.llm_max_sentences], "cut"
                    break
                yield _draft(answer, done, allowed)
    except Unavailable as exc:
        yield fallback(answer, str(exc))
        return
    tail = SENTENCE_END.split(" ".join(raw.split()))[-1] if finish == "stop" else ""
    if not re.search(r"[.!?]$", tail):  # stopped at a new line: keep the last words only if they make a sentence
        tail = tail.rstrip(" ,;:") + "." if len(tail.split()) >= 6 else ""
    lead = " ".join([*done, tail] if tail and not _is_repeat(tail, done) else done).strip()
    if not lead:
        if raw.strip():
            yield _rejected(answer, "no complete sentence", raw)
        else:
            yield fallback(answer, "the model sent an empty reply")
        return
    if len(lead.split()) < 3 or re.search(r":\W*$", lead):
        yield _rejected(answer, "is not a sentence", raw)
        return
    verdict = check(lead)
    if not verdict.ok:
        yield _rejected(answer, verdict.reason, raw)
        return
    out = replace(answer, lead=clean(lead, allowed), llm="accepted")
    out.text = render(out)
    yield out


def _is_repeat(sentence: str, done: list[str]) -> bool:
    return sentence.lower() in {d.lower() for d in done}


def _fit(sentences: list[str]) -> list[str]:
    """Whole sentences, without repeats, up to MAX_LEAD_WORDS (at least the first)."""
    out: list[str] = []
    for s in sentences:
        if _is_repeat(s, out):
            break
        if out and len(" ".join([*out, s]).split()) > MAX_LEAD_WORDS:
            break
        out.append(s)
    return out


def rewrite(settings: Settings, question: str, answer: Answer,
            known_acronyms: dict[str, set[str]] | None = None) -> Answer:
    """The answer with the model's lead, or the grounded answer and a notice when the model fails."""
    return deque(stream(settings, question, answer, known_acronyms), maxlen=1)[0]
