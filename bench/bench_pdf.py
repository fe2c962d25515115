"""PDF extraction speed: our extractor against pdfplumber's own text extraction of the same file.

Reads a 5-page real report (../shared/samples/hongze-2023.pdf, WPS, CID fonts,
ruled tables over page breaks) repeatedly on one core and prints PDFs per
second for ``parsers.extract.pdf.extract`` (tables, cells, paragraphs) and
for pdfplumber alone (``page.extract_text()`` on every page), and the ratio.
Both parse the page content with pdfminer.six, which is most of the time.

    python -m bench.bench_pdf            # 20 rounds
    python -m bench.bench_pdf -n 5 FILE.pdf
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from parsers.extract.pdf import extract

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "hongze-2023.pdf"
TARGET_PER_SECOND = 5.0


def pdfplumber_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def per_second(work: Callable[[bytes], object], data: bytes, rounds: int) -> float:
    work(data)  # warm caches (CMaps, fonts) as a long-running crawl would have them
    start = time.perf_counter()
    for _ in range(rounds):
        work(data)
    return rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("-n", "--rounds", type=int, default=20)
    args = parser.parse_args()
    data = args.pdf.read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
    ours = per_second(extract, data, args.rounds)
    plain = per_second(pdfplumber_text, data, args.rounds)
    print(f"file: {args.pdf.name}, {len(data):,} bytes, {pages} pages, {args.rounds} rounds, one core")
    print(f"parsers.extract.pdf.extract: {ours:6.2f} PDFs/s  ({1000 / ours:6.1f} ms each)")
    print(f"pdfplumber extract_text:     {plain:6.2f} PDFs/s  ({1000 / plain:6.1f} ms each)")
    print(f"ratio (ours / pdfplumber text): {ours / plain:.2f}")
    verdict = "met" if ours >= TARGET_PER_SECOND else "not met"
    print(f"target {TARGET_PER_SECOND:g} PDFs/s per core: {verdict}")


if __name__ == "__main__":
    main()
