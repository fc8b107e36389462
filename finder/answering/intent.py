"""What a question asks, and a program name it uses that the catalog may not hold: plain-words rules, no LLM.

One question may ask several things ("can we apply, and what is the match?"); `asks` returns them in the
order an answer should take them. `program_phrase` finds a name the asker gives a program ("the Thriving
Communities Program", "FOO grants"), so an answer can say plainly when the catalog does not hold it.
"""

from __future__ import annotations

import re

from finder.catalog.vocab import Ask

_STATUS = re.compile(
    r"\bstill (giving|handing|making|paying|offering|taking|awarding|funding|issuing|available|open|funded|around|"
    r"running|active|accepting|coming|frozen|paused|on hold|alive|going|there|"
    r"happening|a thing|exist)|"
    r"\b(been|was|were|is|are|get|got|gets|getting|being) (permanently )?(terminated|cancell?ed|ended|eliminated|"
    r"rescinded|frozen|paused|suspended|defunded|shut down|discontinued|killed|clawed back|revoked|restored|"
    r"reinstated|unfrozen|pulled( back)?|taken back|cut|zeroed out|axed|scrapped|halted|stopped|repealed)\b|"
    r"\b(did|has|have|will) (congress|the administration|the government|[\w.]+|the [\w.]+) (end|cancel|kill|"
    r"terminate|eliminate|rescind|defund|cut|scrap|repeal|claw back|pull|stop|freeze|pause|axe)(ed|led)? (the |"
    r"its |our |all )?\w+|"
    r"(?:^|[.?!]\s+)(was|were|has|have|had|did|is|are)\b[^.?!]{0,120}\b(terminated|cancell?ed|eliminated|rescinded|"
    r"defunded|discontinued|clawed back|revoked|reinstated|unfrozen|restored|repealed|shut down)\b|"
    r"\b(next|new|another|upcoming|future|20\d\d) (round|cycle|competition|nofo|solicitation|funding round)\b|"
    r"\bround (open|opening|coming)|\bwhen (does|will) (it|the|they|[\w ]{0,30}) (re)?open\b|"
    r"\bmoney (still )?coming\b|\b(we|i|they|you) (can )?still (get in|get (it|the money|funding|a grant)|apply)\b|"
    r"\bstill (apply|get in)\b|\bcan (we|i) still\b|\bany (money|funding) left\b|\bstill time to apply\b|"
    r"\b(did|have|has) (the )?[\w ]{0,40}(rules?|guidance|requirements) change|\bstatus of\b|\bwhat happened to\b|"
    r"\b(is|are) (?!there\b)[\w' -]{0,80} (dead|gone|over|back|frozen|paused|alive|suspended|cancell?ed|"
    r"terminated)( (now|yet|already|for good|too))?\W*$|"
    r"\bstill in effect\b|\bstill being funded\b|"
    r"\b(is|are) [\w-]+( [\w-]+){0,5} open( now| yet| right now)?\??$|\bopen (right )?now\b|\b(taking|accepting) "
    r"applications\b",
    re.I)
_MATCH = re.compile(
    r"\bcost[- ]shar|\b(local|non-?federal|federal|our|the town'?s|the city'?s|the county'?s) (share|match)\b|"
    r"\bmatch(ing)? (funds?|requirement|rate|money|share|is required|required)\b|\bwhat('s| is)? the match\b|"
    r"\bhow much (does|will|would|do) (the )?[\w-]+( [\w-]+)? (pay|cover|fund|put in)\b|"
    r"\b(need|require|requires|required) (a |any )?match|\bmatch (do|does|would|will)\b|\bwhat match\b|"
    r"\bwhat share\b|\bhow much of (the |our |its |a )?([\w-]+ ){0,3}(cost|costs|project|bill|budget|expenses|"
    r"deficit)\b|\bhow much (will |would |can |does )?(the )?(federal|grant) (funds?|money|dollars|share) "
    r"(can |will |would |may )?(cover|pay)\b|"
    r"\bwhat (percent|percentage|portion|fraction)\b|"
    r"\bshare of (the )?(total )?(project )?(cost|project|costs)\b|\bcover(ed)? locally\b|"
    r"\b(how much|what( share| part| percent(age)?)?|do|does|will|would|must)\b[^.?!]{0,30}\bput up\b"
    r"(?! (a |an |the |new |solar|ev|signs?|fenc|buildings?|towers?))|\bput up (a |any |the )?(local )?match\b|"
    r"\b(is|are|falls?|rest|remainder|balance)( that)?( cost)? on us\b|"
    r"\bpay for the rest\b|\bwhat (do|would|will|must) (we|i|our \w+) (have to )?pay\b|"
    r"\bhow much (do|would|will|must) (we|our \w+|the \w+) (have to |need to )?(pay|cover|contribute|put|chip in)\b|"
    r"\bchip in\b|\bhow much (local|own|non-?federal|matching) (money|funds?|dollars|cash)\b|"
    r"\b(local|own|matching) (money|funds?|dollars|cash) (do|would|will|must) (we|you|i) (need|have|put|bring)\b|"
    r"\b(federal|grant) (pay|pays|cover|covers) (for )?(all|100|the whole|everything)\b",
    re.I)
_OFFICE = re.compile(
    r"\b(which|what) ([\w.]+ ){0,2}(state )?(agency|agencies|office|department|division|board|commission|"
    r"organization)( (in|for) [\w ]{1,30})? (runs|run|handles|administers|manages|hands out|gives out|awards|"
    r"oversees|is in charge|do we|distributes|passes|takes)|"
    r"\bwho (runs|handles|administers|hands out|manages|gives out|awards|oversees|distributes|passes out) "
    r"[\w ,.'-]{0,80} (in|for) (?!(?:a|an|the|our|my) (?:project|grant|loan|program|city|county|town|village)\b)"
    r"[\w.]+( [\w.]+)?\W*$|"
    r"\bwho (in|at) (the state|[A-Z]?\w+( \w+)?) (runs|handles|administers|hands out|manages|gives out|awards|"
    r"oversees|do we)\b|\bwho (runs|handles|administers|hands out|manages|gives out|awards|oversees) (it|this|that|"
    r"the|[\w ]{0,30}) (in|for) (our|my|the) state\b|\bwho do (we|i) (go|talk|apply|turn) to\b|"
    r"\bwho (should|do) (we|i) (contact|call|ask)\b|\bwhere do (we|i) (start|apply|go)\b|"
    r"\b(state|which) (contact|office|agency) (for|runs|handles)\b|"
    r"\bwho (runs|handles|administers|manages|oversees|hands out|gives out|distributes) (it|this|that|them) "
    r"(here|in (our|this) state)\b|(^|[.?!]\s+)in [A-Z][a-z]+( [A-Z][a-z]+)?, who (runs|handles|administers|manages|"
    r"oversees|hands out|gives out|distributes|awards)\b|\b(which|what) (state )?(agency|office|department)\b"
    r"[^.?!]{0,60}\b(call|contact|talk to|ask|go to|apply to|reach out to)\b",
    re.I)
_DEADLINE = re.compile(r"\b(deadlines?|due dates?|closing dates?|when (is|are) [\w ]{0,30}due|when does [\w ]{0,30}"
                       r"close|closes? on|application window|apply by (when|what|which|the|[a-z]+ \d))\b|"
                       r"\b(have|need) to apply by\W*$", re.I)
_AMOUNT = re.compile(
    r"\bhow much (money )?(can|could|would|will|might|do|does) (we|i|our \w+|they|it|the \w+|an? \w+) (get|borrow|"
    r"receive|win|request|ask for|give|lend|award|qualify for)\b|\b(maximum|max|largest|biggest|smallest|minimum) "
    r"([\w-]+ ){0,3}(award|grant|loan|amount|size)\b|\bhow (big|large) (can|could|may|is|are|will) (a|an|one|the|"
    r"each|any|our)\b(?=[^.?!]{0,40}\b(grants?|awards?|loans?|funding))|"
    r"\bthe most (it|they|we|[\w ]{0,30}) (can|could|will|would) (give|pay|lend|award|borrow|get)\b|"
    r"\baward (size|ceiling|floor|limit|cap)s?\b|"
    r"\bhow big (a|an|are|is)\b(?=[^.?!]{0,40}\b(grants?|awards?|loans?|funding))|"
    r"\bwhat'?s the most\b|"
    r"\b(roughly|about) how much\b|\bhow much could we borrow\b|\bloan limit\b|\bcapped at\b|"
    r"\bhow (much|large|big) (can|could|may|is) (a|an|one|the|each|any) [\w -]{0,40}\b(be|get|go|give|pay|lend)\b"
    r"[\w ]{0,20}\b(at most|at the most|maximum|max|tops)\b|\bhow much (money )?(is|are) (available|there) (per|for "
    r"(a|an|one|each)) (project|award|applicant|grant)\b",
    re.I)
_USES = re.compile(r"\bwhat (does|do|can|will|would) [\w()'&, -]{2,80} (pay for|fund|cover|be used for|buy)\b"
                   r"(?! (the|a|an|our|your)? ?(rest|share|match|cost))|"
                   r"\bwhat (is|are) [\w()'&, -]{2,60} (used|meant) for\b|"
                   r"\bwhat (can|could) (we|you|i|a \w+|our \w+) (use|spend) [\w()'&, -]{2,60} (on|for)\W*$", re.I)
_COMPARE = re.compile(r"\b(difference between|differences between|compare|comparison|versus|vs\.?|which is better|"
                      r"or should we)\b", re.I)
_APPLY = re.compile(
    r"\b(can|could|may|are|is|do|does|would)\b.{0,60}\b(apply|eligible|qualify|be the (lead )?applicant|sponsor)\b|"
    r"\beligib|\bwho can apply\b|(?<!how much )\bcan (we|i|(our|a|an|the)( [\w-]+){1,3}) (get|receive|use|tap)\b|"
    r"\bon (our|its) own\b|"
    r"\bourselves\b|\bdirectly\b|\bour own (allocation|grant|award|share|money|funding)\b|"
    r"\b(are|is) (we|our \w+|the \w+) (an? |the )?([\w-]+ ){0,3}(direct )?(recipient|grantee|applicant|entitlement "
    r"(community|city|county|communities))\b|"
    r"\b(go|goes|come|comes|apply) through (the|our|your) state\b",
    re.I)
_FIND = re.compile(r"\b(what|which|any|find|list|show|is there|are there)\b.{0,40}\b(programs?|grants?|loans?|money|"
                   r"funding|funds|help|options)\b", re.I)


# The status asked as "did it end?" ("was BRIC cancelled?", "did the money get pulled back?"), unless the question
# also asks it the other way round ("is it still open, or did it get cancelled?"), where a bare yes or no misleads.
_ENDED_WORDS = re.compile(
    r"\b(terminated|cancell?ed|ended|eliminated|rescinded|frozen|paused|suspended|defunded|shut down|discontinued|"
    r"killed|clawed back|revoked|pulled( back)?|taken back|cut|zeroed out|axed|scrapped|halted|repealed|dead|gone|"
    r"over)\b|\b(did|has|have|will) [\w. ]{1,40}\b(end|cancel|kill|terminate|eliminate|rescind|defund|cut|scrap|"
    r"repeal|claw back|freeze|pause|axe)\b", re.I)
_OPEN_WORDS = re.compile(r"\b(still|open|available|accepting|taking applications|running|alive|next|new round|"
                         r"reopen|restored|reinstated|unfrozen|(is|are|be|come|coming) back)\b", re.I)


def asks(text: str) -> tuple[Ask, ...]:
    """Everything the question asks, in the order an answer should take them; FIND when nothing specific."""
    found = [ask for ask, rx in ((Ask.STATUS, _STATUS), (Ask.APPLY, _APPLY), (Ask.MATCH, _MATCH),
                                 (Ask.AMOUNT, _AMOUNT), (Ask.OFFICE, _OFFICE), (Ask.DEADLINE, _DEADLINE),
                                 (Ask.USES, _USES), (Ask.COMPARE, _COMPARE)) if rx.search(text)]
    if Ask.STATUS in found and _ENDED_WORDS.search(text) and not _OPEN_WORDS.search(text):
        found.insert(found.index(Ask.STATUS) + 1, Ask.ENDED)
    if not found or _FIND.search(text):
        found.append(Ask.FIND)
    return tuple(found)


# A name the asker gives a program: capitalised words before "Program", "Grant(s)", "Fund", "Initiative", "Loan".
_WORD = r"(?:[A-Z][\w'&-]*|of|for|and|the|to|in|on)"
_NAMED = re.compile(rf"\b({_WORD}(?:\s+{_WORD}){{1,8}})"
                    r"\s+(Program|Programs|Grant|Grants|Fund|Initiative|Loan|Loans|Pilot|Competition|Challenge)\b")
# ... and "the Rural Energy Savings program": three capitalised words or more before a lower-case "program"/"grant"
_NAMED_LOWER = re.compile(rf"\b([A-Z][\w'&-]*(?:\s+{_WORD}){{1,8}})\s+(program|programs|grant|grants)\b")
_APPLY_TO = re.compile(r"\b(?:apply (?:to|for)|applying (?:to|for)|eligible for|qualify for|status of|still funding|"
                       r"about)\s+(?:the |a |an |our )?((?:[A-Z][\w'&.-]*)(?:\s+(?:[A-Z][\w'&.-]*|of|for|and|the|to|"
                       r"in|on|'s)){0,8})")
_SKIP = re.compile(r"^(?:the|a|an|our|my|this|that|these|those|federal|state|city|county|town|we|i|us|it|can|is|"
                   r"does|what|which|who|how|when|where|why|any|some|all|usda|epa|fema|hud|dot|doe|usdot|"
                   r"u\.?s\.?|america|american|american rescue plan)$", re.I)


_ACRONYM = re.compile(r"\b(?:the |an? )?([A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)?)\s+(?:grants?|programs?|money|funds?|funding|"
                      r"loans?|round|awards?|application)\b")


def program_phrase(text: str) -> str | None:
    """A program name the question gives, as written ("Thriving Communities Program"), or None."""
    if (m := _ACRONYM.search(text)) and m[1].lower() not in _AGENCIES:
        return m[1]
    for rx in (_NAMED, _NAMED_LOWER, _APPLY_TO):
        for m in rx.finditer(text):
            phrase = " ".join(m.group(0).split()) if rx is not _APPLY_TO else " ".join(m[1].split())
            words = phrase.strip(" ?.,!'").split()
            while words and (words[0].lower() in _STARTERS or not words[0][:1].isupper()
                             or words[0].lower().removesuffix("'s") in _AGENCIES):
                words = words[1:]
            phrase = " ".join(words)
            if not words or _SKIP.match(phrase) or all(w.lower() in _LOWER for w in words[:-1]) and rx is not _APPLY_TO:
                continue
            if rx is _NAMED_LOWER and len([w for w in words[:-1] if w[:1].isupper()]) < 3:
                continue
            if rx is _APPLY_TO and not (len([w for w in words if w[:1].isupper()]) >= 2 or
                                        (len(words) == 1 and words[0].isupper() and len(words[0]) >= 3)):
                continue
            if _LAW.search(phrase) or len(phrase) < 3:
                continue
            return phrase
    return None


# A looser name, used only when it resolves to a program: "the Brownfields assessment grants", "our Main Street
# program". Never reported as missing: most such phrases are plain descriptions.
_LOOSE = re.compile(r"\b([A-Z][\w'&-]+(?:\s+[\w'&-]+){0,3}?)\s+(?:grants?|programs?|loans?)\b")


def loose_phrase(text: str) -> str | None:
    for m in _LOOSE.finditer(text):
        words = m[1].split()
        while words and (words[0].lower() in _STARTERS or words[0].lower().removesuffix("'s") in _AGENCIES):
            words = words[1:]
        if words and words[0][:1].isupper() and not _SKIP.match(" ".join(words)):
            return " ".join(words) + " " + m[0].split()[-1]
    return None


# Laws and places are not program names: "apply for Bipartisan Infrastructure Law money".
_LAW = re.compile(r"\b(Law|Act|Bill|Plan|Congress|County|City|Town|State|States|Nation|Tribe|Region|Department|"
                  r"Administration|Agency)$|\b(Bipartisan Infrastructure|Inflation Reduction|Rescue Plan)\b")
_STARTERS = {"is", "can", "could", "does", "do", "did", "what", "which", "who", "how", "when", "where", "will", "are",
             "our", "we", "if", "the", "a", "an", "my", "i", "has", "have", "was", "were", "should", "would", "may",
             "tell", "about", "for", "of", "and", "to", "in", "on", "any", "with", "from", "at", "by", "or"}
_AGENCIES = {"usda", "epa", "fema", "hud", "dot", "doe", "usdot", "fhwa", "fta", "faa", "noaa", "eda", "ntia", "dhs",
             "interior", "treasury", "commerce", "energy", "transportation", "agriculture", "federal", "state"}
_LOWER = {"of", "for", "and", "the", "to", "in", "on", "federal", "state", "a", "an"}
