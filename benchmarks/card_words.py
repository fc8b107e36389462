"""Words in the HTML cards under a 5-program chat answer, over every dev question set.

The cards should hold only what the chat line does not, so fewer words is the aim (issue 23: at most 60% of
the ~1,000 words the cards held before). `python -m benchmarks.card_words [INDEX_DIR]` prints
{"answers", "mean_words", "median_words", "max_words"} for answers that show exactly five programs, each
asked with the question's applicant as the profile; words are the cards' visible text, tags removed.
"""

from __future__ import annotations

import html
import json
import re
import statistics
import sys
from pathlib import Path

import yaml

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def visible_words(markup: str) -> int:
    """Words a reader sees: tags and screen-reader-only text removed, entities decoded."""
    text = re.sub(r'<p class="sr-only"[^>]*>.*?</p>', " ", markup, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return len(text.split())


def card_words(index_dir: str) -> list[int]:
    from finder.settings import Settings, use_offline_env

    use_offline_env()
    from finder.answering.conversation import Profile
    from finder.answering.html import cards
    from finder.catalog.applicants import parse_applicant
    from finder.engine import Finder
    from ui.session import used_for

    finder = Finder(Settings(index_dir=Path(index_dir), today="2026-11-28"))
    counts = []
    for path in sorted(SHARED.glob("dev_questions*.yaml")):
        for q in yaml.safe_load(path.read_text())["questions"]:
            who = parse_applicant(q["applicant"]) if q.get("applicant") else None
            profile = Profile(who)
            a = finder.ask(q["question"], profile, use_llm=False)
            if a.refused or len(a.shown) != 5:
                continue
            counts.append(visible_words(cards(a, used_for(a, profile))))
    return counts


def summary(index_dir: str) -> dict[str, float]:
    c = card_words(index_dir)
    if not c:
        return {"answers": 0}
    return {"answers": len(c), "mean_words": round(statistics.mean(c), 1), "median_words": statistics.median(c),
            "max_words": max(c)}


if __name__ == "__main__":
    if not SHARED.exists():
        sys.exit("../shared/eval is absent: the dev question sets are needed")
    print(json.dumps(summary(sys.argv[1] if len(sys.argv) > 1 else ".finder/index")))
