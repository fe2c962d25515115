"""HTML and DOCX extraction speed: documents per second per format on this machine, one core.

Renders every sample report of the portal mirror as a Word-exported HTML
page and as a DOCX (the mirror's own renderers), then runs
``parsers.extract.html.extract`` / ``parsers.extract.docx.extract`` over
them repeatedly and prints documents per second, MB per second and the
ratio to the target (HTML ≥ 50/s).  ``--full`` also times ``parse_bytes``
(sniffing, extraction and the report mapper) on the same bytes.

    python -m bench.bench_parse            # 10 rounds
    python -m bench.bench_parse -n 3 --full
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from crawler.mirror.render.docx import render_docx
from crawler.mirror.render.html import render_html
from crawler.mirror.samples import load_reports
from parsers import parse_bytes
from parsers.extract import docx, html

TARGET_PER_SECOND = {"html": 50.0, "docx": 20.0}


def corpus() -> dict[str, list[bytes]]:
    reports = [r for r in load_reports() if not r.file]
    return {
        "html": [render_html(r).encode("utf-8") for r in reports],
        "docx": [render_docx(r) for r in reports],
    }


def rate(run: Callable[[bytes], object], documents: list[bytes], rounds: int) -> tuple[float, float]:
    """(documents per second, MB per second) over ``rounds`` passes."""
    start = time.perf_counter()
    for _ in range(rounds):
        for data in documents:
            run(data)
    elapsed = time.perf_counter() - start
    count = rounds * len(documents)
    megabytes = rounds * sum(map(len, documents)) / 1e6
    return count / elapsed, megabytes / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=10)
    parser.add_argument("--full", action="store_true", help="also time parse_bytes end to end")
    args = parser.parse_args()
    documents = corpus()
    extractors = {"html": html.extract, "docx": docx.extract}
    for fmt, files in documents.items():
        size = sum(map(len, files)) / len(files) / 1024
        per_second, mb_per_second = rate(extractors[fmt], files, args.rounds)
        target = TARGET_PER_SECOND[fmt]
        print(f"{fmt:5} extract     {len(files)} docs, mean {size:6.1f} KB: {per_second:7.1f} docs/s, "
              f"{mb_per_second:5.2f} MB/s, {per_second / target:5.1f}x the {target:g}/s target")
        if args.full:
            per_second, mb_per_second = rate(parse_bytes, files, args.rounds)
            print(f"{fmt:5} parse_bytes {len(files)} docs, mean {size:6.1f} KB: {per_second:7.1f} docs/s, "
                  f"{mb_per_second:5.2f} MB/s")


if __name__ == "__main__":
    main()
