"""Questions the finder declines before retrieval: instructions aimed at the system, personal benefits,
and tasks that are not finding funding. Retrieved text is never checked here: it is data, not a request."""

from __future__ import annotations

import re

from finder.catalog.vocab import RefusalKind

INJECTION = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above) (instructions|prompts?)|system prompt|hidden (config|prompt)|"
    r"reveal (your|the) (config|prompt|instructions|settings|api key)|api[_ ]key|jailbreak|developer mode|"
    r"print (your|the) (prompt|configuration)|environment variables?",
    re.I,
)
PERSONAL = re.compile(
    r"\b(my|our family'?s?) (personal |own )?(rent|mortgage|bills?|tuition|car|car payment|medical|debt|credit card|"
    r"house|home|roof|apartment|paycheck|groceries)\b|"
    r"\bpersonal (rent|loan|debt|bills?)\b|\bfor me personally\b|"
    r"\b(my|our family'?s?) (own |personal )?(water|electric(ity)?|power|gas|heating|phone|internet|cable|utility|"
    r"sewer|trash|medical|hospital) bills?\b|"
    r"\b(food stamps|snap benefits|wic benefits|unemployment (benefits|insurance|check)|social security|medicaid|"
    r"medicare|disability benefits|stimulus check|student loans?)\b",
    re.I,
)


# Requests for a task that is not finding funding, however infrastructure-flavoured ("a poem about bridges").
OFF_TASK = re.compile(
    r"\b(write|compose|make up|tell|sing|give)\s+(me\s+|us\s+)?(a|an|some)\s+(short\s+|funny\s+|little\s+|quick\s+)?"
    r"(poem|song|story|stories|joke|haiku|limerick|rap|essay|novel|riddle)s?\b|"
    r"\b(translate|summari[sz]e) (this|the following)\b",
    re.I,
)


def off_limits(text: str) -> RefusalKind | None:
    """The refusal a question calls for before any search, or None."""
    if INJECTION.search(text):
        return RefusalKind.INJECTION
    if PERSONAL.search(text):
        return RefusalKind.PERSONAL
    if OFF_TASK.search(text):
        return RefusalKind.OFF_TASK
    return None
