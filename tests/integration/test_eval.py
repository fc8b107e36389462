"""`finder eval` over the dev questions with the full catalog, and verdict consistency of every top-5 hit."""

import json

import pytest
from click.testing import CliRunner

from finder.catalog.eligibility import judge
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from finder.errors import RecordError
from finder.evaluation import evaluate, load_questions
from tests.conftest import DEV_QUESTIONS
from ui.cli import main


@pytest.fixture(scope="module")
def result(full_index, shared):
    return evaluate(Finder(full_index), load_questions(DEV_QUESTIONS))


def test_dev_set_meets_the_bar(result):
    assert result.recall5 >= 0.97 and result.mrr10 >= 0.85
    assert result.verdicts == (8, 8) and result.refused == (3, 3)


def test_every_profiled_top5_verdict_matches_its_catalog_record(result, full_index, shared):
    finder = Finder(full_index)
    snap = finder.index.snapshot()
    questions = {q["id"]: q for q in load_questions(DEV_QUESTIONS)}
    checked = 0
    for row in result.rows:
        q = questions[row["id"]]
        if not q.get("applicant") or row["refused"]:
            continue
        for hit in row["hits"][:5]:
            op = snap.programs[hit["id"]]
            assert hit["verdict"] == judge(op, Applicant(q["applicant"])).kind
            checked += 1
    assert checked >= 20


def test_details_file_shape(full_index, shared, tmp_path, monkeypatch):
    monkeypatch.setenv("FINDER_INDEX_DIR", str(full_index.index_dir))
    out = tmp_path / "d.jsonl"
    r = CliRunner().invoke(main, ["eval", str(DEV_QUESTIONS), "--details", str(out)], catch_exceptions=False)
    assert r.exit_code == 0 and "recall@5=" in r.output and "latency_p50=" in r.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert set(rows[0]) == {"id", "hits", "about_verdict", "refused", "latency_ms", "answer"}
    assert set(rows[0]["hits"][0]) == {"aln", "id", "verdict"}


def test_bad_question_file_is_a_clear_error(tmp_path):
    f = tmp_path / "q.yaml"
    f.write_text("questions:\n  - {id: x, kind: nonsense, question: hi}\n")
    with pytest.raises(RecordError, match="q.yaml record x field kind: expected one of"):
        load_questions(f)


@pytest.mark.parametrize("text, where", [
    ("questions:\n  - {id: a, kind: discovery, question: hi}\n", "record a field expect_any"),
    ("questions:\n  - {id: b, kind: eligibility, question: hi, about: '20.939', verdict: maybe}\n",
     "record b field verdict"),
    ("questions:\n  - {id: c, kind: discovery, question: hi, applicant: wizard, expect_any: [x]}\n",
     "record c field applicant"),
    ("a: &x [1]\nquestions: *x\n", "anchors and aliases are not allowed"),
    ("questions: [unclosed\n", "malformed YAML"),
    ("- just a list\n", "field questions"),
    ("questions:\n  - {id: a, kind: discovery, question: 5, expect_any: ['20.205']}\n", "record a field question"),
    ("questions:\n  - {id: a, kind: discovery, question: hi, expect_any: [{x: 1}]}\n", "record a field expect_any"),
    ("questions:\n  - {id: a, kind: discovery, question: hi, expect_any: [20.205]}\n", "quoted ('66.468')"),
    ("questions:\n  - {id: a, kind: eligibility, question: hi, about: '20.939', verdict: [{x: 1}]}\n",
     "record a field verdict"),
    ("questions:\n  - {id: a, kind: discovery, question: hi, expect_any: ['1']}\n"
     "  - {id: a, kind: discovery, question: ho, expect_any: ['1']}\n", "record a field id: duplicate id"),
    (b"\xff\xfe\x00questions", "cannot read"),
])
def test_malformed_question_files_give_one_line_not_a_traceback(tmp_path, text, where):
    f = tmp_path / "q.yaml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    r = CliRunner().invoke(main, ["eval", str(f)])
    assert r.exit_code == 1 and where in r.output and "Traceback" not in r.output


def test_an_integer_id_is_reported_as_text(full_index, shared, tmp_path, monkeypatch):
    monkeypatch.setenv("FINDER_INDEX_DIR", str(full_index.index_dir))
    f = tmp_path / "q.yaml"
    f.write_text("questions:\n  - {id: 7, kind: discovery, question: 'Tell me about SS4A', expect_any: ['66.458']}\n")
    r = CliRunner().invoke(main, ["eval", str(f)])
    assert r.exit_code == 0 and "missed: 7" in r.output
