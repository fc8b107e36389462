"""The finder: question -> constraints -> hybrid retrieval -> verdicts -> grounded (or LLM) answer."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from finder.answering.compose import compose, refusal
from finder.answering.conversation import Conversation, FollowUp, Profile, follow_up
from finder.answering.markdown import program_detail, render
from finder.answering.query import Constraints, parse
from finder.answering.retrieval import Retriever, Scored, dense_text, retrieve
from finder.answering.scope import IN
from finder.answering.scope import model_for as scope_model
from finder.answering.types import Answer, Hit, NoticeView
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import Asker, judge
from finder.catalog.offices import OfficeTable, load_offices
from finder.catalog.vocab import (
    GRANT_TYPES,
    Applicant,
    FollowUpFilter,
    FollowUpKind,
    NoticeStatus,
    RefusalKind,
    VerdictKind,
)
from finder.index.snapshot import Index, Snapshot
from finder.settings import Settings

log = logging.getLogger(__name__)
MAX_QUESTION = 2000
LOW_MARGIN = 0.06
# a question this close to the in-scope examples is a local need even when no record is similar enough:
# it is answered with a low-confidence note rather than refused ("our fire hall is too small")
IN_SCOPE_SURE = 0.33
# a named program still needs some topical similarity: 'the stock PRICE of Tesla' is not about CDBG-PRICE
NAMED_FLOOR = 0.2
OFFICES_RECHECK = 5.0  # seconds between looks at the state-office folder for changed files
NO_NOTICES = ("No Grants.gov notices are loaded yet, so I can't list deadlines. Ask about a kind of project "
              "(\"water grants closing soon\") to see the matching programs, or ask staff to fetch notices.")
NO_DEADLINES = ("No Grants.gov notices are loaded, so I can't list deadlines yet. These programs match your "
                "question; each card links its Grants.gov search for current notices.")
FILTERS = {
    FollowUpFilter.LOAN: (lambda h: h.program.lends, "let a local government borrow"),
    FollowUpFilter.GRANT: (lambda h: bool(set(h.program.assistance_types) & GRANT_TYPES), "offer grants"),
    FollowUpFilter.OPEN: (lambda h: any(n.status is NoticeStatus.POSTED for n in h.notices), "have an open notice"),
    FollowUpFilter.BIL: (lambda h: h.program.bil_funded, "are funded by the Bipartisan Infrastructure Law"),
    FollowUpFilter.ELIGIBLE: (lambda h: h.verdict is not None and h.verdict.kind is VerdictKind.ELIGIBLE,
                              "you can apply to directly"),
}


def asker_of(c: Constraints) -> Asker | None:
    return Asker(c.applicant, c.population, c.state, c.county, c.urban_population, c.text) if c.applicant else None


class Finder:
    """Search and ask over the current index snapshot. Thread-safe for readers."""

    def __init__(self, settings: Settings, index: Index | None = None) -> None:
        self.settings = settings
        self.index = index or Index(settings)
        self._offices: tuple[float, OfficeTable] | None = None
        self._offices_checked = 0.0

    def offices(self) -> OfficeTable:
        """The state-office table, reread when a file in its folder changes (looked at no more than every
        OFFICES_RECHECK seconds, not on every answer); bad files are left out (and reported by `finder validate`)."""
        now = time.monotonic()
        if self._offices is not None and now - self._offices_checked < OFFICES_RECHECK:
            return self._offices[1]
        self._offices_checked = now
        folder = Path(self.settings.offices_dir)
        stamp = max((f.stat().st_mtime for f in folder.glob("*.yaml")), default=0.0) if folder.is_dir() else 0.0
        if self._offices is None or self._offices[0] != stamp:
            table, errors = load_offices(folder)
            for err in errors:
                log.warning("state-office table: %s", err)
            self._offices = (stamp, table)
        return self._offices[1]

    def today(self) -> dt.date:
        return self.settings.today or dt.date.today()

    # -- search --------------------------------------------------------------------------------------
    def search(self, question: str, applicant: Applicant | None = None, *, k: int = 10,
               mode: Retriever = Retriever.HYBRID, today: dt.date | None = None) -> list[Hit]:
        today = today or self.today()
        c = parse(question, profile_applicant=applicant, today=today)
        with self.index.reading() as snap:
            return self._hits(snap, retrieve(snap, c, k=k, mode=mode, today=today).ranked, asker_of(c), today)

    def hit(self, program_id: str, applicant: Applicant | Asker | None = None) -> Hit | None:
        """One program as a Hit (verdict and notices included), for detail views."""
        found = self.hits([program_id], applicant)
        return found[0] if found else None

    def hits(self, program_ids: list[str], applicant: Applicant | Asker | None = None) -> list[Hit]:
        """Programs by id as Hits, in one pass (unknown ids are left out), for browse and shortlists."""
        snap = self.index.snapshot()
        asker = Asker(applicant) if isinstance(applicant, Applicant) else applicant
        known = [Scored(pid, 0.0, None, False) for pid in program_ids if pid in snap.programs]
        return self._hits(snap, known, asker, self.today())

    def _hits(self, snap: Snapshot, scored: list[Scored], asker: Asker | None, today: dt.date,
              window: tuple[dt.date, dt.date] | None = None, state: str | None = None) -> list[Hit]:
        """Hits with verdicts and notices; for a deadline question, only the notices closing in its window. The
        state office is looked up for a program the asker reaches through one, or, with no applicant type
        but a state ('who handles BEAD in Texas?'), for a program whose local applicants go through one."""
        out = []
        state = asker.state if asker else state
        offices = self.offices() if asker or state else None  # one look at the folder per answer, not per program
        for s in scored:
            op = snap.programs[s.id]
            views = tuple(NoticeView.of(n, today) for n in snap.notices_for(op.aln)
                          if window is None or (n.close_date and window[0] <= n.close_date <= window[1]))
            verdict = judge(op, asker) if asker else None
            routed = verdict.kind is VerdictKind.THROUGH if verdict is not None else op.routes_through_state
            office = offices.contact(op.id, state) if offices and routed else None
            out.append(Hit(op, s.score, verdict, views, s.named, office))
        return out

    # -- ask -----------------------------------------------------------------------------------------
    def ask(self, question: str, profile: Profile | None = None, conversation: Conversation | None = None, *,
            mode: Retriever = Retriever.HYBRID, today: dt.date | None = None, use_llm: bool = True) -> Answer:
        """The answer to one chat turn; `conversation` remembers the programs shown for follow-ups."""
        today = today or self.today()
        with self.index.reading() as snap:
            answer = self._ask(snap, question, profile or Profile(), conversation, mode, today)
        if conversation is not None and answer.shown:
            conversation.last_ids = [h.id for h in answer.shown]
            conversation.last_asker = answer.asker
        answer.text = render(answer)
        if use_llm and self.settings.llm_enabled and answer.shown and not answer.refused:
            from finder.answering.llm import rewrite

            answer = rewrite(self.settings, question, answer, snap.lexical.acronyms)  # read-only, no chroma
        return answer

    def ask_stream(self, question: str, profile: Profile | None = None, conversation: Conversation | None = None,
                   *, mode: Retriever = Retriever.HYBRID, today: dt.date | None = None) -> Iterator[Answer]:
        """One chat turn as it is written: the grounded answer, or in LLM mode the program lines at once and the
        model's lead sentence by sentence, each sentence checked before it is shown; the last answer is final."""
        answer = self.ask(question, profile, conversation, mode=mode, today=today, use_llm=False)
        if not (self.settings.llm_enabled and answer.shown and not answer.refused):
            yield answer
            return
        from finder.answering.llm import stream

        yield from stream(self.settings, question, answer, self.index.snapshot().lexical.acronyms)

    def _ask(self, snap: Snapshot, question: str, profile: Profile, conv: Conversation | None, mode: Retriever,
             today: dt.date) -> Answer:
        q = (question or "").strip()
        if not q:
            return refusal(RefusalKind.EMPTY)
        if len(q) > MAX_QUESTION:
            return refusal(RefusalKind.LONG, limit=MAX_QUESTION)
        if conv is not None and conv.last_ids and (fu := follow_up(q)) is not None:
            ans = self._follow_up(snap, fu, profile, conv, today)
            if ans is not None:
                return ans
        c = parse(q, profile_applicant=profile.applicant, today=today, population=profile.population,
                  state=profile.state)
        asker = asker_of(c)
        if c.off_limits:
            return refusal(c.off_limits, asker)
        if c.close_window and not snap.notices:  # no deadlines to filter on: show the programs, say so
            c = replace(c, close_window=None)
            no_deadlines = True
        else:
            no_deadlines = False
        dense_vec = snap.embed(dense_text(c))  # one model call serves the scope check and dense retrieval
        scope = scope_model(snap.embedder.model_name, snap.embed_many).decide(dense_vec)
        if scope.kind is not None:
            log.info("declined as %s: %s", scope.kind.value, {k: round(v, 3) for k, v in scope.scores.items()})
            return refusal(scope.kind, asker)
        found = retrieve(snap, c, k=10, mode=mode, today=today, vector=dense_vec)
        scored, confidence = found.ranked, found.best_similarity
        scored, unresolved = self._resolve_name(snap, c, scored)
        named = any(s.named for s in scored)
        if not scored and c.close_window:
            return compose([], asker, window=c.close_window, notices_loaded=bool(snap.notices))
        floor = NAMED_FLOOR if named else self.settings.min_score
        if no_deadlines and (not scored or confidence < floor):
            return Answer(NO_NOTICES, asker=asker)
        local_need = scope.scores[IN] >= IN_SCOPE_SURE  # reads like a public need: answer, flagged as weak
        if not scored or (confidence < floor and not c.close_window and not local_need):
            log.info("refused as off-topic: best similarity %.3f below %.3f", confidence, floor)
            return refusal(RefusalKind.LOW, asker)
        hits = self._hits(snap, scored, asker, today, c.close_window, state=c.state)
        low = not named and confidence < self.settings.min_score + LOW_MARGIN
        answer = compose(hits, asker, low_confidence=low, window=c.close_window,
                         notices_loaded=bool(snap.notices), eligibility_question=c.eligibility_question,
                         named=[h for h in hits if h.named], asks=c.asks, unresolved=unresolved)
        if no_deadlines:
            answer.lead = NO_DEADLINES
        return answer

    @staticmethod
    def _resolve_name(snap: Snapshot, c: Constraints, scored: list[Scored]) -> tuple[list[Scored], str | None]:
        """A program name the asker wrote: found (it becomes a named hit, first) or not in the catalog."""
        if any(s.named for s in scored) or (c.program_phrase is None and c.loose_phrase is None):
            return scored, None
        ids = snap.lexical.resolve(c.program_phrase or c.loose_phrase or "") & set(snap.programs)
        if not ids and c.program_phrase is None and c.loose_phrase:  # a description, not a name: no harm done
            return scored, None
        if not ids:
            return scored, c.program_phrase
        top = max((s.score for s in scored), default=0.0) + 1.0
        extra = [Scored(pid, top, None, True) for pid in sorted(ids)]
        return extra + [s for s in scored if s.id not in ids], None

    def _follow_up(self, snap: Snapshot, fu: FollowUp, profile: Profile, conv: Conversation,
                   today: dt.date) -> Answer | None:
        """Act on the programs the last answer showed, for the asker that answer was for (applicant, population,
        state and place); a follow-up's own applicant ("what about counties?") lasts for this turn only."""
        last = conv.last_asker
        applicant = fu.applicant or (last.applicant if last else None) or profile.applicant
        if applicant is None:
            asker = None
        elif last is not None:  # another kind of applicant: the last one's population was not theirs
            asker = replace(last, applicant=applicant, population=fu.population or (
                last.population if applicant is last.applicant else None), state=fu.state or last.state)
        else:
            asker = Asker(applicant, profile.population, profile.state)
        ids = [i for i in conv.last_ids if i in snap.programs]
        hits = self._hits(snap, [Scored(i, 0.0, None, False) for i in ids], asker, today)
        if not hits:
            return None
        if fu.kind is FollowUpKind.DETAIL:
            pos = len(hits) if fu.position == -1 else fu.position
            if not 1 <= pos <= len(hits):
                return Answer(f"The last answer showed {len(hits)} program{'s' if len(hits) != 1 else ''}; pick a "
                              f"number from 1 to {len(hits)}.",
                              asker=asker)
            hit = hits[pos - 1]
            return Answer(f"More about result {pos}:\n\n" + program_detail(pos, hit, full_summary=True), [hit],
                          asker=asker)
        if fu.kind is FollowUpKind.APPLICANT:
            label = LABELS[applicant][0] if applicant else "you"
            return compose(hits, asker).with_heading(f"The same programs, answering for {label}:")
        assert fu.filter is not None
        keep, words = FILTERS[fu.filter]
        chosen = [h for h in hits if keep(h)]
        if not chosen:
            return Answer(f"None of the {len(hits)} programs shown in the last answer {words}.", asker=asker)
        return compose(chosen, asker).with_heading(
            f"Of the {len(hits)} programs shown in the last answer, {len(chosen)} {words}:")
