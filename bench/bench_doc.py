"""Word 97-2003 .doc: the built-in reader against LibreOffice conversion, on every .doc the project has.

The files: the portal mirror's .doc reports, the .doc of ``tests/fixtures/doc/``, and every sample report of
the mirror rendered as .doc (LibreOffice's Word 97 export of the DOCX
rendering, ``tools/mirror/render/doc.py``), plus any .doc/.wps given on the
command line.  For each file the two readers' Documents are compared: table
grids, merged cells (spans) and the running text must be the same, else the
bench says where and exits 1.  Then both are timed on the same files:

- built-in: ``parsers.extract.word97_document.read_word97`` (pure Python, olefile);
- LibreOffice: ``soffice --convert-to docx`` (headless, private profile) and
  the DOCX extractor, the path a .doc took before.

CPU time is this process's for the built-in reader and LibreOffice's child
processes' for the conversion; wall time is printed beside it, with the load
average, as the machine is shared.

    python -m bench.bench_doc                 # 20 rounds built-in, 1 round LibreOffice
    python -m bench.bench_doc -n 5 more.doc
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nianbao.crawler.mirror.server import SITE_DIR
from nianbao.parsers.extract.doc import convert_to_docx
from nianbao.parsers.extract.docx import read_docx
from nianbao.parsers.extract.word97_document import read_word97
from nianbao.parsers.model import Document
from tools.mirror.render.doc import render_doc
from tools.mirror.samples import load_reports

DOC_FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "doc"


def corpus(extra: list[Path]) -> dict[str, bytes]:
    files = {f"mirror {path.name}": path.read_bytes() for path in sorted(SITE_DIR.glob("1/**/*.doc"))}
    files |= {f"fixture {path.name}": path.read_bytes() for path in sorted(DOC_FIXTURES.glob("*.doc"))}
    files |= {f"rendered {r.id}.doc": render_doc(r) for r in load_reports() if not r.file}
    files |= {f"given {path.name}": path.read_bytes() for path in extra}
    return files


def libreoffice(data: bytes) -> Document:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed to compare against"
    return read_docx(convert_to_docx(soffice, data, "doc"), "doc")


def difference(pure: Document, converted: Document) -> str | None:
    """Where the two Documents differ, or None when grids, spans and text are the same."""
    if len(pure.tables) != len(converted.tables):
        return f"{len(pure.tables)} tables against {len(converted.tables)}"
    for i, (a, b) in enumerate(zip(pure.tables, converted.tables)):
        if a.rows != b.rows:
            row = next(r for r in range(max(len(a.rows), len(b.rows))) if a.rows[r:r + 1] != b.rows[r:r + 1])
            return f"table {i} row {row}: {a.rows[row:row + 1]} against {b.rows[row:row + 1]}"
        if a.spans != b.spans:
            return f"table {i}: merged cells {a.spans} against {b.spans}"
    texts = [[(x.kind, x.text) for x in d.blocks if x.kind != "table"] for d in (pure, converted)]
    if texts[0] != texts[1]:
        at = next(k for k, (x, y) in enumerate(zip(*texts)) if x != y) if any(
            x != y for x, y in zip(*texts)) else min(map(len, texts))
        return f"text block {at}: {texts[0][at:at + 1]} against {texts[1][at:at + 1]}"
    return None


def _cpu() -> float:
    """CPU seconds of this process and its finished child processes (soffice)."""
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def timed(work: Callable[[bytes], object], documents: list[bytes], rounds: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per document."""
    start_cpu, start_wall = _cpu(), time.perf_counter()
    for _ in range(rounds):
        for data in documents:
            work(data)
    count = rounds * len(documents)
    return (_cpu() - start_cpu) / count, (time.perf_counter() - start_wall) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="more .doc/.wps files")
    parser.add_argument("-n", "--rounds", type=int, default=20, help="rounds of the built-in reader")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    files = corpus(args.files)
    converted = {name: libreoffice(data) for name, data in files.items()}
    differing = 0
    for name, data in files.items():
        pure = read_word97(data)
        diff = difference(pure, converted[name])
        differing += diff is not None
        print(f"  {name:42} {len(pure.tables):2} tables, {sum(len(t.rows) for t in pure.tables):3} rows: "
              f"{'same grids, spans and text' if diff is None else 'DIFFERENT: ' + diff}")
    documents = list(files.values())
    read_word97(documents[0])  # warm-up: imports, caches
    pure_cpu, pure_wall = timed(read_word97, documents, args.rounds)
    office_cpu, office_wall = timed(libreoffice, documents, 1)
    print(f"{len(documents)} files, mean {sum(map(len, documents)) / len(documents) / 1024:.1f} KB")
    print(f"built-in reader ({args.rounds} rounds): {1 / pure_wall:8.1f} reports/s wall, {1 / pure_cpu:8.1f} per CPU "
          f"second ({pure_wall * 1000:6.1f} ms each)")
    print(f"LibreOffice + DOCX (1 round):      {1 / office_wall:8.2f} reports/s wall, {1 / office_cpu:8.2f} per CPU "
          f"second ({office_wall * 1000:6.1f} ms each)")
    print(f"built-in / LibreOffice: {office_wall / pure_wall:.0f}x faster (wall), {office_cpu / pure_cpu:.0f}x (CPU)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"grids: {len(files) - differing}/{len(files)} files the same" + ("" if not differing else " -- FAILED"))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
