"""PDF extraction speed per reader: our extractor on PDFium and on pdfplumber, against pdfplumber's text.

Reads a 5-page real report (../shared/samples/hongze-2023.pdf, WPS, CID fonts,
ruled tables over page breaks) repeatedly on one core and prints PDFs per
second for ``parsers.extract.pdf.extract`` (tables, cells, paragraphs) with
the PDFium reader (the default) and with the pdfplumber reader (its
fallback), and for pdfplumber alone (``page.extract_text()`` on every page),
with each reader's ratio to the last.  pdfplumber's time is almost all
pdfminer.six parsing the page content.  The end-to-end figures for every
format are ``bench.bench_parse``; this one shows the readers side by side.

    python -m bench.bench_pdf            # 20 rounds
    python -m bench.bench_pdf -n 5 FILE.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.bench_parse import SAMPLE_PDF, TARGET_PER_SECOND, pdf_pages, pdfplumber_text, rate
from nianbao.parsers.extract.pdf import Backend, extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=SAMPLE_PDF)
    parser.add_argument("-n", "--rounds", type=int, default=20)
    args = parser.parse_args()
    data = [args.pdf.read_bytes()]
    print(f"file: {args.pdf.name}, {len(data[0]):,} bytes, {pdf_pages(data[0])} pages, {args.rounds} rounds, "
          "one core")
    plain = rate(pdfplumber_text, data, args.rounds)
    backends: tuple[Backend, ...] = ("pdfium", "pdfplumber")
    rates = {b: rate(lambda d, b=b: extract(d, backend=b), data, args.rounds) for b in backends}
    for backend, per_second in rates.items():
        print(f"extract, {backend + ' reader:':18} {per_second:6.2f} PDFs/s  ({1000 / per_second:6.1f} ms each)  "
              f"ratio to pdfplumber text {per_second / plain:5.2f}")
    print(f"pdfplumber extract_text:    {plain:6.2f} PDFs/s  ({1000 / plain:6.1f} ms each)")
    target = TARGET_PER_SECOND["pdf"]
    verdict = "met" if rates["pdfium"] >= target else "not met"
    print(f"target {target:g} PDFs/s per core (default reader, extraction only): {verdict}")


if __name__ == "__main__":
    main()
