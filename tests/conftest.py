"""Shared fixtures. Tests run offline by construction, against a real Chroma store and the bundled model."""

from __future__ import annotations

import os

from finder.settings import OFFLINE_ENV

os.environ.update(OFFLINE_ENV)
for key in [k for k in os.environ if k.startswith("FINDER_")]:
    del os.environ[key]

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from finder.index.embeddings import Embedder  # noqa: E402
from finder.settings import Settings  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "data" / "opportunities"
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"
FPI = SHARED / "data" / "fpi" / "fpi_assistance_listings_2025-02-26.json"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.yaml"
# A small slice of the real catalog: fast to embed, and enough for the end-to-end paths.
SMALL = ["20.939", "20.205", "20.205-nevi", "20.205-cfi", "66.458", "66.468", "97.047", "66.958", "20.325",
         "10.760", "10.766", "97.137", "20.823", "20.526", "81.042", "20.933", "11.300", "66.447", "20.509",
         "15.616", "97.036", "20.934", "14.218", "66.616", "20.513"]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(Settings().embedding_model).load()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not FPI.exists():
        pytest.skip("../shared/ is absent (only the project's CI and developers have it)")
    return SHARED


def copy_catalog(dest: Path, ids: list[str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in CATALOG.rglob("*.yaml"):
        if ids is None or f.stem in ids:
            target = dest / f.relative_to(CATALOG)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    return dest


def make_settings(tmp: Path, data: Path, **extra: object) -> Settings:
    return Settings(data_dir=data, index_dir=tmp / "index", notices_dir=tmp / "notices",  # type: ignore[arg-type]
                    offices_dir=ROOT / "data" / "state_offices", **extra)


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, copy_catalog(tmp_path / "data", SMALL))


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A built index over the small slice, shared read-only by tests that only ask and search."""
    from ingest.refresh import refresh

    tmp = tmp_path_factory.mktemp("small")
    settings = make_settings(tmp, copy_catalog(tmp / "data", SMALL), today="2026-11-28")
    notices = tmp / "notices"
    notices.mkdir()
    for f in ("extract_small.xml", "search2.json", "fetch_opportunity.json"):
        shutil.copy(FIXTURES / f, notices / f)
    refresh(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def full_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """The whole catalog, built once per session (about 25 s on 2 cores)."""
    from ingest.refresh import refresh

    tmp = tmp_path_factory.mktemp("full")
    settings = make_settings(tmp, CATALOG, today="2026-11-28")
    refresh(settings, embedder=embedder, notice_paths=[])
    return settings


def _children() -> list[str]:
    """Live (not zombie) child processes of this test process, from /proc."""
    me, out = os.getpid(), []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            state, ppid = (d / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError):
            continue
        if int(ppid) == me and state != "Z":
            out.append(f"{d.name}: {cmd[:150]}")
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every process a test starts must be stopped, even when the test fails."""
    import time

    left = _children()
    for _ in range(20):
        if not left:
            return
        time.sleep(0.25)
        left = _children()
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    print("\nchild processes still running after the tests:\n  " + "\n  ".join(left))


@pytest.fixture
def gov():
    """A stand-in for Grants.gov (search2 API and daily extract) on 127.0.0.1."""
    from tests.grants_gov_server import FakeGrantsGov

    server = FakeGrantsGov()
    yield server
    server.close()


def fetch_env(tmp: Path, embedder: Embedder, gov, ids: list[str], **extra: object):
    """A small refreshed index whose Grants.gov URLs point at `gov`, and a finder on it: (settings, finder)."""
    from finder.engine import Finder
    from ingest.refresh import refresh

    settings = make_settings(tmp, copy_catalog(tmp / "data", ids), today="2026-11-28",
                             grants_gov_api_url=f"{gov.url}/v1/api",
                             grants_gov_extract_url=f"{gov.url}/extract/GrantsDBExtract{{date}}v2.zip",
                             fetch_backoff=0.01, fetch_connect_timeout=1.0, **extra)
    (tmp / "notices").mkdir()
    refresh(settings, embedder=embedder)
    finder = Finder(settings)
    finder.index.embedder = embedder
    return settings, finder
