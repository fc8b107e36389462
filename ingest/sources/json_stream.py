"""Streaming reader of Grants.gov JSON (search2, fetchOpportunity, the fetch bundle), bounded in memory.

The document is read event by event (ijson over yajl): the items of `data.oppHits` or `data.fetched`
are built one at a time and handed on, so a file of a million items costs the memory of one. Nesting
deeper than a cap, or more items than a cap, stops the read with a RecordError naming the cap; so does
JSON that does not parse. Nothing here recurses, so no document can exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson

from finder.errors import RecordError
from ingest.sources.limits import Limits

LIST_KEYS = ("fetched", "oppHits")  # the fetch bundle's fetchOpportunity objects; search2's hits
OPEN, CLOSE = ("start_map", "start_array"), ("end_map", "end_array")


@dataclass
class JsonDoc:
    """What a read found besides the items: top-level errorcode and msg, whether `data` was an object,
    which list the items came from, and the other members of `data` (a fetchOpportunity object)."""

    header: dict[str, Any] = field(default_factory=dict)
    has_data: bool = False
    kind: str | None = None
    rest: dict[str, Any] = field(default_factory=dict)


class _Walk:
    """The parse state: depth, the keys at depths 1 and 2, and the value being built, if any."""

    def __init__(self, name: str, limits: Limits, doc: JsonDoc) -> None:
        self.name, self.limits, self.doc = name, limits, doc
        self.depth = 0
        self.key1: str | None = None
        self.key2: str | None = None
        self.in_data = self.in_list = False
        self.builder: Any = None
        self.start = 0  # depth at which the value being built began
        self.target = ""  # "item" or "rest"
        self.items = 0

    def shape(self, problem: str, where: str | None = None) -> RecordError:
        return RecordError(self.name, problem, field=where,
                           hint="expected a search2 or fetchOpportunity response")

    def feed(self, event: str, value: Any) -> Iterator[Any]:
        if event in OPEN:
            self.depth += 1
            if self.depth > self.limits.depth:
                raise RecordError(self.name, f"JSON nested deeper than {self.limits.depth} levels",
                                  hint="skipped; a Grants.gov answer nests about 5 deep")
        if self.builder is not None:
            self.builder.event(event, value)
            if event in CLOSE:
                self.depth -= 1
                if self.depth == self.start:
                    done, self.builder = self.builder.value, None
                    yield from self.place(done)
            return
        if event in CLOSE:
            self.depth -= 1
            self.in_list = self.in_list and self.depth > 2
            self.in_data = self.in_data and self.depth > 1
            return
        if event == "map_key":
            if self.depth == 1:
                self.key1 = value
            elif self.depth == 2 and self.in_data:
                self.key2 = value
            return
        yield from self.value(event, value, self.depth - 1 if event in OPEN else self.depth)

    def value(self, event: str, value: Any, at: int) -> Iterator[Any]:
        if at == 0:
            if event != "start_map":
                raise self.shape("expected an object with a 'data' object")
            return
        if at == 1:
            if self.key1 == "data":
                if event != "start_map":
                    raise self.shape("'data' must be an object", "data")
                self.in_data = self.doc.has_data = True
            elif self.key1 in ("errorcode", "msg") and event not in OPEN:
                self.doc.header[self.key1] = str(value)[:300] if isinstance(value, str) else value
            return
        if at == 2 and self.in_data:
            if self.key2 in LIST_KEYS:
                if event != "start_array":
                    raise self.shape(f"'{self.key2}' must be a list", f"data.{self.key2}")
                self.in_list, self.doc.kind = True, self.key2
                return
            self.target = "rest"
        elif at == 3 and self.in_list:
            self.target = "item"
        else:
            return
        if event in OPEN:
            self.builder, self.start = ijson.ObjectBuilder(), at
            self.builder.event(event, value)
        else:
            yield from self.place(value)

    def place(self, value: Any) -> Iterator[Any]:
        if self.target == "rest":
            self.doc.rest[str(self.key2)] = value
            return
        self.items += 1
        if self.items > self.limits.items:
            raise RecordError(self.name, f"more than {self.limits.items:,} items in '{self.doc.kind}', over the "
                                         "item cap (FINDER_MAX_ITEMS)", hint="file skipped")
        yield value


def stream_items(fh: IO[bytes], name: str, limits: Limits, doc: JsonDoc) -> Iterator[Any]:
    """Each item of `data.oppHits` or `data.fetched`, as it is read; `doc` holds the rest when done."""
    walk = _Walk(name, limits, doc)
    try:
        for event, value in ijson.basic_parse(fh, use_float=True, buf_size=1 << 16):
            yield from walk.feed(event, value)
    except ijson.JSONError as exc:
        raise RecordError(name, f"malformed JSON ({' '.join(str(exc).split())[:120]})",
                          hint="expected a search2 or fetchOpportunity response") from None
    if not doc.has_data:
        raise walk.shape("expected an object with a 'data' object")
