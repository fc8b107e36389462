"""Hostile and broken input files, made on demand (none is stored in the repo): zip bomb, billion laughs,
XXE, YAML alias bomb, oversized field, encrypted zip, truncated zip, a field of markup (quadratic for a
backtracking pattern), a million-item JSON, a record of millions of fields, deeply nested JSON and a
notice whose id carries Markdown. Used by the tests and `make bench`."""

from __future__ import annotations

import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">\n')
RECORD = ("<OpportunitySynopsisDetail_1_0><OpportunityID>{oid}</OpportunityID><OpportunityTitle>{title}"
          "</OpportunityTitle><CFDANumbers>66.468</CFDANumbers><PostDate>11012026</PostDate>"
          "<CloseDate>01102027</CloseDate><Description>{desc}</Description></OpportunitySynopsisDetail_1_0>\n")


def zip_bomb(folder: Path, unpacked_mb: int = 1024) -> Path:
    """A small zip whose one XML member unpacks to `unpacked_mb` of one repeated field (~1000:1)."""
    path = folder / "GrantsDBExtractBomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("GrantsDBExtractBomb.xml", "w",
                                                                         force_zip64=True) as fh:
        fh.write((HEAD + "<OpportunitySynopsisDetail_1_0><Description>").encode())
        block = b"A" * (1 << 20)
        for _ in range(unpacked_mb):
            fh.write(block)
        fh.write(b"</Description></OpportunitySynopsisDetail_1_0></Grants>")
    return path


def billion_laughs(folder: Path) -> Path:
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                     for i in range(1, 10)]
    path = folder / "laughs.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE Grants [' + "".join(lol) + ']>\n'
                    + HEAD.split("\n", 1)[1] + RECORD.format(oid=1, title="&lol9;", desc="x") + "</Grants>\n")
    return path


def xxe(folder: Path) -> Path:
    path = folder / "xxe.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE Grants [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                    + HEAD.split("\n", 1)[1] + RECORD.format(oid=2, title="&x;", desc="x") + "</Grants>\n")
    return path


def oversized_field(folder: Path, mb: int = 64) -> Path:
    """A plain XML extract with one Description far over the field cap."""
    path = folder / "bigfield.xml"
    with open(path, "w") as fh:
        fh.write(HEAD + RECORD.format(oid=3, title="Big", desc="B" * (mb << 20)) + "</Grants>\n")
    return path


def encrypted_zip(folder: Path) -> Path:
    """A zip whose member claims to be encrypted (general-purpose flag bit 0), as a password-protected one does."""
    path = folder / "encrypted.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GrantsDBExtract.xml", HEAD + RECORD.format(oid=4, title="Secret", desc="x") + "</Grants>\n")
    data = bytearray(path.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        flags = struct.unpack_from("<H", data, i + flag_at)[0] | 0x1
        struct.pack_into("<H", data, i + flag_at, flags)
    path.write_bytes(bytes(data))
    return path


def truncated_zip(folder: Path) -> Path:
    path = folder / "truncated.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GrantsDBExtract.xml", HEAD + "".join(RECORD.format(oid=10 + i, title=f"T{i}", desc="d" * 500)
                                                          for i in range(200)) + "</Grants>\n")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def yaml_alias_bomb(folder: Path) -> Path:
    """A catalog 'record' whose id is a billion-laughs tower of YAML aliases."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    lines.append("id: *a9")
    path = folder / "99.999.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def markup_flood(folder: Path, n: int = 60_000, aln: str = "66.468") -> Path:
    """A notice for `aln` whose title, close note and description are `n` unclosed `<`."""
    path = folder / "markup-flood.xml"
    flood = "&lt;" * n
    record = (f"<OpportunitySynopsisDetail_1_0><OpportunityID>880001</OpportunityID><OpportunityTitle>{flood}"
              f"</OpportunityTitle><CFDANumbers>{aln}</CFDANumbers><PostDate>11012026</PostDate>"
              f"<CloseDate>01102027</CloseDate><CloseDateExplanation>{flood}</CloseDateExplanation>"
              f"<Description>{flood}</Description></OpportunitySynopsisDetail_1_0>\n")
    path.write_text(HEAD + record + "</Grants>\n")
    return path


def million_items(folder: Path, n: int = 1_000_000) -> Path:
    """A search2-shaped answer whose hit list is `n` zeros: small per item, each one a skipped record."""
    path = folder / "million-items.json"
    with open(path, "w") as fh:
        fh.write('{"data":{"oppHits":[' + ",".join(["0"] * n) + "]}}")
    return path


def many_fields(folder: Path, n: int = 3_000_000) -> Path:
    """A zipped extract whose one record has `n` fields (varied, so the zip ratio stays under its cap)."""
    path = folder / "many-fields.zip"
    rnd = random.Random(7)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("GrantsDBExtractFields.xml", "w",
                                                                         force_zip64=True) as fh:
        fh.write((HEAD + "<OpportunitySynopsisDetail_1_0><OpportunityID>880002</OpportunityID>").encode())
        for start in range(0, n, 10_000):
            fh.write("".join(f"<CFDANumbers>{rnd.randrange(10**6):06d}</CFDANumbers>"
                             for _ in range(min(10_000, n - start))).encode())
        fh.write(b"</OpportunitySynopsisDetail_1_0></Grants>")
    return path


def deep_json(folder: Path, depth: int = 200_000) -> Path:
    """A JSON answer nested `depth` levels inside `data` (a recursive parser overflows its stack)."""
    path = folder / "deep.json"
    path.write_text('{"data":{"synopsis":' + "[" * depth + "]" * depth + "}}")
    return path


def injected_id(folder: Path, aln: str = "66.468") -> Path:
    """A notice whose OpportunityID carries a phishing link and a tracking image in Markdown."""
    path = folder / "injected-id.json"
    oid = "1)![t](https://evil.example/track.png) [Apply now](https://evil.example/phish"
    path.write_text('{"data":{"oppHits":[{"id":"' + oid + '","title":"Water","cfdaList":["' + aln + '"],'
                    '"openDate":"11/01/2026","closeDate":"01/10/2027","oppStatus":"posted"}]}}')
    return path


def deflate_ratio(data: bytes) -> float:
    return len(data) / max(1, len(zlib.compress(data)))


NOTICE_FILES: dict[str, Callable[[Path], Path]] = {
    "zip bomb": zip_bomb, "billion laughs": billion_laughs, "XXE": xxe, "oversized field": oversized_field,
    "encrypted zip": encrypted_zip, "truncated zip": truncated_zip, "million-item JSON": million_items,
    "record of 3 million fields": many_fields, "JSON nested 200,000 deep": deep_json,
}
# Read without error, but must cost little and show nothing of what they carry.
DATA_FILES: dict[str, Callable[[Path], Path]] = {"60,000 < in a notice": markup_flood, "injected id": injected_id}
