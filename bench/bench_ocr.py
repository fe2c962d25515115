"""OCR of scanned reports: seconds per page on one core, memory peak, cell accuracy and checks, per file.

Each case is a report made into an image-only PDF (``tools.scans``) at one
scan setting, parsed by ``parse_bytes`` in a fresh process (so the memory
peak, ``ru_maxrss``, is that case's alone: models, page images, grids).
The anchor is the same report's text-layer PDF parsed in the same process:
the ratio says how much dearer reading a scan is.  Cell accuracy is the
share of the figures as printed (ground truth: ``shared/samples/*.json``
for the real 洪泽区 reports, the sample set for mirror reports) read with
their printed value; checks are compared with what the report as printed
gives (a report whose own totals contradict each other fails them too).

Settings: ``clean`` = 200 dpi, straight, JPEG 95 (every check should pass);
``tilted`` = 150 dpi, turned 1°, grey noise σ=6, JPEG 75 (accuracy should be
≥ 99 %).  ``--engine tesseract`` reads the same pages with Debian's
tesseract-ocr + chi_sim instead of RapidOCR (the comparison in
docs/parsers.md; needs the ``tesseract`` command).

    python -m bench.bench_ocr                       # every file, both settings
    python -m bench.bench_ocr -f hongze-2024 -s tilted
    python -m bench.bench_ocr --engine tesseract -f sample-nxld-2021
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from nianbao.parsers import parse_bytes
from nianbao.parsers.ocr import LOW_CONFIDENCE
from tools.scans import ScanSettings, cell_accuracy, scan

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
FILES = ("hongze-2023", "hongze-2024", "sample-nxld-2021", "seed-001", "seed-002")
SETTINGS = {"clean": ScanSettings(dpi=200, jpeg_quality=95),
            "tilted": ScanSettings(dpi=150, degrees=1.0, noise=6.0, jpeg_quality=75, seed=7)}
TARGET_ACCURACY = 0.99


def source(name: str) -> tuple[bytes, dict[str, Any], list[str] | None]:
    """The text-layer PDF, the figures as printed, and the checks it fails as printed (None: as the text says)."""
    if name.startswith("hongze"):
        truth = json.loads((SAMPLES / f"{name}.json").read_text())
        return (SAMPLES / f"{name}.pdf").read_bytes(), truth["figures"], truth.get("expected_failed_checks", [])
    from tools.mirror.render import render_pdf
    from tools.mirror.samples import load_reports

    report = next(r for r in load_reports() if r.id == name)
    return render_pdf(report), report.figures, None


def tesseract_chars(image: Any, dpi: float) -> list[dict[str, Any]]:
    """Words with boxes from Debian's tesseract (chi_sim), in the form RapidOCR's reader gives."""
    import cv2

    png = cv2.imencode(".png", image)[1].tobytes()
    tsv = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--dpi", str(int(dpi)), "tsv"],
                         input=png, capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    scale = dpi / 72.0
    chars = []
    for line in tsv.stdout.decode().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) / scale for c in cols[6:10])
        chars.append({"text": cols[11].strip(), "x0": left, "x1": left + width, "top": top, "bottom": top + height,
                      "size": height, "confidence": max(0.0, float(cols[10])) / 100})
    return chars


def run_case(name: str, setting: str, engine: str) -> dict[str, Any]:
    """One file at one setting, in this process."""
    if engine == "tesseract":
        import nianbao.parsers.ocr.page as page

        page.read_chars = tesseract_chars
    text_pdf, printed, expected_failures = source(name)
    started = time.perf_counter()
    as_text = parse_bytes(text_pdf)
    text_seconds = time.perf_counter() - started
    scanned = scan(text_pdf, SETTINGS[setting])
    cpu, wall = _cpu_seconds(), time.perf_counter()
    result = parse_bytes(scanned)
    cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    pages = _pages(scanned)
    expected = as_text.failed_checks if expected_failures is None else expected_failures
    return {
        "file": name, "setting": setting, "engine": engine, "pages": pages,
        "cpu_per_page": cpu / pages, "wall_per_page": wall / pages, "ratio_to_text": wall / text_seconds,
        "peak_mb": max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        / 1024,
        "accuracy": cell_accuracy(printed, result.figures), "figures": len(result.figures),
        "low": sum(1 for k in result.figures if _confidence(result, k) < LOW_CONFIDENCE),
        "wrong_confident": sum(1 for k, v in printed.items()
                               if v is not None and result.figures.get(k) != v and _confidence(result, k) >= LOW_CONFIDENCE),
        "checks": len(result.checks), "passed": len(result.checks) - len(result.failed_checks),
        "checks_as_printed": sorted(result.failed_checks) == sorted(expected),
        "all_ocr": result.ocr and all(result.provenance.get(k, {}).get("source") == "ocr" for k in result.figures),
        "errors": result.errors,
    }


def _confidence(result: Any, key: str) -> float:
    """A figure's OCR confidence; 1 for one computed from other cells or read from text."""
    confidence = result.provenance.get(key, {}).get("confidence")
    return 1.0 if confidence is None else float(confidence)


def _cpu_seconds() -> float:
    """CPU time of this process and the commands it ran (tesseract runs as one)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _pages(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--file", action="append", choices=FILES, help="repeatable; default: all")
    parser.add_argument("-s", "--setting", action="append", choices=sorted(SETTINGS), help="default: both")
    parser.add_argument("--engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    parser.add_argument("--case", nargs=2, metavar=("FILE", "SETTING"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case, args.engine), ensure_ascii=False))
        return
    print(f"engine {args.engine}, one thread; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(CPU seconds are this process's own; wall seconds grow with the load)")
    print(f"{'file':18} {'setting':7} {'pages':>5} {'CPU s/pg':>8} {'wall s/pg':>9} {'x text':>7} {'peak MB':>8} "
          f"{'cells':>7} {'figs':>5} {'low':>4} {'bad≥':>4} {'checks':>8}  as printed  all ocr")
    failures = 0
    for name in args.file or FILES:
        for setting in args.setting or sorted(SETTINGS):
            run = subprocess.run([sys.executable, "-m", "bench.bench_ocr", "--case", name, setting,
                                  "--engine", args.engine], capture_output=True, text=True, check=True)
            r = json.loads(run.stdout.splitlines()[-1])
            ok = r["all_ocr"] and (r["accuracy"] >= TARGET_ACCURACY if setting == "tilted" else r["checks_as_printed"])
            failures += not ok
            print(f"{name:18} {setting:7} {r['pages']:5d} {r['cpu_per_page']:8.1f} {r['wall_per_page']:9.1f} "
                  f"{r['ratio_to_text']:7.0f} {r['peak_mb']:8.0f} {r['accuracy']:7.1%} {r['figures']:5d} "
                  f"{r['low']:4d} {r['wrong_confident']:4d} {r['passed']:3d}/{r['checks']:<4d}  {'yes' if r['checks_as_printed'] else 'NO':10}  "
                  f"{'yes' if r['all_ocr'] else 'NO':7}{'' if ok else '  <- below target'}")
            for error in r["errors"]:
                print(f"    error: {error}")
    print(f"cells: figures read as printed; low: figures under confidence {LOW_CONFIDENCE:g} (highlighted); "
          f"bad≥: misread figures NOT under it (only a failing check shows them)")
    print(f"targets: cell accuracy >= {TARGET_ACCURACY:.0%} on tilted 150 dpi scans; checks as printed on clean "
          f"200 dpi scans; every figure marked ocr: {'met' if not failures else f'{failures} case(s) not met'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
