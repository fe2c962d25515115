"""Cell accuracy on every real report fixture the project has: figures found / expected, per file and overall.

The fixtures, each a report file with its figures read by hand (not by the parser):

- ``tests/fixtures/realworld/*.json``: real published reports (HTML pages, text renderings, markdown);
- ``../shared/seeds/*.txt`` with ``../shared/expected/*.json``: the five seed reports (text renderings);
- ``../shared/samples/*.pdf`` with their ``.json``: the two real 洪泽区 PDFs;
- ``tests/fixtures/legacy/*.json``: the Fujian-style local 统计表 forms (HTML and text);
- the portal mirror's served reports (``tools/mirror``: HTML pages, PDF, DOCX, any .doc attachment) and
  ``tests/fixtures/doc/*.doc`` (a sample report as Word 97 .doc), rendered from the sample reports' figures.

For every file: expected figures, figures right, wrong (a number other than the printed one) and
missing; overall cell accuracy (right / expected) for structured formats (HTML, PDF, DOCX, DOC) and for
text renderings, the two the issue sets floors for (99.5 % and 98 %).  ``tests/test_parsers_accuracy.py``
asserts the floors and that no figure is wrong, so the next regression shows.

    python -m bench.bench_accuracy          # per file and totals
    python -m bench.bench_accuracy -q       # totals only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.parsers import parse_path
from tools.mirror.samples import REPORTS_DIR, served_reports

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else ROOT.parents[1] / "shared"
FLOORS = {"structured": 0.995, "text": 0.98}
TEXT_FORMATS = {"text"}


@dataclass
class Score:
    name: str
    format: str
    expected: int
    right: int
    wrong: dict[str, tuple] = field(default_factory=dict)  # key -> (got, want)
    missing: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "text" if self.format in TEXT_FORMATS else "structured"


def fixtures() -> list[tuple[str, Path, dict]]:
    """(group, report file, expectation) for every real report fixture."""
    found = []
    for case in sorted((ROOT / "tests" / "fixtures" / "realworld").glob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        found.append(("realworld", case.parent / expected["file"], expected))
    for case in sorted((SHARED / "expected").glob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        found.append(("seed", SHARED / expected["file"], expected))
    for case in sorted((SHARED / "samples").glob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        found.append(("sample", SHARED / "samples" / expected["file"], expected))
    for case in sorted((ROOT / "tests" / "fixtures" / "legacy").glob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        found.extend(("legacy", case.parent / name, expected) for name in expected["files"])
    for path in sorted((ROOT / "tests" / "fixtures" / "doc").glob("*.doc")):  # rendered like the mirror's
        found.append(("doc", path, json.loads((REPORTS_DIR / f"{path.stem}.json").read_text(encoding="utf-8"))))
    for article, path in served_reports():
        expected = json.loads((REPORTS_DIR / f"{article['report']}.json").read_text(encoding="utf-8"))
        found.append(("mirror", path, expected))
    return found


def _same(got: object, want: object) -> bool:
    if isinstance(want, float) and isinstance(got, int | float):
        return abs(got - want) < 1e-6
    return got == want


def score(path: Path, expected: dict) -> Score:
    result = parse_path(path)
    figures = expected["figures"]
    right = sum(1 for k, v in figures.items() if k in result.figures and _same(result.figures[k], v))
    wrong = {k: (result.figures[k], v) for k, v in figures.items() if k in result.figures and not _same(result.figures[k], v)}
    missing = [k for k in figures if k not in result.figures]
    return Score(path.name, result.format, len(figures), right, wrong, missing)


def totals(scores: list[Score]) -> dict[str, tuple[int, int, int]]:
    """Per kind (structured, text): (right, expected, wrong)."""
    out: dict[str, tuple[int, int, int]] = {}
    for kind in FLOORS:
        mine = [s for s in scores if s.kind == kind]
        out[kind] = (sum(s.right for s in mine), sum(s.expected for s in mine), sum(len(s.wrong) for s in mine))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="totals only")
    args = parser.parse_args()
    started = time.perf_counter()
    scores = [score(path, expected) for _, path, expected in fixtures()]
    if not args.quiet:
        for s in scores:
            print(f"  {s.name:34} {s.format:5} {s.right:4}/{s.expected:<4} right  {len(s.wrong):3} wrong  "
                  f"{len(s.missing):3} missing")
            for key, (got, want) in list(s.wrong.items())[:5]:
                print(f"      wrong {key}: got {got!r}, printed {want!r}")
            if s.missing:
                print(f"      missing {', '.join(s.missing[:6])}{' …' if len(s.missing) > 6 else ''}")
    for fmt in sorted({s.format for s in scores}):
        mine = [s for s in scores if s.format == fmt]
        right, expected = sum(s.right for s in mine), sum(s.expected for s in mine)
        print(f"  {fmt:8} {len(mine):2} files {right:5}/{expected:<5} = {right / expected:7.3%}")
    failed = False
    for kind, (right, expected, wrong) in totals(scores).items():
        accuracy = right / expected if expected else 1.0
        ok = accuracy >= FLOORS[kind] and not wrong
        failed |= not ok
        print(f"{kind:10} {right:5}/{expected:<5} cells right = {accuracy:7.3%}  {wrong} wrong  "
              f"(floor {FLOORS[kind]:.1%}, no wrong figure: {'met' if ok else 'NOT MET'})")
    print(f"{len(scores)} files in {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
