"""Deadlines anyone can subscribe to, no account needed: the open notices' close dates as an iCalendar file
(`/calendar.ics`, and a shortlist's `.ics` export) and the notices added at the last refresh as an Atom feed
(`/feed.atom`).

The formats are written by `icalendar` and `feedgenerator`; the words come from `finder/answering/facts.py`
(the one place that decides how a status, verdict, office or deadline reads), as plain inert text.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import feedgenerator
from icalendar import Calendar, Event

from finder.answering.facts import (
    inactive,
    notice_phrase,
    office_phrase,
    ordered_notices,
    short_name,
    verdict_phrase,
)
from finder.answering.types import Hit, NoticeView
from finder.catalog.eligibility import Asker
from finder.catalog.vocab import NoticeStatus, VerdictKind
from finder.engine import Finder
from finder.errors import FinderError
from finder.index.generation import NOTICES
from finder.index.snapshot import Snapshot
from finder.text import inert

log = logging.getLogger(__name__)
PRODID = "-//Infrastructure Funding Finder//Deadlines//EN"
UID_DOMAIN = "infrastructure-funding-finder"


@dataclass(frozen=True)
class Deadline:
    """One open notice's close date, for one program and the asker it was judged for."""

    hit: Hit
    notice: NoticeView

    @property
    def date(self) -> dt.date:
        assert self.notice.close_date is not None
        return self.notice.close_date


def deadlines(finder: Finder, asker: Asker | None, *, within_days: int | None = None,
              program_ids: list[str] | None = None, reachable_only: bool = True) -> list[Deadline]:
    """Open notices with a close date, soonest first. Left out: programs that ended, were terminated or paused
    (unless an open notice says otherwise, as everywhere in the finder), and, with `reachable_only`, programs
    the asker cannot reach at all (verdict `not_eligible`). Read from one leased snapshot, as the chat does."""
    today = finder.today()
    last = today + dt.timedelta(days=within_days) if within_days is not None else dt.date.max
    with finder.index.reading() as snap:
        wanted = program_ids if program_ids is not None else list(snap.programs)
        ids = [pid for pid in wanted if pid in snap.programs and snap.notices_for(snap.programs[pid].aln)]
        hits = finder.hits(ids, asker)
    out = []
    for hit in hits:
        if inactive(hit):
            continue
        if reachable_only and hit.verdict is not None and hit.verdict.kind is VerdictKind.NOT_ELIGIBLE:
            continue
        out.extend(Deadline(hit, n) for n in ordered_notices(hit)
                   if n.status is NoticeStatus.POSTED and n.close_date and n.close_date <= last)
    return sorted(out, key=lambda d: (d.date, d.hit.id, d.notice.id))


def deadline_lines(d: Deadline) -> list[str]:
    """What an event says about one deadline, plain text: the notice, the verdict and why, the office."""
    lines = [f"Notice: {inert(d.notice.title)}", notice_phrase(d.notice)]
    if d.hit.verdict is not None:
        lines.append(f"Can you apply? {verdict_phrase(d.hit)}: {inert(d.hit.verdict.reason)}")
    if (office := office_phrase(d.hit, link=False)) is not None:
        lines.append(f"Your state's office: {office}")
    lines += [f"Program: {inert(d.hit.program.title)}, ALN {d.hit.aln}", f"Grants.gov page: {d.notice.url}",
              f"Program page: {d.hit.url}", "Confirm the deadline on Grants.gov before you rely on it."]
    return lines


def calendar_ics(items: list[Deadline], name: str) -> bytes:
    """An iCalendar file: one all-day event per deadline, named for the program and the verdict."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for d in items:
        ev = Event()
        ev.add("uid", f"{d.notice.id}-{d.hit.id}@{UID_DOMAIN}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", d.date)
        ev.add("dtend", d.date + dt.timedelta(days=1))
        verdict = f" ({verdict_phrase(d.hit)})" if d.hit.verdict is not None else ""
        ev.add("summary", f"Deadline: {inert(short_name(d.hit.program))}{verdict}")
        ev.add("description", "\n".join(deadline_lines(d)))
        if d.notice.url.startswith("https://"):
            ev.add("url", d.notice.url)
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()


def shortlist_ics(finder: Finder, saved: list[str], asker: Asker | None, folder: Path) -> Path:
    """The shortlist's open deadlines as an .ics file in the app's temp folder, for the UI to offer for
    download. Every saved program's open notices are in it, whatever the verdict: the user chose them."""
    body = calendar_ics(deadlines(finder, asker, program_ids=saved, reachable_only=False),
                        "Funding shortlist deadlines")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="shortlist-deadlines-", suffix=".ics", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    return Path(name)


class NewNotices:
    """Which notices the last refresh that changed the index added: the current generation's notices that its
    previous generation (kept by every refresh) lacked. Worked out once per pointer, then remembered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, str | None] | None = None
        self._ids: frozenset[str] = frozenset()

    def ids(self, finder: Finder, snap: Snapshot) -> frozenset[str]:
        key = (str(snap.pointer.get("generation")), snap.pointer.get("previous"))
        with self._lock:
            if key != self._key:
                self._ids, self._key = self._added(finder, snap, key[1]), key
            return self._ids

    @staticmethod
    def _added(finder: Finder, snap: Snapshot, previous: str | None) -> frozenset[str]:
        current = {n.id for ns in snap.notices.values() for n in ns}
        if previous is None:  # the first build added everything it holds
            return frozenset(current)
        try:
            old = finder.index.store.open(previous)
            try:
                before = set(old.hashes(NOTICES))
            finally:
                old.close()
        except (FinderError, OSError) as exc:
            log.warning("feed: cannot read the previous index generation %s (%s); listing no new notices",
                        previous, exc)
            return frozenset()
        return frozenset(current - before)


def feed_atom(finder: Finder, new: NewNotices, base_url: str) -> bytes:
    """An Atom feed of the notices added at the last refresh, newest posting first, with the programs each
    funds. Summaries are plain text, HTML-escaped (Atom summaries are read as HTML)."""
    today = finder.today()
    with finder.index.reading() as snap:
        added = new.ids(finder, snap)
        notices = {n.id: n for ns in snap.notices.values() for n in ns if n.id in added}
        names: dict[str, list[str]] = {}
        for op in snap.programs.values():
            names.setdefault(op.aln, []).append(inert(short_name(op)))
        refreshed = _when(snap.refreshed_at)
    feed = feedgenerator.Atom1Feed(
        title="Infrastructure Funding Finder: new Grants.gov notices", link=base_url,
        description="Notices of funding added to the finder's index at its last refresh from Grants.gov.",
        language="en", feed_url=base_url + "feed.atom", feed_guid=base_url + "feed.atom")
    for n in sorted(notices.values(), key=lambda n: (n.post_date or dt.date.min, n.id), reverse=True):
        programs = sorted({name for aln in n.alns for name in names.get(aln, [])})
        text = [notice_phrase(NoticeView.of(n, today)) + "."]
        if programs:
            text.append("Programs: " + "; ".join(programs) + ".")
        text.append(f"ALN {', '.join(n.alns)}; agency: {inert(n.agency)}." if n.alns else f"Agency: {inert(n.agency)}.")
        posted = dt.datetime.combine(n.post_date, dt.time(), dt.UTC) if n.post_date else None
        feed.add_item(title=inert(n.title), link=n.url, description=html.escape(" ".join(text)),
                      unique_id=f"urn:grants-gov:opportunity:{n.id}", pubdate=posted, updateddate=refreshed)
    return feed.writeString("utf-8").encode("utf-8")


def _when(stamp: str | None) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        when = None
    return (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
