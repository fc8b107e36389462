"""Property-based tests: every parser turns random or truncated input into its own error, never a crash."""

import contextlib
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.catalog.model import read_record
from finder.errors import RecordError
from ingest.sources import grants_gov
from ingest.sources.listings import read_fpi, read_sam_csv
from tests.conftest import CATALOG, FIXTURES

FAST = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SAMPLE_RECORD = next(CATALOG.rglob("20.939.yaml")).read_text()
SAMPLE_XML = (FIXTURES / "extract_small.xml").read_bytes()
SAMPLE_FETCH = (FIXTURES / "fetch_opportunity.json").read_text()
SAMPLE_FPI = json.dumps([{"cfda": "20.939", "title": "Safe Streets", "program_type": "assistance_listing",
                          "applicant_types": ["State"], "assistance_types": ["Project Grants"],
                          "obligations": [{"x": "2024", "sam_actual": 5.0}], "authorizations": [{"text": "x"}]}])
SAMPLE_CSV = ('"Program Title","Program Number","Federal Agency (030)","Types of Assistance (060)"\n'
              '"Safe Streets","20.939","Department of Transportation","Project Grants"\n')

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)


def write(data: bytes | str, suffix: str) -> Path:
    d = Path(tempfile.mkdtemp())
    path = d / ("20.939" + suffix)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return path


def consume(fn, path):
    try:
        return list(fn(path))
    except RecordError as exc:
        assert str(path) in str(exc)
        return None


@FAST
@given(st.text(max_size=300))
def test_yaml_random_text(text):
    with contextlib.suppress(RecordError):
        read_record(write(text.encode("utf-8", "replace"), ".yaml"))


@FAST
@given(st.integers(min_value=0, max_value=len(SAMPLE_RECORD)))
def test_yaml_truncated_record(cut):
    with contextlib.suppress(RecordError):
        read_record(write(SAMPLE_RECORD[:cut], ".yaml"))


@FAST
@given(st.one_of(st.integers(min_value=0, max_value=len(SAMPLE_FPI)).map(lambda n: SAMPLE_FPI[:n]),
                 json_values.map(json.dumps)))
def test_fpi_json(text):
    consume(read_fpi, write(text, ".json"))


@FAST
@given(st.one_of(st.binary(max_size=200), st.integers(min_value=0, max_value=len(SAMPLE_CSV)).map(
    lambda n: SAMPLE_CSV[:n].encode())))
def test_sam_csv(data):
    consume(read_sam_csv, write(data, ".csv"))


@FAST
@given(st.one_of(st.binary(max_size=300),
                 st.integers(min_value=0, max_value=len(SAMPLE_XML)).map(lambda n: SAMPLE_XML[:n])))
def test_grants_gov_xml(data):
    errors: list[str] = []
    path = write(data, ".xml")
    with contextlib.suppress(RecordError):
        list(grants_gov.read(path, errors=errors))
    assert all(e.startswith(str(path)) and " record " in e for e in errors)  # each names file and record


@FAST
@given(st.one_of(st.integers(min_value=0, max_value=len(SAMPLE_FETCH)).map(lambda n: SAMPLE_FETCH[:n]),
                 json_values.map(json.dumps),
                 json_values.map(lambda v: json.dumps({"errorcode": 0, "data": {"oppHits": [v, {"id": v}]}})),
                 json_values.map(lambda v: json.dumps({"data": {"id": 1, "synopsis": v, "cfdas": v}}))))
def test_grants_gov_json(text):
    with contextlib.suppress(RecordError):
        list(grants_gov.read(write(text, ".json"), errors=[]))
