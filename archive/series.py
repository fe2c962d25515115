"""Figures as series across years, through the concordance of ``data/concordance.csv``.

The 2019 and 2021 templates and the older statistics table (``legacy``) count some of the same things
under different keys: ``legacy.requests.received`` and ``requests.new.total`` are both "requests
received".  The concordance names each such series, the keys that make it up in each template (several
keys are added up) and, in both languages, what the figure meant under that template, so a page can say
where the definition changed.  It is data, copied into the archive's ``concordance`` table; the
``body_figures`` view gives every body's series per year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import sqlite_utils

from nianbao.archive.db import transaction

CONCORDANCE = "concordance"


@dataclass
class Series:
    name: str
    label_zh: str
    label_en: str
    definitions: dict[str, tuple[str, str]] = field(default_factory=dict)  # template -> (zh, en)
    keys: dict[str, list[str]] = field(default_factory=dict)  # template -> keys added up


def concordance_rows() -> list[dict[str, str]]:
    text = (files("nianbao.archive") / "data" / "concordance.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def all_series() -> dict[str, Series]:
    """Series name -> its labels, keys and definitions per template, in the file's order."""
    series: dict[str, Series] = {}
    for row in concordance_rows():
        s = series.setdefault(row["series"], Series(row["series"], row["label_zh"], row["label_en"]))
        for template in row["templates"].split():
            s.keys.setdefault(template, []).append(row["key"])
            s.definitions[template] = (row["definition_zh"], row["definition_en"])
    return series


# Several keys of one template are added up; `reports` says how many reports the figure covers, `template`
# which definition it follows.
BODY_FIGURES_SQL = """
insert into body_figures
select
  a.body_id, b.name, b.province, b.city, b.county, b.level, r.year, c.series, c.label_zh, c.label_en,
  sum(f.value), count(distinct r.id), group_concat(distinct r.template), min(r.id)
from figures f
join reports r on r.current_version_id = f.version_id
join agencies a on a.id = r.agency_id
join bodies b on b.id = a.body_id
join concordance c on c.key = f.key and c.template = r.template
where r.year is not null
group by a.body_id, r.year, c.series
"""


def refresh_series(db: sqlite_utils.Database) -> int:
    """The concordance and every body's series per year, from the current figures; returns the series rows."""
    write_concordance(db)
    with transaction(db):
        db.execute("delete from body_figures")
        db.execute(BODY_FIGURES_SQL)
    return db.table("body_figures").count


def write_concordance(db: sqlite_utils.Database) -> int:
    """The concordance as the archive's ``concordance`` table (one row per series, template and key)."""
    rows = [
        {"series": r["series"], "template": template, "key": r["key"], "label_zh": r["label_zh"],
         "label_en": r["label_en"], "definition_zh": r["definition_zh"], "definition_en": r["definition_en"]}
        for r in concordance_rows() for template in r["templates"].split()
    ]
    with transaction(db):
        db.execute(f"delete from {CONCORDANCE}")
        db.table(CONCORDANCE).insert_all(rows)
    return len(rows)


def definition_changes(points: list[dict], series: Series) -> list[dict]:
    """Where a body's series passes from one definition to another: [{year, from, to}] (zh, en pairs)."""
    changes = []
    for before, after in zip(points, points[1:]):
        old, new = series.definitions.get(before["template"]), series.definitions.get(after["template"])
        if old and new and old != new:
            changes.append({"year": after["year"], "from": old, "to": new})
    return changes
