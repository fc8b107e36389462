"""Reading grade (Flesch-Kincaid) of the answer leads over both dev question sets.

`python -m benchmarks.readability INDEX_DIR` prints {"questions", "mean_grade", "median_grade"} for the first
paragraph of each non-refused answer: the part an official reads first.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

import yaml

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e: the usual estimate behind readability scores."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    count = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    sentences = max(1, len(re.findall(r"[.!?]+(\s|$)", text)))
    words = re.findall(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*", text)
    if not words:
        return 0.0
    syl = sum(syllables(w) if w[0].isalpha() else 1 for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59


def lead_grades(index_dir: str) -> list[float]:
    from finder.settings import Settings, use_offline_env

    use_offline_env()
    from finder.answering.conversation import Profile
    from finder.catalog.applicants import parse_applicant
    from finder.engine import Finder

    finder = Finder(Settings(index_dir=Path(index_dir), today="2026-11-28"))
    grades = []
    for name in ("dev_questions.yaml", "dev_questions_v2.yaml"):
        for q in yaml.safe_load((SHARED / name).read_text())["questions"]:
            who = parse_applicant(q["applicant"]) if q.get("applicant") else None
            a = finder.ask(q["question"], Profile(who), use_llm=False)
            if a.refused:
                continue
            lead = a.text.split("\n\n")[0].replace("*", "")
            grades.append(fk_grade(re.sub(r"\(ALN [^)]*\)|\[[^\]]*\]\([^)]*\)", "", lead)))
    return grades


if __name__ == "__main__":
    g = lead_grades(sys.argv[1])
    print(json.dumps({"questions": len(g), "mean_grade": round(statistics.mean(g), 1),
                      "median_grade": round(statistics.median(g), 1)}))
