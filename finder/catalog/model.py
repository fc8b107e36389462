"""The catalog record (`Opportunity`), its vocabularies, and loading the YAML folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from finder.catalog.applicants import CHECK
from finder.catalog.rules import Award, CostShare, Rules, Status
from finder.catalog.vocab import LOAN_TYPES, Applicant, AssistanceType, Sector
from finder.errors import RecordError
from finder.safeyaml import DEFAULT_MAX_BYTES, load_file
from finder.text import ALN, RECORD_ID

ALN_RE = rf"^{ALN}$"
ID_RE = rf"^{RECORD_ID}$"
EligibleEntry = Annotated[str, Field(description="An applicant type or the 'check' marker.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Obligation(Strict):
    fiscal_year: int = Field(description="Federal fiscal year.")
    sam_estimate: float | None = Field(None, description="SAM.gov estimated obligations, dollars.")
    sam_actual: float | None = Field(None, description="SAM.gov actual obligations, dollars.")
    usaspending_actual: float | None = Field(None, description="USAspending.gov obligations, dollars.")


WEB_URL = r"^https?://\S+$"  # a web page; renderers link only official https hosts (finder.text.safe_url)


class Links(Strict):
    sam: str | None = Field(None, pattern=WEB_URL, description="SAM.gov assistance listing page.")
    grants_gov: str | None = Field(None, pattern=WEB_URL, description="Grants.gov search for this ALN's notices.")
    usaspending: str | None = Field(None, pattern=WEB_URL, description="USAspending.gov awards for this ALN.")
    program_page: str | None = Field(None, pattern=WEB_URL, description="The agency's own program page.")


class Source(Strict):
    name: str = Field(description="What the facts came from, e.g. 'OMB Federal Program Inventory'.")
    url: str | None = Field(None, pattern=WEB_URL, description="Where the source can be read.")
    date: dt.date = Field(description="Date of the source version used.")
    facts: list[str] = Field(default_factory=list, description="Record fields this source supports.")


class Opportunity(Strict):
    """One funding program (or a named sub-program of a shared ALN) in the catalog."""

    id: str = Field(pattern=ID_RE, description="Stable id: the ALN, or ALN plus a slug for a sub-program.")
    aln: str = Field(pattern=ALN_RE, description="Assistance Listing Number (formerly CFDA), NN.NNN.")
    parent: str | None = Field(None, pattern=ALN_RE, description="For a sub-program, the ALN it is funded under.")
    title: str = Field(min_length=3, description="Official program title.")
    popular_name: str | None = Field(None, description="The name or acronym users say (SS4A, BRIC).")
    aliases: list[str] = Field(default_factory=list, description="Other names it goes by: former and later names "
                                                                 "(TIGER, BUILD, RAISE), sub-programs, renames.")
    agency: str = Field(min_length=3, description="Administering department or independent agency.")
    sub_agency: str | None = Field(None, description="Bureau or operating administration.")
    summary: str = Field(description="60-150 words in our own words for a local official.")
    needs_review: bool = Field(False, description="True while the summary is an importer draft, not staff prose.")
    eligible_applicants: list[EligibleEntry] = Field(
        description="Direct applicants in our vocabulary; 'check' marks an ambiguous source term; empty means the "
                    "source names no applicant type in our vocabulary (e.g. federal agencies only)."
    )
    applicant_terms: list[str] = Field(
        default_factory=list, description="The source's own applicant types, verbatim (facts, not prose)."
    )
    applicant_notes: str | None = Field(None, description="Our words on pass-through or sub-recipient paths.")
    assistance_types: list[AssistanceType] = Field(min_length=1, description="Kinds of assistance.")
    sectors: list[Sector] = Field(min_length=1, description="What the money builds.")
    keywords: list[str] = Field(default_factory=list, description="Words officials use when asking.")
    categories: list[str] = Field(default_factory=list, description="SAM.gov program categories.")
    bil_funded: bool = Field(description="True when a source ties the program to Pub. L. 117-58 (IIJA/BIL).")
    obligations: list[Obligation] = Field(default_factory=list, description="Dollars by fiscal year.")
    cost_share: CostShare | None = Field(None, description="Federal share and match, when a named source states it.")
    population_limit: str | None = Field(None, description="Population limits, only when a named source states them.")
    award: Award | None = Field(None, description="Award size limits, only when a named source states them.")
    authorizations: list[str] = Field(default_factory=list, description="Legal authorities (citations only).")
    uses: list[str] = Field(
        default_factory=list,
        description="Concrete things the money buys or does, in a clerk's words, from the program's rules or notice.",
    )
    rules: Rules | None = Field(
        None, description="Reviewed eligibility rules; when set, `eligible_applicants` are the reviewed direct "
                          "applicants and the listing's codes no longer decide the verdict.")
    status: Status | None = Field(None, description="Whether the program still runs, with an as-of date.")
    links: Links = Field(description="Official pages.")
    sources: list[Source] = Field(min_length=1, description="Where each fact came from, with dates.")
    last_reviewed: dt.date = Field(description="When a person last reviewed this record.")

    @field_validator("eligible_applicants")
    @classmethod
    def _known_applicants(cls, v: list[str]) -> list[str]:
        allowed = {a.value for a in Applicant} | {CHECK}
        bad = [x for x in v if x not in allowed]
        if bad:
            raise ValueError(f"unknown applicant {bad}; expected any of {sorted(allowed)}")
        return v

    @field_validator("summary")
    @classmethod
    def _summary_length(cls, v: str) -> str:
        n = len(re.findall(r"[A-Za-z0-9]+", v))
        if not 60 <= n <= 150:
            raise ValueError(f"summary has {n} words; expected 60-150")
        return v

    @model_validator(mode="after")
    def _reviewed_facts_have_sources(self) -> Opportunity:
        backed = {f for s in self.sources for f in s.facts}
        if self.rules is not None:
            if CHECK in self.eligible_applicants:
                raise ValueError("a record with reviewed rules lists direct applicants only; put conditional cases "
                                 "in rules.conditions instead of 'check'")
            if "eligible_applicants" not in backed:
                raise ValueError("reviewed rules need a source whose facts include 'eligible_applicants'")
            if self.rules.population and "population" not in backed:
                raise ValueError("a population rule needs a source whose facts include 'population'")
        if self.status is not None and "status" not in backed:
            raise ValueError("status needs a source whose facts include 'status'")
        if self.aliases and "aliases" not in backed:
            raise ValueError("aliases need a source whose facts include 'aliases'")
        if self.award is not None and "award" not in backed:
            raise ValueError("award needs a source whose facts include 'award'")
        if self.cost_share is not None and "cost_share" not in backed:
            raise ValueError("cost_share needs a source whose facts include 'cost_share'")
        if self.uses and "uses" not in backed:
            raise ValueError("uses need a source whose facts include 'uses'")
        return self

    @model_validator(mode="after")
    def _id_matches_aln(self) -> Opportunity:
        if not self.id.startswith(self.aln):
            raise ValueError(f"id {self.id!r} must start with its aln {self.aln!r}")
        if self.id != self.aln and self.parent != self.aln:
            raise ValueError(f"sub-program {self.id!r} needs parent: {self.aln!r}")
        return self

    @property
    def url(self) -> str:
        """The first official page to show."""
        return self.links.program_page or self.links.sam or self.links.grants_gov or self.links.usaspending or ""

    @property
    def lends(self) -> bool:
        """True when a local government can borrow through the program: a federal loan or guarantee, or a
        route or use that names lending (a state revolving fund lends what EPA granted it)."""
        if set(self.assistance_types) & LOAN_TYPES:
            return True
        texts = [*self.uses, *(r.via for r in self.rules.through)] if self.rules else self.uses
        # "revolving loan programs for retrofits" is a loan fund the grantee runs, not money it borrows
        return any(re.search(r"(?<!revolving )\b(loans?|lends?|lending|borrow)", t, re.I) for t in texts)

    @property
    def routes_through_state(self) -> bool:
        """Local applicants reach this program through a named kind of state office (its reviewed rules say
        which), so 'who runs it in my state?' has a state answer."""
        return bool(self.rules and any(r.office for r in self.rules.through))

    def latest_obligation(self) -> tuple[int, float] | None:
        for ob in sorted(self.obligations, key=lambda o: o.fiscal_year, reverse=True):
            value = ob.sam_actual or ob.usaspending_actual or ob.sam_estimate
            if value:
                return ob.fiscal_year, value
        return None


TEXT_RECIPE = "r3"  # r2: the program's uses join the embedded and BM25 text; r3: its other names too


def search_text(op: Opportunity) -> str:
    """The text embedded for dense search and tokenised for BM25 (recipe `TEXT_RECIPE`)."""
    parts = [op.title, op.popular_name or "", "Also called: " + "; ".join(op.aliases) if op.aliases else "",
             op.summary, "Pays for: " + "; ".join(op.uses) if op.uses else "",
             "; ".join(op.keywords), " ".join(s.value.replace("_", " ") for s in op.sectors)]
    return ". ".join(p for p in parts if p)


def content_hash(op: Opportunity) -> str:
    """Hash over the whole record: any change re-embeds and re-stores it."""
    blob = json.dumps(op.model_dump(mode="json"), sort_keys=True) + TEXT_RECIPE
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def record_path(data_dir: Path, op: Opportunity) -> Path:
    return data_dir / agency_slug(op.agency) / f"{op.id}.yaml"


def agency_slug(agency: str) -> str:
    words = re.sub(r"^(department of (the )?|u\.?s\.? )", "", agency.strip().lower())
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "other"


def _first_error(file: Path, rid: str | None, exc: ValidationError) -> RecordError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return RecordError(str(file), err["msg"] + extra, record=rid, field=field,
                       hint="fix the file, then run `finder validate`")


def read_record(file: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Opportunity:
    """Parse one YAML file into an Opportunity, or raise a RecordError naming file, record and field."""
    raw = load_file(file, max_bytes=max_bytes, hint="fix the file, then run `finder validate`")
    if raw is None:
        raise RecordError(str(file), "file is empty; expected one YAML mapping", hint="delete it or fill it in")
    if not isinstance(raw, dict):
        raise RecordError(str(file), f"expected a YAML mapping, found {type(raw).__name__}")
    rid = str(raw.get("id")) if raw.get("id") is not None else None
    try:
        op = Opportunity.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(file, rid, exc) from None
    if file.stem != op.id:
        raise RecordError(str(file), f"file name must be the id ({op.id}.yaml)", record=op.id, field="id")
    return op


def iter_files(data_dir: Path) -> Iterator[Path]:
    yield from sorted(p for p in data_dir.rglob("*.y*ml") if p.is_file())


def scan_catalog(data_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 ) -> Iterator[tuple[Path, Opportunity | RecordError]]:
    """Each catalog file with its record, or the error that makes it unusable (a duplicate id included)."""
    if not data_dir.is_dir():
        raise RecordError(str(data_dir), "catalog folder not found",
                          hint="set FINDER_DATA_DIR or pass --data to the catalog folder")
    seen: dict[str, Path] = {}
    for file in iter_files(data_dir):
        try:
            op = read_record(file, max_bytes=max_bytes)
        except RecordError as exc:
            yield file, exc
            continue
        if op.id in seen:
            yield file, RecordError(str(file), f"duplicate id, also in {seen[op.id]}", record=op.id, field="id")
            continue
        seen[op.id] = file
        yield file, op


def load_catalog(data_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 ) -> tuple[list[Opportunity], list[RecordError]]:
    """Every valid record and one error per bad file; duplicate ids are errors too."""
    records: list[Opportunity] = []
    errors: list[RecordError] = []
    for _, item in scan_catalog(data_dir, max_bytes=max_bytes):
        if isinstance(item, RecordError):
            errors.append(item)
        else:
            records.append(item)
    return records, errors


def _without_empty(value: object) -> object:
    """Nested mappings without empty lists (an unset `met_by`, `requires` or `cases` is not written)."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def dump_record(op: Opportunity) -> str:
    """YAML text in a stable field order, readable by people."""
    data = op.model_dump(mode="json", exclude_none=True)
    for key in ("uses", "aliases"):
        if not data.get(key):
            data.pop(key, None)
    for key in ("rules", "cost_share"):
        if key in data:
            data[key] = _without_empty(data[key])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

