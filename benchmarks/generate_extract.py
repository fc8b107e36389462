"""Write a synthetic Grants.gov XML extract (real schema) of N notices for benchmarks.

python -m benchmarks.generate_extract OUT.xml [--count 50000] [--today 2026-11-28] [--zip]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://apply.grants.gov/system/OpportunityDetail-V1.0"
CODES = ["00", "01", "02", "04", "05", "06", "07", "08", "11", "12", "13", "20", "21", "22", "23", "25", "99"]
CATEGORIES = ["T", "ENV", "EN", "NR", "DPR", "CD", "IIJ", "HL", "ED"]
WORDS = (
    "water wastewater bridge transit broadband resilience flood energy grid road safety port rail airport "
    "brownfield housing community planning emergency wildfire culvert stormwater charging"
).split()


def _date(d: dt.date) -> str:
    return d.strftime("%m%d%Y")


def notice_xml(i: int, rng: random.Random, alns: list[str], today: dt.date) -> str:
    forecast = rng.random() < 0.1
    post = today + dt.timedelta(days=rng.randint(-400, 60))
    close = post + dt.timedelta(days=rng.randint(20, 180))
    tag = "OpportunityForecastDetail_1_0" if forecast else "OpportunitySynopsisDetail_1_0"
    words = " ".join(rng.choice(WORDS) for _ in range(6))
    parts = [f"<OpportunityID>{900000 + i}</OpportunityID>",
             f"<OpportunityTitle>{escape(words.title())} Program Notice {i}</OpportunityTitle>",
             f"<OpportunityNumber>SYN-{i:06d}</OpportunityNumber>",
             "<FundingInstrumentType>G</FundingInstrumentType>"]
    parts += [f"<CategoryOfFundingActivity>{c}</CategoryOfFundingActivity>" for c in rng.sample(CATEGORIES, 2)]
    parts += [f"<CFDANumbers>{a}</CFDANumbers>" for a in rng.sample(alns, rng.randint(1, 2))]
    parts += [f"<EligibleApplicants>{c}</EligibleApplicants>" for c in rng.sample(CODES, 3)]
    parts += ["<AgencyName>Synthetic Agency</AgencyName>", f"<PostDate>{_date(post)}</PostDate>"]
    if forecast:
        parts.append(f"<EstimatedSynopsisCloseDate>{_date(close)}</EstimatedSynopsisCloseDate>")
    else:
        parts.append(f"<CloseDate>{_date(close)}</CloseDate>")
        parts.append(f"<ArchiveDate>{_date(close + dt.timedelta(days=30))}</ArchiveDate>")
    parts += [f"<AwardCeiling>{rng.choice(['none', rng.randint(1, 500) * 100000])}</AwardCeiling>",
              f"<AwardFloor>{rng.choice(['none', rng.randint(1, 50) * 10000])}</AwardFloor>",
              f"<EstimatedTotalProgramFunding>{rng.randint(1, 900) * 1000000}</EstimatedTotalProgramFunding>",
              f"<Description>&lt;p&gt;{escape(words)} projects for local governments.&lt;/p&gt;</Description>",
              f"<CostSharingOrMatchingRequirement>{rng.choice(['Yes', 'No'])}</CostSharingOrMatchingRequirement>"]
    return f"<{tag}>{''.join(parts)}</{tag}>\n"


def write_extract(out: Path, count: int, alns: list[str], today: dt.date, seed: int = 7) -> Path:
    rng = random.Random(seed)
    xml_path = out.with_suffix(".xml")
    with open(xml_path, "w", encoding="utf-8") as fh:
        fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="{NS}">\n')
        for i in range(count):
            fh.write(notice_xml(i, rng, alns, today))
        fh.write("</Grants>\n")
    if out.suffix == ".zip":
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.write(xml_path, xml_path.name)
        xml_path.unlink()
        return out
    return xml_path


def catalog_alns() -> list[str]:
    from finder.catalog.model import load_catalog

    return sorted({op.aln for op in load_catalog(Path("data/opportunities"))[0]})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("--count", type=int, default=50_000)
    p.add_argument("--today", default="2026-11-28")
    a = p.parse_args()
    path = write_extract(a.out, a.count, catalog_alns(), dt.date.fromisoformat(a.today))
    print(f"wrote {a.count} notices to {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
