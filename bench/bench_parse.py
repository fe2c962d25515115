"""Parse speed per format, end to end: the issue's numbers (reports per second per core).

Times ``parsers.parse_bytes`` (sniffing, extraction, the report mapper,
checks) in this one process, so every rate is per core:

- HTML and DOCX: every sample report of the portal mirror rendered as a
  Word-exported HTML page and as a DOCX (the mirror's own renderers);
- PDF: the 5-page real report ../shared/samples/hongze-2023.pdf (WPS, CID
  fonts, ruled tables over page breaks) and the mirror's rendered PDFs;
- pdfplumber alone (``page.extract_text()`` on every page) on the same 5-page
  PDF, and how many times its time a full parse takes.

Each rate follows one warm-up pass (CMaps, fonts, caches as a long-running
crawl has them).  ``--extract`` also times extraction alone, to tell the
extractor's share from the mapper's.  ``bench.bench_pdf`` compares the PDF readers.

    python -m bench.bench_parse            # 5 rounds
    python -m bench.bench_parse -n 3 --extract
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from nianbao.parsers import parse_bytes
from nianbao.parsers.extract import docx, html, pdf
from tools.mirror.render.docx import render_docx
from tools.mirror.render.html import render_html
from tools.mirror.render.pdf import render_pdf
from tools.mirror.samples import load_reports

SAMPLE_PDF = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "hongze-2023.pdf"
TARGET_PER_SECOND = {"html": 50.0, "docx": 20.0, "pdf": 5.0}
EXTRACTORS: dict[str, Callable[[bytes], object]] = {"html": html.extract, "docx": docx.extract,
                                                    "pdf": pdf.extract}


def pdfplumber_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def pdf_pages(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return len(document.pages)


def rate(work: Callable[[bytes], object], documents: list[bytes], rounds: int) -> float:
    """Documents per second over ``rounds`` passes, after one warm-up pass."""
    for data in documents:
        work(data)
    start = time.perf_counter()
    for _ in range(rounds):
        for data in documents:
            work(data)
    return rounds * len(documents) / (time.perf_counter() - start)


def mirror_corpus() -> dict[str, list[bytes]]:
    """The mirror's sample reports rendered in each format (reports it serves as files are skipped)."""
    reports = [r for r in load_reports() if not r.file]
    return {
        "html": [render_html(r).encode("utf-8") for r in reports],
        "docx": [render_docx(r) for r in reports],
        "pdf": [render_pdf(r) for r in reports],
    }


def _line(name: str, fmt: str, documents: list[bytes], per_second: float) -> str:
    size = sum(map(len, documents)) / len(documents) / 1024
    target = TARGET_PER_SECOND[fmt]
    return (f"{name:28} {len(documents):3} docs, mean {size:6.1f} KB: {per_second:7.1f} reports/s "
            f"({1000 / per_second:6.1f} ms each), {per_second / target:4.1f}x the {target:g}/s target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=5)
    parser.add_argument("--extract", action="store_true", help="also time extraction alone")
    parser.add_argument("--pdf", type=Path, default=SAMPLE_PDF, help="the real PDF to time (default: %(default)s)")
    args = parser.parse_args()
    print(f"parse_bytes end to end, one core, {args.rounds} rounds after a warm-up pass")
    corpus = mirror_corpus()
    corpus_names = {"html": "html (mirror, rendered)", "docx": "docx (mirror, rendered)",
                    "pdf": "pdf (mirror, rendered)"}
    for fmt, documents in corpus.items():
        print(_line(corpus_names[fmt], fmt, documents, rate(parse_bytes, documents, args.rounds)))
        if args.extract:
            print(_line(f"  {fmt} extract only", fmt, documents, rate(EXTRACTORS[fmt], documents, args.rounds)))

    real = [args.pdf.read_bytes()]
    name = f"pdf {args.pdf.name} ({pdf_pages(real[0])} p.)"
    full = rate(parse_bytes, real, args.rounds)
    print(_line(name, "pdf", real, full))
    if args.extract:
        print(_line("  pdf extract only", "pdf", real, rate(pdf.extract, real, args.rounds)))
    plain = rate(pdfplumber_text, real, args.rounds)
    print(f"{'pdfplumber extract_text':28} same file: {plain:7.2f} PDFs/s ({1000 / plain:6.1f} ms each); "
          f"a full parse takes {plain / full:4.2f}x pdfplumber's text time")


if __name__ == "__main__":
    main()
