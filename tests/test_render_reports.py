"""The sample report set: complete, as printed for the seeds, arithmetically sound for the made-up ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.mirror.make_reports import build
from tools.mirror.render.layout import APPEAL_GROUPS, COLUMNS, OUTCOMES, REQUEST_ROWS, printed_keys
from tools.mirror.samples import PORTALS, REPORTS_DIR, load_reports

SHARED = Path(__file__).parents[1].parent / "shared"
REPORTS = load_reports()
GENERATED = [r for r in REPORTS if r.sample]
OUTCOME_ROWS = {t: [p for _, _, _, p in rows if p.split(".")[1] not in ("new", "carried_over", "total",
                                                                       "carried_forward")]
                for t, rows in REQUEST_ROWS.items()}
LEGACY_SUMS = {
    "legacy.requests.received": ["legacy.requests.in_person", "legacy.requests.fax", "legacy.requests.online",
                                 "legacy.requests.mail"],
    "legacy.requests.closed": ["legacy.requests.closed_on_time", "legacy.requests.closed_extended"],
    "legacy.replies.total": [f"legacy.replies.{k}" for k in ("already_public", "granted", "partly_granted", "denied",
                                                            "not_this_agency", "not_exist", "asked_to_amend",
                                                            "other_channel")],
    "legacy.replies.denied": [f"legacy.replies.denied_{k}" for k in ("state_secret", "commercial_secret", "privacy",
                                                                    "security_stability", "not_gov_info",
                                                                    "other_law")],
    "legacy.reviews.total": [f"legacy.reviews.{k}" for k in ("upheld", "corrected", "other")],
    "legacy.suits.total": [f"legacy.suits.{k}" for k in ("upheld", "corrected", "other")],
    "legacy.org.staff": ["legacy.org.staff_full_time", "legacy.org.staff_part_time"],
}


def failed_checks(template: str, f: dict) -> list[str]:
    """The template relations that do not hold, named like the parsers' check rules."""
    failed = []
    if template == "legacy":
        return [total for total, parts in LEGACY_SUMS.items() if f[total] != sum(f[p] for p in parts)]
    outcome_rows = OUTCOME_ROWS[template]
    for prefix in {p for *_, p in REQUEST_ROWS[template]}:
        if sum(f[f"{prefix}.{c}"] for c in COLUMNS[:-1]) != f[f"{prefix}.total"]:
            failed.append(f"requests.row_sum:{prefix.split('.')[1]}")
    for col in COLUMNS:
        def v(row: str) -> int:
            return f[f"requests.{row}.{col}"]
        if v("new") + v("carried_over") != v("total") + v("carried_forward"):
            failed.append(f"requests.balance:{col}")
        if sum(f[f"{p}.{col}"] for p in outcome_rows) != v("total"):
            failed.append(f"requests.outcomes_sum:{col}")
        if template == "2021" and v("other") != v("other_no_correction") + v("other_unpaid_fee") + v("other_other"):
            failed.append(f"requests.other_sum:{col}")
    for group in APPEAL_GROUPS:
        values = [f[f"appeals.{group}.{o}"] for o in OUTCOMES]
        if None not in values and sum(values[:-1]) != values[-1]:
            failed.append(f"appeals.sum:{group}")
    return failed


def test_committed_set_is_what_make_reports_builds(tmp_path):
    if not SHARED.is_dir():
        pytest.skip("../shared not checked out beside the repository")
    build(SHARED, tmp_path)
    built = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.json")}
    committed = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in REPORTS_DIR.glob("*.json")}
    assert built == committed


def test_every_portal_and_template_is_covered():
    rendered = [r for r in REPORTS if not r.file]
    assert {r.portal for r in rendered} == set(PORTALS)
    assert {r.template for r in rendered} == {"2019", "2021", "legacy"}
    assert len(GENERATED) >= 6
    for portal in PORTALS:
        assert {r.template for r in rendered if r.portal == portal} & {"2021"}, portal


@pytest.mark.parametrize("report", GENERATED, ids=lambda r: r.id)
def test_generated_figures_pass_every_template_check(report):
    assert failed_checks(report.template, report.figures) == []
    assert set(printed_keys(report)) <= set(report.figures)


@pytest.mark.parametrize("report", GENERATED, ids=lambda r: r.id)
def test_generated_text_says_sample_and_states_the_table_totals(report):
    text = "".join(p for s in report.sections for p in s.paragraphs)
    assert "示例数据" in text and "sample data" in text
    key = "legacy.requests.received" if report.template == "legacy" else "requests.new.total"
    assert f"收到政府信息公开申请{report.figures[key]}件" in text


def test_cross_year_chains_hold():
    by_agency: dict[str, list] = {}
    for r in GENERATED:
        if r.template == "2021":
            by_agency.setdefault(r.agency, []).append(r)
    chained = 0
    for reports in by_agency.values():
        reports.sort(key=lambda r: r.year)
        for last, this in zip(reports, reports[1:]):
            chained += 1
            for col in COLUMNS:
                assert last.figures[f"requests.carried_forward.{col}"] == this.figures[f"requests.carried_over.{col}"]
            for kind in ("rules", "normative_docs"):
                f = this.figures
                assert last.figures[f"active.{kind}.in_force"] + f[f"active.{kind}.issued"] - \
                    f[f"active.{kind}.repealed"] == f[f"active.{kind}.in_force"]
    assert chained >= 2


def test_seed_reports_keep_the_printed_values_and_their_contradictions():
    seeds = {r.id: r for r in REPORTS if r.id.startswith("seed-")}
    for report in seeds.values():
        expected = json.loads(next((SHARED / "expected").glob(f"{report.id[5:]}_*.json")).read_text("utf-8")) \
            if SHARED.is_dir() else None
        if expected:
            assert report.figures == expected["figures"]
            assert sorted(failed_checks(report.template, report.figures)) == sorted(
                c for c in expected["expected_failed_checks"] if not c.startswith("narrative:"))
    assert seeds["seed-001"].cell_text("active.procurement.amount") == "3168.0656(万元)"
    assert seeds["seed-003"].cell_text("active.fees.change") == "+1"
    assert seeds["seed-003"].cell_text("active.licensing.change") == "-302"
    assert seeds["seed-000"].cell_text("appeals.review.total") == ""
    assert any("受理3件" in p for s in seeds["seed-003"].sections for p in s.paragraphs)


def test_real_pdfs_are_copied_byte_for_byte():
    import hashlib
    hashes = {"hongze-2023": "94a211353fb046b7c869cbb236078deb4d1f7085bd0c2b0dbf85051ec831698c",
              "hongze-2024": "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a"}
    for report in REPORTS:
        if report.file:
            assert hashlib.sha256(report.file_path.read_bytes()).hexdigest() == hashes[report.id]
