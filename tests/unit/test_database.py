"""The shared store's plumbing (finder/database.py) on SQLite: URLs, the ingest lock, and clear errors."""

import pytest

from finder import database
from finder.errors import IngestLockedError
from finder.settings import Settings
from ui import feedback


def test_a_bare_postgres_url_gets_the_psycopg_driver_and_messages_hide_the_password(tmp_path):
    s = Settings(index_dir=tmp_path, database_url="postgresql://finder:hunter2@db.example:5432/finder")
    assert database.url_of(s) == "postgresql+psycopg://finder:hunter2@db.example:5432/finder"
    assert "hunter2" not in database.shown_url(database.url_of(s))
    assert database.url_of(Settings(index_dir=tmp_path)) == f"sqlite:///{tmp_path.resolve()}/finder.db"


def test_the_ingest_lock_beside_a_configured_sqlite_store_is_one_writer_at_a_time(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    one = Settings(index_dir=tmp_path / "a", database_url=f"sqlite:///{shared}/finder.db")
    two = Settings(index_dir=tmp_path / "b", database_url=f"sqlite:///{shared}/finder.db")
    held = database.ingest_lock(one, wait=0)
    with held, pytest.raises(IngestLockedError, match=str(shared / "ingest.lock")), \
            database.ingest_lock(two, wait=0.2):
        pass
    with database.ingest_lock(two, wait=0):
        pass  # released


def test_a_store_that_cannot_be_opened_is_one_clear_error(tmp_path):
    bad = Settings(index_dir=tmp_path, database_url="sqlite:////proc/no-such-folder/finder.db")
    database.configure(bad)
    with pytest.raises(database.DatabaseError, match="FINDER_DATABASE_URL"):
        feedback.read_all(tmp_path)
