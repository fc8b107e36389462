"""The finder: question -> constraints -> hybrid retrieval -> verdicts -> grounded (or LLM) answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from finder.answer import REFUSALS, Answer, Hit, NoticeView, compose, program_block
from finder.applicants import LABELS, Applicant
from finder.conversation import Conversation, FollowUp, Profile, follow_up
from finder.eligibility import Asker, VerdictKind, judge
from finder.index import Index, Snapshot
from finder.query import Constraints, parse
from finder.retrieval import Retriever, Scored, retrieve
from finder.settings import Settings

MAX_QUESTION = 2000
LOW_MARGIN = 0.06
# a named program still needs some topical similarity: 'the stock PRICE of Tesla' is not about CDBG-PRICE
NAMED_FLOOR = 0.2
STREAM_STEPS = 6


def asker_of(c: Constraints) -> Asker | None:
    return Asker(c.applicant, c.population, c.state) if c.applicant else None


class Finder:
    """Search and ask over the current index snapshot. Thread-safe for readers."""

    def __init__(self, settings: Settings, index: Index | None = None) -> None:
        self.settings = settings
        self.index = index or Index(settings)

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.settings.today) if self.settings.today else dt.date.today()

    # -- search --------------------------------------------------------------------------------------
    def search(self, question: str, applicant: Applicant | None = None, *, k: int = 10,
               mode: Retriever = Retriever.HYBRID, today: dt.date | None = None) -> list[Hit]:
        today = today or self.today()
        snap = self.index.snapshot()
        c = parse(question, profile_applicant=applicant, today=today)
        return self._hits(snap, retrieve(snap, c, k=k, mode=mode, today=today).ranked, asker_of(c), today)

    def hit(self, program_id: str, applicant: Applicant | Asker | None = None) -> Hit | None:
        """One program as a Hit (verdict and notices included), for detail views."""
        snap = self.index.snapshot()
        if program_id not in snap.programs:
            return None
        asker = Asker(applicant) if isinstance(applicant, Applicant) else applicant
        return self._hits(snap, [Scored(program_id, 0.0, None, False)], asker, self.today())[0]

    def _hits(self, snap: Snapshot, scored: list[Scored], asker: Asker | None, today: dt.date,
              window: tuple[dt.date, dt.date] | None = None) -> list[Hit]:
        """Hits with verdicts and notices; for a deadline question, only the notices closing in its window."""
        out = []
        for s in scored:
            op = snap.programs[s.id]
            views = tuple(NoticeView.of(n, today) for n in snap.notices_for(op.aln)
                          if window is None or (n.close_date and window[0] <= n.close_date <= window[1]))
            out.append(Hit(op, s.score, judge(op, asker) if asker else None, views, s.named))
        return out

    # -- ask -----------------------------------------------------------------------------------------
    def ask(self, question: str, profile: Profile | None = None, conversation: Conversation | None = None, *,
            mode: Retriever = Retriever.HYBRID, today: dt.date | None = None, use_llm: bool = True) -> Answer:
        answer = self._ask(question, profile or Profile(), conversation, mode, today or self.today())
        if use_llm and self.settings.llm_enabled and answer.hits and not answer.refused:
            from finder.llm import rewrite

            answer = rewrite(self.settings, question, answer, today or self.today())
        return answer

    def stream(self, question: str, profile: Profile | None = None, conversation: Conversation | None = None,
               ) -> Iterator[tuple[str, Answer | None]]:
        """Yield the answer text as it grows, then the final Answer."""
        answer = self.ask(question, profile, conversation)
        words = answer.text.split(" ")
        step = max(12, len(words) // STREAM_STEPS)
        for i in range(step, len(words), step):
            yield " ".join(words[:i]), None
        yield answer.text, answer

    def _ask(self, question: str, profile: Profile, conv: Conversation | None, mode: Retriever,
             today: dt.date) -> Answer:
        q = (question or "").strip()
        if not q:
            return Answer(REFUSALS["empty"], refused=True)
        if len(q) > MAX_QUESTION:
            return Answer(REFUSALS["long"].format(limit=MAX_QUESTION), refused=True)
        snap = self.index.snapshot()
        if conv is not None and conv.last_ids and (fu := follow_up(q)) is not None:
            ans = self._follow_up(snap, fu, profile, conv, today)
            if ans is not None:
                return ans
        c = parse(q, profile_applicant=profile.applicant, today=today, population=profile.population,
                  state=profile.state)
        if c.off_limits:
            return self._remember(conv, Answer(REFUSALS[c.off_limits], refused=True), c.applicant)
        found = retrieve(snap, c, k=10, mode=mode, today=today)
        scored, confidence = found.ranked, found.best_similarity
        named = any(s.named for s in scored)
        if not scored and c.close_window:
            text, _ = compose([], c.applicant, today, window=c.close_window, notices_loaded=bool(snap.notices))
            return self._remember(conv, Answer(text, [], applicant=c.applicant), c.applicant)
        floor = NAMED_FLOOR if named else self.settings.min_score
        if not scored or (confidence < floor and not c.close_window):
            return self._remember(conv, Answer(REFUSALS["low"], refused=True), c.applicant)
        hits = self._hits(snap, scored, asker_of(c), today, c.close_window)
        about = next((h for h in hits if h.named), None) if c.eligibility_question and c.applicant else None
        low = not named and confidence < self.settings.min_score + LOW_MARGIN
        text, shown = compose(hits, c.applicant, today, about=about, low_confidence=low, window=c.close_window,
                              notices_loaded=bool(snap.notices), eligibility_question=c.eligibility_question,
                              named=[h for h in hits if h.named])
        answer = Answer(text, hits, applicant=c.applicant, low_confidence=low, about=about.id if about else None,
                        shown=shown)
        return self._remember(conv, answer, c.applicant)

    def _remember(self, conv: Conversation | None, answer: Answer, applicant: Applicant | None) -> Answer:
        if conv is not None and answer.hits:
            conv.last_ids = [h.id for h in answer.hits]
            conv.applicant = applicant
        return answer

    def _follow_up(self, snap: Snapshot, fu: FollowUp, profile: Profile, conv: Conversation,
                   today: dt.date) -> Answer | None:
        applicant = fu.applicant or conv.applicant or profile.applicant
        ids = [i for i in conv.last_ids if i in snap.programs]
        asker = Asker(applicant, profile.population, profile.state) if applicant else None
        hits = self._hits(snap, [Scored(i, 0.0, None, False) for i in ids], asker, today)
        if not hits:
            return None
        if fu.kind == "detail":
            pos = len(hits) if fu.position == -1 else fu.position
            if not 1 <= pos <= len(hits):
                return Answer(f"The last answer listed {len(hits)} programs; pick a number from 1 to {len(hits)}.",
                              hits=[], refused=False, applicant=applicant)
            hit = hits[pos - 1]
            text = f"More about result {pos}:\n\n" + program_block(pos, hit, today, detail=True)
            return Answer(text, [hit], applicant=applicant, shown=[hit])
        if fu.kind == "applicant":
            conv.applicant = applicant
            label = LABELS[applicant][0] if applicant else "you"
            text, shown = compose(hits, applicant, today, heading=f"The same programs, answering for {label}:")
            return Answer(text, hits, applicant=applicant, shown=shown)
        keep = {
            "loan": lambda h: any("loan" in a.value for a in h.program.assistance_types),
            "grant": lambda h: any("grant" in a.value for a in h.program.assistance_types),
            "open": lambda h: any(n.status.value == "posted" for n in h.notices),
            "bil": lambda h: h.program.bil_funded,
            "eligible": lambda h: h.verdict is not None and h.verdict.kind is VerdictKind.ELIGIBLE,
        }[fu.filter]
        chosen = [h for h in hits if keep(h)]
        words = {"loan": "offer loans", "grant": "offer grants", "open": "have an open notice",
                 "bil": "are funded by the Bipartisan Infrastructure Law", "eligible": "you can apply to directly"}
        if not chosen:
            return Answer(f"None of the {len(hits)} programs from the last answer {words[fu.filter]}.", [],
                          applicant=applicant)
        conv.last_ids = [h.id for h in chosen]
        text, shown = compose(chosen, applicant, today,
                              heading=f"Of the last {len(hits)} programs, {len(chosen)} {words[fu.filter]}:")
        return Answer(text, chosen, applicant=applicant, shown=shown)


