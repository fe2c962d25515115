"""Build the sample report set (``reports/*.json``) from ../shared and a seeded generator.

Run from the repository root: ``python -m tools.mirror.make_reports [SHARED_DIR]``.
The output is deterministic; the JSON files are committed so nothing needs
../shared at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tools.mirror.generate import generated_reports
from tools.mirror.samples import REPORTS_DIR, SampleReport, save_report
from tools.mirror.seed_text import split_seed

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"
TABLE_SECTIONS = {"2019": {"二", "三", "四"}, "2021": {"二", "三", "四"}, "legacy": set()}

# Per seed: what the seed file and expected JSON do not say (portal, listing date, printed variants).
SEEDS = {
    "000": dict(portal="nxzw", published="2021-01-29", layout={}),
    "001": dict(
        portal="yinchuan", published="2020-12-31",
        title="银川市市政管理局2020年政府信息公开工作年度报告",
        printed={"active.procurement.amount": "3168.0656(万元)"},
        labels={"6.属于四类过程性信息": "6.属于四类过程信息", "结果维持": "结 果 维 持", "结果纠正": "结 果 纠 正",
                "其他结果": "其 他 结 果", "尚未审结": "尚 未 审 结"},
        layout={"title_in_body": False, "split_active": True},
    ),
    "002": dict(
        portal="gongyi", published="2021-01-28",
        labels={"采购总金额": "采购总金额（单位：万元，保留4位小数）"},
        layout={"nested": True},
    ),
    "003": dict(
        portal="nxld", published="2021-01-27",
        agency="隆德县人民政府",
        printed={"active.fees.change": "+1", "active.procurement.amount": "21207.84 万元"},
        layout={"wrap_labels": False},
    ),
    "004": dict(portal="nxzw", published="2018-01-31", layout={}),
}
HONGZE = {"hongze-2023": "2024-01-20", "hongze-2024": "2025-01-20"}


def seed_report(shared: Path, seed_id: str, extra: dict) -> SampleReport:
    text_path = next((shared / "seeds").glob(f"{seed_id}_*.txt"))
    expected = json.loads((shared / "expected" / f"{text_path.stem}.json").read_text(encoding="utf-8"))
    seed = split_seed(text_path.read_text(encoding="utf-8"), TABLE_SECTIONS[expected["template"]])
    fields = dict(
        id=f"seed-{seed_id}",
        title=seed.title or "",
        agency=expected["agency"],
        year=expected["year"],
        template=expected["template"],
        sections=seed.sections,
        figures=expected["figures"],
        signature=seed.signature,
        source=f"seeds/{text_path.name}",
    )
    fields.update(extra)
    return SampleReport(**fields)


def hongze_report(shared: Path, name: str, published: str) -> SampleReport:
    """A real PDF served as is; the mirror helper picks the portal it is attached to."""
    truth = json.loads((shared / "samples" / f"{name}.json").read_text(encoding="utf-8"))
    return SampleReport(
        id=name, portal=None, title=f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告",
        agency=truth["agency"], year=truth["year"], published=published, template=truth["template"],
        figures=truth["figures"], file=truth["file"], source=f"samples/{truth['file']}",
    )


def build(shared: Path = DEFAULT_SHARED, out: Path = REPORTS_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    reports = [seed_report(shared, seed_id, dict(extra)) for seed_id, extra in SEEDS.items()]
    reports += [hongze_report(shared, name, published) for name, published in HONGZE.items()]
    reports += generated_reports()
    return [save_report(r, out) for r in reports]


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED):
        print(path)
