"""The `finder` command line: a thin edge over finder/ and ingest/."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path

import click

from finder.catalog.applicants import parse_applicant
from finder.catalog.vocab import Applicant
from finder.errors import FinderError
from finder.settings import Settings, use_offline_env
from finder.text import printable

APPLICANTS = [a.value for a in Applicant]


class Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FinderError as exc:
            raise click.ClickException(printable(exc)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more: -v for progress and causes, -vv for debugging.")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """Find federal infrastructure funding a local government can apply for."""
    use_offline_env()
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)  # libraries that set their own logger level still stay quiet unless asked
    logging.basicConfig(level=level, handlers=[handler], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings()


def _settings(ctx: click.Context, data: Path | None = None) -> Settings:
    s: Settings = ctx.obj
    return s.model_copy(update={"data_dir": data}) if data else s


def _applicant(value: str | None) -> Applicant | None:
    return parse_applicant(value) if value else None


@main.command("fetch-notices")
@click.option("--via", "method", type=click.Choice(["api", "extract"]), default=None,
              help="search2 API (default, FINDER_FETCH_METHOD) or the daily XML extract.")
@click.option("--no-ingest", is_flag=True, help="Only fetch; leave the index for the next `finder ingest`.")
@click.option("--wait", type=float, default=0, show_default=True, help="Seconds to wait for another ingest.")
@click.pass_context
def fetch_notices_cmd(ctx: click.Context, method: str | None, no_ingest: bool, wait: float) -> None:
    """Fetch current notices from Grants.gov, then refresh the index.

    Keeps the notices joined to the catalog (by ALN, or the IIJ category) in FINDER_NOTICES_DIR.
    Example: finder fetch-notices --via extract
    Exit code 2 with a one-line cause when the fetch fails; the index keeps serving as it was.
    """
    from ingest.fetch import FetchError, catalog_alns, fetch_and_refresh, fetch_notices

    settings: Settings = ctx.obj
    try:
        if no_ingest:
            click.echo(fetch_notices(settings, catalog_alns(settings), method=method).line())
            return
        fetched, report = fetch_and_refresh(settings, method=method, wait=wait)
    except FetchError as exc:
        click.echo(f"fetch-notices: {printable(exc)}", err=True)
        ctx.exit(2)
    click.echo(fetched.line())
    click.echo(f"ingest: {report.line()}")


@main.command()
@click.option("--data", type=click.Path(path_type=Path), help="Catalog folder (default FINDER_DATA_DIR).")
@click.option("--notices", "notices", multiple=True, type=click.Path(path_type=Path),
              help="Grants.gov extract (.zip/.xml) or search2/fetchOpportunity .json; repeatable. "
                   "Default: every such file in FINDER_NOTICES_DIR.")
@click.option("--wait", type=float, default=0, show_default=True, help="Seconds to wait for another ingest.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def ingest(ctx: click.Context, data: Path | None, notices: tuple[Path, ...], wait: float, as_json: bool) -> None:
    """Build or update the index, embedding only changed records.

    Example: finder ingest --data data/opportunities --notices GrantsDBExtract20261128v2.zip
    Exit code 0: all records indexed; 2: some files or records were skipped (listed).
    """
    from ingest.refresh import refresh

    settings = _settings(ctx, data)
    bar = None
    said = {"stage": "", "done": -1}

    def progress(stage: str, done: int, total: int) -> None:
        """A tqdm bar for embedding on a terminal; otherwise (a log, CI) a line per stage and about every
        tenth of the embedding, so a first build that takes a minute or two is never silent. Both on stderr."""
        nonlocal bar
        if stage == "embedding" and sys.stderr.isatty():
            if bar is None:
                from tqdm import tqdm

                bar = tqdm(total=total, desc="embedding", unit="rec", file=sys.stderr)
            bar.n = done
            bar.refresh()
            return
        if stage != said["stage"]:
            said.update(stage=stage, done=-1)
            if stage == "embedding":
                click.echo(f"ingest: embedding {total} records (the first batch loads the model)", err=True)
            elif stage != "done":
                click.echo(f"ingest: {stage}", err=True)
        if stage == "embedding" and done and (done == total or done - said["done"] >= max(1, total // 10)):
            said["done"] = done
            click.echo(f"ingest: embedded {done}/{total}", err=True)

    report = refresh(settings, notice_paths=list(notices) or None, progress=progress, wait=wait)
    if bar is not None:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        click.echo(f"ingest: {report.line()}; generation {report.generation}")
        for note in report.notes:
            click.echo(f"  note: {printable(note)}", err=True)
        for reason in report.skipped[:50]:
            click.echo(f"  skipped: {printable(reason)}", err=True)
        if report.skipped:
            click.echo("  fix the files above, run `finder validate`, then `finder ingest` again", err=True)
    ctx.exit(0 if report.ok else 2)


@main.command()
@click.option("--data", type=click.Path(path_type=Path), help="Catalog folder (default FINDER_DATA_DIR).")
@click.option("--stale", is_flag=True, help="List the records whose status is due for a recheck.")
@click.option("--stale-days", type=int, help="Age limit for a status in days (default FINDER_STATUS_MAX_AGE_DAYS).")
@click.pass_context
def validate(ctx: click.Context, data: Path | None, stale: bool, stale_days: int | None) -> None:
    """Check every catalog file and the state-office table; warn about statuses due for a recheck.

    Example: finder validate --stale --stale-days 90
    """
    from finder.catalog.freshness import due_for_recheck
    from finder.catalog.model import load_catalog

    settings = _settings(ctx, data)
    from finder.catalog.offices import load_offices

    records, errors = load_catalog(Path(settings.data_dir), max_bytes=settings.max_record_kb * 1024)
    table, office_errors = load_offices(Path(settings.offices_dir), {op.id for op in records})
    for e in errors + office_errors:
        click.echo(f"error: {printable(e)}", err=True)
    limit = stale_days or settings.status_max_age_days
    due = due_for_recheck(records, settings.today or dt.date.today(), limit)
    if stale:
        for d in due:
            click.echo(d.line())
    elif due:
        click.echo(f"warning: {len(due)} records have a status older than {limit} days or none; "
                   f"run `finder validate --stale` to list them", err=True)
    click.echo(f"validate: {len(records)} valid, {len(errors)} invalid in {settings.data_dir}; "
               f"{len(table.files)} state-office files valid, {len(office_errors)} invalid in {settings.offices_dir}; "
               f"{len(due)} due for a status recheck")
    ctx.exit(1 if errors or office_errors else 0)


def _finder(settings: Settings):
    from finder.engine import Finder

    return Finder(settings)


@main.command()
@click.argument("question")
@click.option("--applicant", type=click.Choice(APPLICANTS), help="Who is asking.")
@click.option("-k", default=10, show_default=True, help="How many programs.")
@click.option("--retriever", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True,
              help="Retrieval mode.")
@click.option("--json", "as_json", is_flag=True, help="Print {\"hits\": [...]} as JSON.")
@click.pass_context
def search(ctx: click.Context, question: str, applicant: str | None, k: int, retriever: str, as_json: bool) -> None:
    """Ranked programs for a question.

    Example: finder search "EV chargers" --applicant city --json
    """
    from finder.answering.retrieval import Retriever

    hits = _finder(ctx.obj).search(question, _applicant(applicant), k=k, mode=Retriever(retriever))
    if as_json:
        click.echo(json.dumps({"hits": [h.as_json() for h in hits]}, indent=1))
        return
    for i, h in enumerate(hits, 1):
        verdict = f" [{h.verdict.kind}]" if h.verdict else ""
        click.echo(printable(f"{i:2}. {h.aln:7} {h.title}{verdict}  {h.score:.4f}") + f"\n    {h.url}")


@main.command()
@click.argument("question")
@click.option("--applicant", type=click.Choice(APPLICANTS), help="Who is asking (the profile).")
@click.option("--json", "as_json", is_flag=True, help="Print {\"answer\", \"hits\", \"refused\"} as JSON.")
@click.pass_context
def ask(ctx: click.Context, question: str, applicant: str | None, as_json: bool) -> None:
    """The chat answer to one question.

    Example: finder ask "Can a city apply for SS4A?" --applicant city
    """
    from finder.answering.conversation import Profile
    from finder.answering.markdown import render_full

    answer = _finder(ctx.obj).ask(question, Profile(applicant=_applicant(applicant)))
    click.echo(json.dumps(answer.as_json(), indent=1) if as_json else printable(render_full(answer)))


@main.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, path_type=Path))
@click.option("--retriever", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True,
              help="Retrieval mode.")
@click.option("--details", type=click.Path(path_type=Path), help="Write one JSON line per question here.")
@click.option("--llm", is_flag=True, help="Let the configured LLM write leads; counts accepted and rejected ones.")
@click.pass_context
def eval_cmd(ctx: click.Context, questions: Path, retriever: str, details: Path | None, llm: bool) -> None:
    """Score the finder on a question file (recall@5, MRR@10, verdicts, refusals, latency).

    Example: finder eval ../shared/eval/dev_questions.yaml --details out.jsonl
    """
    from finder.answering.retrieval import Retriever
    from finder.evaluation import evaluate, load_questions

    result = evaluate(_finder(ctx.obj), load_questions(questions), Retriever(retriever), use_llm=llm)
    if details:
        details.write_text("".join(json.dumps(r) + "\n" for r in result.rows))
    click.echo(result.summary())


@main.command()
@click.option("--host", help="Bind address (default FINDER_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default FINDER_PORT, 7860).")
@click.option("--refresh-every", default=None,
              help="Fetch Grants.gov notices and refresh the index this often, e.g. 24h (FINDER_REFRESH_EVERY_HOURS).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, refresh_every: str | None) -> None:
    """Serve the chat in a browser.

    Example: finder serve --port 7860 --refresh-every 24h
    """
    from ui.app import serve as run
    from ui.schedule import parse_every

    settings: Settings = ctx.obj
    update: dict[str, object] = {k: v for k, v in (("host", host), ("port", port)) if v}
    if refresh_every:
        try:
            update["refresh_every_hours"] = parse_every(refresh_every)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--refresh-every") from None
    run(settings.model_copy(update=update))


@main.command(name="import-listings")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), help="Catalog folder (default FINDER_DATA_DIR).")
@click.option("--scope", type=click.Path(exists=True, path_type=Path),
              help="TSV whose first column lists the ALNs to import (e.g. catalog_scope.tsv).")
@click.option("--create", is_flag=True,
              help="Also create draft records for listings the catalog lacks (within --scope if given).")
@click.pass_context
def import_listings_cmd(ctx: click.Context, file: Path, data: Path | None, scope: Path | None,
                        create: bool) -> None:
    """Refresh the fact fields of catalog records from the FPI JSON or SAM.gov's CSV.

    Hand-written fields (summary, notes, keywords, sectors) are never overwritten. By default only
    existing records are updated; --create adds draft records (marked needs_review) for new ALNs.
    Example: finder import-listings ../shared/data/fpi/fpi_assistance_listings_2025-02-26.json
    """
    import csv

    from ingest.listings import import_listings

    settings = _settings(ctx, data)
    wanted = None
    if scope:
        with open(scope, encoding="utf-8") as fh:
            wanted = {row[0].strip() for row in csv.reader(fh, delimiter="\t") if row and row[0][:1].isdigit()}
    report = import_listings(file, Path(settings.data_dir), scope=wanted, create=create)
    click.echo(f"import-listings: {report.line()}")
