import csv
import re
import shutil

import pytest

from finder.catalog.model import Opportunity, load_catalog, read_record
from finder.errors import RecordError
from tests.conftest import CATALOG, copy_catalog


def test_every_record_validates_and_ids_are_unique():
    records, errors = load_catalog(CATALOG)
    assert [str(e) for e in errors] == []
    assert len(records) >= 400
    assert len({r.id for r in records}) == len(records)


def test_every_scope_aln_is_present_or_excluded(shared):
    with open(shared / "data/catalog_scope.tsv", encoding="utf-8") as fh:
        scope = [r["aln"] for r in csv.DictReader(fh, delimiter="\t")]
    present = {r.aln for r in load_catalog(CATALOG)[0]}
    excluded_file = CATALOG / "EXCLUDED.tsv"
    excluded = set()
    if excluded_file.exists():
        with open(excluded_file, encoding="utf-8") as fh:
            excluded = {row[0] for row in csv.reader(fh, delimiter="\t") if len(row) > 1 and row[1]}
    assert [a for a in scope if a not in present and a not in excluded] == []


def _words(s):
    return re.findall(r"[a-z0-9]+", (s or "").lower())


def _grams(ws, n=8):
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def test_no_summary_copies_an_eight_word_run_of_its_source(shared):
    import json

    fpi = {r["cfda"]: r for r in json.loads((shared / "data/fpi/fpi_assistance_listings_2025-02-26.json").read_text())
           if r.get("program_type") == "assistance_listing"}
    copied = []
    for op in load_catalog(CATALOG)[0]:
        src = fpi.get(op.aln)
        if not src:
            continue
        names = _grams(_words(src["title"]) + ["|"] + _words(src.get("popular_name")) + ["|"] + _words(op.title)
                       + ["|"] + _words(op.popular_name))
        overlap = (_grams(_words(op.summary)) & _grams(_words(src["objective"]))) - names
        if overlap:
            copied.append((op.id, " ".join(sorted(overlap)[0])))
    assert copied == []


def test_sub_programs_name_their_sources_and_parent():
    records = {r.id: r for r in load_catalog(CATALOG)[0]}
    for slug in ("nevi", "cfi", "bip", "bfp", "protect", "crp"):
        op = records[f"20.205-{slug}"]
        assert op.parent == "20.205" and op.sources and all(s.url for s in op.sources)


def test_cfi_lets_cities_apply_but_nevi_does_not():
    records = {r.id: r for r in load_catalog(CATALOG)[0]}
    assert "city" in records["20.205-cfi"].eligible_applicants
    assert "city" not in records["20.205-nevi"].eligible_applicants


@pytest.mark.parametrize("text, field, problem", [
    ("", None, "empty"),
    ("id: [unclosed", None, "malformed YAML"),
    ("- just\n- a list\n", None, "mapping"),
])
def test_bad_files_name_the_file_and_problem(tmp_path, text, field, problem):
    f = tmp_path / "20.939.yaml"
    f.write_text(text)
    with pytest.raises(RecordError) as exc:
        read_record(f)
    assert str(f) in str(exc.value) and problem in str(exc.value)


def test_wrong_field_is_named_with_record(tmp_path):
    data = copy_catalog(tmp_path / "d", ["20.939"])
    f = next(data.rglob("20.939.yaml"))
    f.write_text(f.read_text().replace("- city\n", "- metropolis\n"))
    with pytest.raises(RecordError) as exc:
        read_record(f)
    assert exc.value.record == "20.939" and exc.value.field == "eligible_applicants"
    assert "metropolis" in str(exc.value)


def test_summary_length_is_enforced():
    op = load_catalog(CATALOG)[0][0]
    with pytest.raises(ValueError, match="summary has"):
        Opportunity.model_validate({**op.model_dump(), "summary": "Too short."})


def test_importer_reproduces_facts_with_no_diff_and_keeps_prose(tmp_path, shared):
    from ingest.listings import import_listings

    data = tmp_path / "data"
    shutil.copytree(CATALOG, data)
    before = {p: p.read_text() for p in data.rglob("*.yaml")}
    report = import_listings(shared / "data/fpi/fpi_assistance_listings_2025-02-26.json", data, create=False)
    after = {p: p.read_text() for p in data.rglob("*.yaml")}
    assert before == after
    assert report.updated == [] and len(report.unchanged) >= 427


def test_import_listings_command_on_the_fpi_file_changes_nothing(tmp_path, shared):
    from click.testing import CliRunner

    from ui.cli import main

    data = tmp_path / "data"
    shutil.copytree(CATALOG, data)
    before = {p: p.read_text() for p in data.rglob("*.yaml")}
    r = CliRunner().invoke(main, ["import-listings", str(shared / "data/fpi/fpi_assistance_listings_2025-02-26.json"),
                                  "--data", str(data)])
    assert r.exit_code == 0 and "created 0, updated 0" in r.output
    assert {p: p.read_text() for p in data.rglob("*.yaml")} == before


def test_importer_refreshes_facts_but_never_hand_written_fields(tmp_path, shared):
    from ingest.listings import import_listings

    data = copy_catalog(tmp_path / "data", ["66.468"])
    f = next(data.rglob("66.468.yaml"))
    original = read_record(f)
    f.write_text(f.read_text().replace("title: Drinking Water State Revolving Fund", "title: Stale Title"))
    import_listings(shared / "data/fpi/fpi_assistance_listings_2025-02-26.json", data, scope={"66.468"})
    again = read_record(f)
    assert again.title == original.title
    assert (again.summary, again.keywords, again.applicant_notes, again.sectors) == \
        (original.summary, original.keywords, original.applicant_notes, original.sectors)


def test_importer_drafts_new_records_without_source_sentences(tmp_path, shared):
    import json

    from ingest.listings import import_listings

    report = import_listings(shared / "data/fpi/fpi_assistance_listings_2025-02-26.json", tmp_path / "new",
                             scope={"20.939", "10.001"})
    assert sorted(report.created) == ["10.001", "20.939"]
    fpi = {r["cfda"]: r for r in json.loads((shared / "data/fpi/fpi_assistance_listings_2025-02-26.json").read_text())}
    for op in load_catalog(tmp_path / "new")[0]:
        assert op.needs_review
        assert not (_grams(_words(op.summary)) & _grams(_words(fpi[op.aln]["objective"])))


def test_sam_csv_import_updates_facts(tmp_path):
    from ingest.listings import import_listings

    data = copy_catalog(tmp_path / "data", ["20.939"])
    csv_file = tmp_path / "AssistanceListings_DataGov_PUBLIC_CURRENT.csv"
    csv_file.write_bytes(
        '"Program Title","Program Number","Popular Name (020)","Federal Agency (030)","Authorization (040)",'
        '"Objectives (050)","Types of Assistance (060)","URL"\n'
        '"Safe Streets and Roads for All","20.939","SS4A","Office of the Secretary, Department of Transportation",'
        '"Pub. L. 117-58","Improve roadway safety\nacross the country \u2013 fewer deaths.","Project Grants",'
        '"https://sam.gov/fal/x/view"\n'.encode("cp1252"))
    report = import_listings(csv_file, data)
    assert report.updated == ["20.939"]
    op = read_record(next(data.rglob("20.939.yaml")))
    assert op.links.sam == "https://sam.gov/fal/x/view" and op.bil_funded
    assert "city" in op.eligible_applicants
