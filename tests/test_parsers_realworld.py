"""Real published reports (not our renderings) through parsers.parse_bytes, compared figure by figure.

Fixtures and their provenance: tests/fixtures/realworld/README.md.  Each ``<name>.json`` holds the figures
read by hand from the source table, not from the parser.  Optional fields: ``agency``/``year``/``template``/
``published`` (checked when not null), ``expected_failed_checks`` (exact set of failing check rules),
``expected_inferred_include`` (keys that must be marked inferred).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "realworld"
CASES = sorted(FIXTURES.glob("*.json"))
# Known gaps, each with its cause; remove an entry when the parser learns the shape.
KNOWN_GAPS: dict[str, str] = {}


def _case_param(case: Path):
    gap = KNOWN_GAPS.get(case.stem)
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(case, id=case.stem, marks=marks)


def _mismatches(expected: dict, got: dict) -> list[str]:
    lines = []
    for key, want in expected.items():
        if key not in got:
            lines.append(f"{key}: missing (want {want!r})")
        elif got[key] != want and not (isinstance(want, float) and got[key] is not None
                                       and abs(got[key] - want) < 1e-6):
            lines.append(f"{key}: got {got[key]!r}, want {want!r}")
    return lines


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_real_report(case: Path) -> None:
    expected = json.loads(case.read_text(encoding="utf-8"))
    result = parse_bytes((FIXTURES / expected["file"]).read_bytes(), path=expected["file"])
    problems = [f"errors: {result.errors}"] if result.errors else []
    for field in ("agency", "year", "template", "published"):
        want = expected.get(field)
        if want is not None and getattr(result, field) != want:
            problems.append(f"{field}: got {getattr(result, field)!r}, want {want!r}")
    wrong = _mismatches(expected["figures"], result.figures)
    if wrong:
        problems.append(f"{len(wrong)}/{len(expected['figures'])} figures wrong:")
        problems.extend("  " + line for line in wrong)
    failed = sorted(c["rule"] for c in result.checks if not c["ok"])
    if "expected_failed_checks" in expected and failed != sorted(expected["expected_failed_checks"]):
        problems.append(f"failing checks: got {failed}, want {sorted(expected['expected_failed_checks'])}")
    not_inferred = sorted(set(expected.get("expected_inferred_include", [])) - set(result.inferred))
    if not_inferred:
        problems.append(f"not marked inferred: {not_inferred}")
    assert not problems, f"{expected['file']}:\n" + "\n".join(problems)
