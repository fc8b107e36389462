"""Stream-parse an extract and print records/s and peak RSS (run in its own process).

python -m benchmarks.parse_extract EXTRACT.xml|zip
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.timing import peak_rss_mb
from ingest.sources import grants_gov


def main() -> None:
    path = Path(sys.argv[1])
    errors: list[str] = []
    t0 = time.perf_counter()
    n = sum(1 for _ in grants_gov.read(path, errors=errors))
    seconds = time.perf_counter() - t0
    rss_mb = peak_rss_mb()
    print(json.dumps({"records": n, "errors": len(errors), "seconds": seconds, "records_per_s": n / seconds,
                      "peak_rss_mb": rss_mb, "file_mb": path.stat().st_size / 1e6}))


if __name__ == "__main__":
    main()
