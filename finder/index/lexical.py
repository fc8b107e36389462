"""The lexical index: BM25 (bm25s) over each program's text, plus exact acronym and title matching."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

from finder.catalog.model import Opportunity, search_text

DEPTH = 60
STOP = frozenset((
    "a an and are as at be by can could do does for from has have how i in is it its may of on or our that the "
    "their them there these this to us was we what when where which who will with would you your any there's get "
    "help pay money funding fund funds grant grants program programs federal tell me about explain offer offers"
).split())

def tokens(text: str) -> list[str]:
    out = []
    for tok in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower()):
        for part in [tok, *tok.split("-")] if "-" in tok else [tok]:
            if part in STOP or len(part) < 2:
                continue
            if len(part) > 4 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            out.append(part)
    return out


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stems(text: str) -> list[str]:
    """Words with a plural s dropped, for matching names: 'abandoned mine land' names 'Abandoned Mine Lands'."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
            for w in _norm_words(text)]


class Lexical:
    """BM25 over title, popular name, summary and keywords, plus exact acronym and title matching.
    Built from the same records the dense index holds."""

    def __init__(self, records: Sequence[Opportunity]) -> None:
        self.ids = [op.id for op in records]
        corpus = [tokens(search_text(op) + " " + op.title + " " + (op.popular_name or "")) for op in records]
        self.vocab = sorted({t for doc in corpus for t in doc})
        self._vocab_set = set(self.vocab)
        self._by_initial: dict[str, list[str]] = {}
        for word in self.vocab:
            self._by_initial.setdefault(word[0], []).append(word)
        self._corrections: dict[str, str] = {}
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        words = Counter(w for op in records for w in set(_norm_words(" ".join([op.summary, *op.uses]))))
        self.acronyms: dict[str, set[str]] = {}
        self.case_sensitive: set[str] = set()
        self.titles: list[tuple[list[str], str]] = []
        self.short_titles: dict[str, set[str]] = {}
        self.own_acronyms: set[tuple[str, str]] = set()  # (acronym, id) from the program's own names
        for op in records:
            own = [op.popular_name or "", *op.aliases]
            for name in [*own, *op.keywords]:
                for acro in re.findall(r"\b[A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?\b", name):
                    caps = sum(c.isupper() or c.isdigit() for c in acro)
                    if (caps >= 3 or (caps >= 2 and "-" in acro)) and acro.lower() not in NOT_PROGRAMS:
                        key = acro.lower()
                        self.acronyms.setdefault(key, set()).add(op.id)
                        if name in own or key in _initials(op):  # CDBG of Community Development Block Grant
                            self.own_acronyms.add((key, op.id))
                        if key.isalpha() and (words[key] >= 1 or key in COMMON_WORDS):
                            self.case_sensitive.add(key)
        self._add_titles(records)
        self._own_words = {op.id: set(HYPHENATED.findall(" ".join([op.title, op.popular_name or "",
                                                                     *op.aliases]).lower())) for op in records}
        self.phrases: dict[str, set[str]] = {}  # whole names: "solar for all", "appalachian regional commission"
        for op in records:
            for name in names_of(op):
                self.phrases.setdefault(" ".join(_stems(name)), set()).add(op.id)
        by_agency: dict[str, set[str]] = {}
        for op in records:
            for agency in {op.agency, op.sub_agency or ""} - {""}:
                by_agency.setdefault(" ".join(_stems(agency)), set()).add(op.id)
        for agency, ids in by_agency.items():  # a small agency's name names its programs
            if len(ids) <= SMALL_AGENCY and len(agency.split()) >= 2:
                self.phrases.setdefault(agency, set()).update(ids)
        agencies = {a for a, ids in by_agency.items() if len(ids) <= SMALL_AGENCY}
        self.phrases = {k: v for k, v in self.phrases.items() if len(k.split()) >= 2 and k not in GENERIC_NAMES
                        and not set(k.split()) <= GENERIC_WORDS and (len(v) <= 2 or k in agencies)}
        self._keys: dict[str, frozenset[str]] = {}
        self._title_grams: dict[tuple[str, str, str], set[int]] = {}
        for i, (words_t, _) in enumerate(self.titles):
            for j in range(len(words_t) - 2):
                self._title_grams.setdefault(tuple(words_t[j:j + 3]), set()).add(i)  # type: ignore[arg-type]

    def _context(self, text: str, acronym: str) -> dict[str, float]:
        """For an acronym several programs share ("CDBG"), a little more for each of the question's other
        distinctive words in a program's own names: 'CDBG entitlement' is the entitlement program, and
        'Non-Entitlement' in the state program's title is another word."""
        asked = set(HYPHENATED.findall(text.lower())) - STOP - {acronym}
        return {pid: ACRONYM_CONTEXT * min(3, len(asked & self._own_words.get(pid, set())))
                for pid in self.acronyms[acronym]}

    def _add_titles(self, records: Sequence[Opportunity]) -> None:
        """Titles of three words or more, for runs of them in a question; shorter titles and the two-word heads
        of longer ones, named only with "program", "grants" or "loans" after them."""
        heads: dict[str, set[str]] = {}
        for op in records:
            for title in (op.title, op.popular_name or ""):
                words_t = [w for w in _stems(title) if w != "program"]
                if len(words_t) >= 3:
                    self.titles.append((words_t, op.id))
                elif len(words_t) == 2:  # "Recreational Trails Program": named only with its own last word
                    self.short_titles.setdefault(" ".join(words_t), set()).add(op.id)
                if len(words_t) >= 3 and words_t[2] in HEAD_NOUNS and not set(words_t[:2]) & (GENERIC_WORDS | STOP):
                    # "Community Facilities Loans and Grants": "the Community Facilities program" names it too
                    heads.setdefault(" ".join(words_t[:2]), set()).add(op.id)
        for head, ids in heads.items():  # a head shared by several programs names none of them
            if len(ids) <= 2 and head not in self.short_titles:
                self.short_titles[head] = ids

    def correct(self, toks: list[str]) -> list[str]:
        """Replace unknown tokens by the closest vocabulary word, so misspellings still land."""
        out = []
        for t in toks:
            if t in self._vocab_set or len(t) < 4 or t.isdigit():
                out.append(t)
                continue
            if t not in self._corrections:
                if len(self._corrections) > 10_000:
                    self._corrections.clear()
                close = difflib.get_close_matches(t, self._by_initial.get(t[0], []), n=1, cutoff=0.8)
                self._corrections[t] = close[0] if close else t
            out.append(self._corrections[t])
        return out

    def search(self, text: str, depth: int = DEPTH) -> list[tuple[str, float]]:
        toks = [t for t in self.correct(tokens(text)) if t in self._vocab_set]
        if not toks:
            return []
        scores = self.bm25.get_scores(toks)
        order = np.argsort(-scores)[:depth]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def resolve(self, phrase: str) -> set[str]:
        """Programs a name given by the asker refers to, allowing plurals, 'program' and small words:
        'Hazard Mitigation Grants' finds the Hazard Mitigation Grant Program. Empty when none is close."""
        want = _name_key(phrase)
        if len(want) < 1:
            return set()
        found: set[str] = set()
        loose: set[str] = set()
        for name, ids in self.phrases.items():
            have = self._keys.get(name) or self._keys.setdefault(name, _name_key(name))
            if want == have:
                found |= ids
            elif len(want) >= 2 and want <= have:
                loose |= ids
        if not found and len(loose) <= 3:  # "Thriving Communities Program" within a longer official title
            found = loose
        for acro, ids in self.acronyms.items():
            if len(want) == 1 and acro in want:
                found |= ids
        return found

    def names(self, text: str) -> dict[str, float]:
        """Programs named in the question: acronyms ("SS4A", "WIFIA") and long runs of a title."""
        hits: dict[str, float] = {}
        for raw in re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?", text):
            key = raw.lower()
            cands = [key] if key in self.acronyms else difflib.get_close_matches(key, self.acronyms, 1, 0.85) \
                if len(key) >= 5 and raw.isupper() else []
            for c in cands:
                if c in self.case_sensitive and not _name_cased(raw) and not _cued(text, raw):
                    continue  # "raise", "alert", "price": an everyday word, not the program, unless cued
                context = self._context(text, c) if len(self.acronyms[c]) > 1 else {}
                best = max(context.values(), default=0.0)
                for pid in self.acronyms[c]:  # "CWPP" is a keyword of a fuels program, not its name: weaker
                    if context.get(pid, 0.0) < best:
                        continue  # "CDBG entitlement": the other CDBG programs are not the one named
                    sure = 1.0 if (c, pid) in self.own_acronyms else KEYWORD_ACRONYM
                    hits[pid] = max(hits.get(pid, 0.0), sure + context.get(pid, 0.0))
        q = _stems(text)
        qs = " " + " ".join(q) + " "
        candidates: set[int] = set()
        for j in range(len(q) - 2):
            candidates |= self._title_grams.get((q[j], q[j + 1], q[j + 2]), set())
        for i in sorted(candidates):
            words_t, pid = self.titles[i]
            best = _longest_run(words_t, qs)
            if best >= 3 and best / len(words_t) >= 0.6:
                hits[pid] = max(hits.get(pid, 0.0), best / len(words_t))
            elif (lead := _leading_run(words_t, qs)) >= 3 and len(set(words_t[:lead]) - GENERIC_WORDS - STOP) >= 3:
                # "USDA Water and Waste Disposal money": the distinctive opening words of a long official title
                hits[pid] = max(hits.get(pid, 0.0), lead / len(words_t))
        for phrase, ids in self.phrases.items():
            if " " + phrase + " " in qs:
                for pid in ids:
                    hits[pid] = max(hits.get(pid, 0.0), 1.0)
        for m in re.finditer(r"\b(\w+ \w+) (?:program|grants?|loans?)\b", " ".join(q)):
            for pid in self.short_titles.get(m[1], ()):
                hits[pid] = max(hits.get(pid, 0.0), 1.0)
        return hits


GENERIC_WORDS = frozenset("direct grants grant discretionary national state energy efficiency renewable environmental "
                          "monitoring management research development entitlement high priority response system "
                          "health studies not applicable geographic programs disaster relief us r or federal project "
                          "projects assistance technical planning regulatory cooperative institute institutes and of "
                          "the for program loan loans fund funds".split())
# Agencies and laws, not programs: "FEMA" in a keyword must not make every FEMA question name that program.
NOT_PROGRAMS = frozenset("fema epa usda hud dot doe noaa fhwa fta faa fra eda ntia nrcs bia blm nps usgs dhs ost "
                         "usdot phmsa marad nhtsa fmcsa usace ihs cdc hhs fcc arc ira iija bil arpa cares usa "
                         "usfs fws bor osmre treasury ada nepa cwa sdwa caa cercla rcra osha".split())  # laws too
SMALL_AGENCY = 4  # an agency with this many programs or fewer is named by its own name ("Denali Commission")
GENERIC_NAMES = frozenset({"department of transportation", "department of agriculture", "department of energy",
                           "environmental protection agency", "department of commerce", "department of the interior",
                           "department of homeland security", "department of housing and urban development",
                           "department of the treasury", "federal emergency management agency", "grant program",
                           "grants program", "loan program", "program grants", "program grant"})


def names_of(op: Opportunity) -> list[str]:
    """Every whole name a program goes by: title, popular name, the parts of a compound title
    ("Greenhouse Gas Reduction Fund: Solar for All") and its recorded other names."""
    names = [op.title, op.popular_name or "", *op.aliases]
    parts = [p for n in names for p in re.split(r"\s*(?::|;| - | – |\(|\)|/)\s*", n)]
    out = []
    for name in names + parts:
        words = [w for w in _stems(name) if w != "program"]
        if len(words) >= 2 or (len(words) == 1 and len(name) >= 6 and name[:1].isupper() and name.isupper()):
            out.append(" ".join(words))
    return out


# Everyday words that are also program acronyms, beyond those the catalog's own prose already uses.
COMMON_WORDS = frozenset("alert build raise smart mega price home protect safe hope rise grow".split())
CUE_AFTER = re.compile(r"\s+(programs?|grants?|funding|funds|money|loans?|nofo|notice|application|round)\b", re.I)
CUE_BEFORE = re.compile(r"\b(about|for|explain|is|apply to|the)\s+$", re.I)


def _initials(op: Opportunity) -> str:
    """The first letters of the words of a program's title and popular name, small words left out
    ('Community Development Block Grants' -> 'cdbg'): an acronym found in them is the program's own."""
    return " ".join("".join(w[0] for w in _norm_words(n) if w not in _EDGE)
                    for n in (op.title, op.popular_name or ""))


def _name_cased(raw: str) -> bool:
    """'SS4A', 'WaterSMART': capitals after the first letter mark a name, never an everyday word."""
    return raw.isupper() or any(ch.isupper() for ch in raw[1:])


def _cued(text: str, word: str) -> bool:
    """A lowercase acronym names a program only when the words around it say so: "the raise grant",
    "apply for raise?"; "a flood alert" or "the stock price" are plain English."""
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        after, before = text[m.end():], text[:m.start()]
        if CUE_AFTER.match(after) or (CUE_BEFORE.search(before) and re.fullmatch(r"[\s?.!]*", after)):
            return True
    return False


_SMALL = frozenset("program programs the of for and a an to in on grant grants fund funds act".split())


def _name_key(name: str) -> frozenset[str]:
    words = [w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w for w in _norm_words(name)]
    return frozenset(w for w in words if w not in _SMALL)


def _leading_run(words_t: list[str], qs: str) -> int:
    """How many of the title's first words the question holds in a row (0 when fewer than three)."""
    for size in range(len(words_t), 2, -1):
        if " " + " ".join(words_t[:size]) + " " in qs:
            return size
    return 0


KEYWORD_ACRONYM = 0.7
HYPHENATED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # "non-entitlement" stays one word
ACRONYM_CONTEXT = 0.05  # per distinctive question word in the program's own names, at most three
HEAD_NOUNS = frozenset("loans loan grants grant fund program programs".split())
_EDGE = frozenset("and of for the to in on a an or with".split())


def _longest_run(words_t: list[str], qs: str) -> int:
    """The longest run of the title's words the question holds, not starting or ending on a joining word:
    "land AND WATER CONSERVATION fund" holds no run of "Soil and Water Conservation"."""
    n = len(words_t)
    for size in range(n, 2, -1):
        for start in range(0, n - size + 1):
            run = words_t[start:start + size]
            if run[0] not in _EDGE and run[-1] not in _EDGE and " " + " ".join(run) + " " in qs:
                return size
    return 0
