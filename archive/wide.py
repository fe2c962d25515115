"""``figures_wide``: one row per report version, one column per canonical key, for spreadsheet users.

The long ``figures`` table stays the source; this one is rebuilt from it
after ingest or reparse (:func:`rebuild_wide`).  Columns follow the spec's
order; a key the spec does not know still gets a column, at the end.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from archive.site import figure_labels

WIDE = "figures_wide"
ID_COLUMNS = {
    "version_id": int,
    "report_id": int,
    "is_current": int,
    "agency": str,
    "year": int,
    "template": str,
    "province": str,
    "city": str,
    "county": str,
    "failed_checks": int,
}


def wide_columns(keys: set[str]) -> list[str]:
    spec = [k for k in figure_labels() if k in keys]
    return spec + sorted(keys - set(spec))


def rebuild_wide(db: Any) -> int:
    """Drop and rebuild figures_wide from figures (sqlite_utils.Database); returns its row count."""
    keys = wide_columns({row[0] for row in db.execute("select distinct key from figures")})
    with db.conn:
        db[WIDE].drop(ignore=True)
        db[WIDE].create(ID_COLUMNS | {key: "ANY" for key in keys}, pk="version_id")
        rows = db.execute(
            """select v.id, v.report_id, (r.current_version_id = v.id), coalesce(v.agency, r.agency),
                      coalesce(v.year, r.year), coalesce(v.template, r.template), p.province, p.city, p.county,
                      v.failed_checks, f.key, f.value
               from report_versions v
               join reports r on r.id = v.report_id
               left join portals p on p.id = r.portal_id
               join figures f on f.version_id = v.id
               order by v.id"""
        )
        records = (
            dict(zip(ID_COLUMNS, first[: len(ID_COLUMNS)])) | {first[-2]: first[-1]} | {r[-2]: r[-1] for r in rest}
            for _, (first, *rest) in groupby(rows, key=lambda row: row[0])
        )
        db[WIDE].insert_all(records)
        for columns in (("report_id",), ("agency", "year"), ("year",)):
            db[WIDE].create_index(columns, if_not_exists=True)
    return db[WIDE].count
