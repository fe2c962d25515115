"""PDF extraction speed: our extractor, on each reader, against pdfplumber's own text extraction.

Reads a 5-page real report (../shared/samples/hongze-2023.pdf, WPS, CID fonts,
ruled tables over page breaks) repeatedly on one core and prints PDFs per
second for ``parsers.extract.pdf.extract`` (tables, cells, paragraphs) with
the PDFium reader (the default) and with the pdfplumber reader (its
fallback), and for pdfplumber alone (``page.extract_text()`` on every page),
with each reader's ratio to the last.  pdfplumber's time is almost all
pdfminer.six parsing the page content.

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

from parsers.extract.pdf import Backend, extract

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
    print(f"file: {args.pdf.name}, {len(data):,} bytes, {pages} pages, {args.rounds} rounds, one core")
    plain = per_second(pdfplumber_text, data, args.rounds)
    backends: tuple[Backend, ...] = ("pdfium", "pdfplumber")
    rates = {b: per_second(lambda d, b=b: extract(d, backend=b), data, args.rounds) for b in backends}
    for backend, rate in rates.items():
        print(f"extract, {backend + ' reader:':18} {rate:6.2f} PDFs/s  ({1000 / rate:6.1f} ms each)  "
              f"ratio to pdfplumber text {rate / plain:5.2f}")
    print(f"pdfplumber extract_text:    {plain:6.2f} PDFs/s  ({1000 / plain:6.1f} ms each)")
    verdict = "met" if rates["pdfium"] >= TARGET_PER_SECOND else "not met"
    print(f"target {TARGET_PER_SECOND:g} PDFs/s per core (default reader): {verdict}")


if __name__ == "__main__":
    main()
