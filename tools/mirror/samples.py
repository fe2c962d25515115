"""The sample report set behind the portal mirror and the parsers' round-trip tests.

Each report is one JSON file in ``reports/`` (built by ``make_reports.py``):
the narrative as sections, the figures *as printed* (a self-contradicting
总计 row stays contradictory), the raw text of special cells, and a few
layout switches so the renderers produce some variety.  The two real
洪泽区 PDFs are only referenced (``file``); they are served byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIRROR_DIR = Path(__file__).parent
REPORTS_DIR = MIRROR_DIR / "reports"
FILES_DIR = MIRROR_DIR / "files"

PORTALS = {
    "nxzw": ("中卫市人民政府", "www.nxzw.gov.cn"),
    "yinchuan": ("银川市人民政府", "www.yinchuan.gov.cn"),
    "nxld": ("隆德县人民政府", "www.nxld.gov.cn"),
    "gongyi": ("巩义市人民政府", "public.gongyishi.gov.cn"),
}
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass
class Section:
    """A numbered part of the report (一、总体情况 …); number "" for the preamble."""

    number: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def heading_lines(self) -> list[str]:
        """The heading as printed: ``一、总体情况``, or ``附件`` then the caption, or nothing."""
        if not self.number:
            return [self.heading] if self.heading else []
        if self.number[0] in CHINESE_NUMERALS:
            return [f"{self.number}、{self.heading}"]
        return [self.number, self.heading] if self.heading else [self.number]


@dataclass
class Signature:
    agency: str
    date: str  # as printed, e.g. 2021年1月29日


@dataclass
class SampleReport:
    """One report of the sample set; ``figures`` are the values as printed (None: not printed)."""

    id: str
    portal: str | None  # None: not tied to a portal yet (the real 洪泽区 PDFs)
    title: str
    agency: str
    year: int
    published: str  # the date the portal lists (YYYY-MM-DD)
    template: str  # "2019", "2021" or "legacy"
    sections: list[Section] = field(default_factory=list)
    figures: dict[str, int | float | None] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)  # figure key -> cell text when not just the number
    labels: dict[str, str] = field(default_factory=dict)  # template label -> label as printed (variants)
    signature: Signature | None = None
    sample: bool = False  # made-up numbers; the text says 示例数据
    layout: dict[str, bool] = field(default_factory=dict)  # renderer variety switches, see render.layout
    file: str | None = None  # a real file in files/ served as is instead of rendering
    source: str | None = None  # where the content came from (seed file, generator)

    @property
    def file_path(self) -> Path | None:
        return FILES_DIR / self.file if self.file else None

    def cell_text(self, key: str) -> str:
        """The text a table cell shows for ``key``: the printed form, the number, or blank."""
        if key in self.printed:
            return self.printed[key]
        value = self.figures.get(key)
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.6f}".rstrip("0").rstrip(".")
        return str(value)

    def label(self, text: str) -> str:
        """A template label as this report prints it (line breaks in ``text`` are layout, not content)."""
        return self.labels.get(text.replace("\n", ""), text)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SampleReport:
        data = dict(data)
        data["sections"] = [Section(**s) for s in data.get("sections", [])]
        if data.get("signature"):
            data["signature"] = Signature(**data["signature"])
        return cls(**data)


def load_report(path: Path) -> SampleReport:
    return SampleReport.from_json(json.loads(path.read_text(encoding="utf-8")))


def load_reports(directory: Path = REPORTS_DIR) -> list[SampleReport]:
    """Every report of the set, in id order."""
    return [load_report(p) for p in sorted(directory.glob("*.json"))]


def save_report(report: SampleReport, directory: Path = REPORTS_DIR) -> Path:
    path = directory / f"{report.id}.json"
    path.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def served_reports(snapshot: int = 1) -> list[tuple[dict, Path]]:
    """(manifest article, the file a reader gets: the attachment when the report is one, else the page)
    for every sample report the built mirror serves in ``snapshot``."""
    from urllib.parse import urlparse

    from nianbao.crawler.mirror.server import SITE_DIR

    site = SITE_DIR / str(snapshot)
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    served = []
    for article in (a for a in manifest["articles"] if a.get("report")):
        attached = article["format"] != "html" and article["attachments"]
        url = article["attachments"][0]["url"] if attached else article["url"]
        parts = urlparse(url)
        path = site / (parts.netloc + parts.path)
        served.append((article, Path(f"{path}%3F{parts.query}") if parts.query else path))
    return served
