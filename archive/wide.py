"""``figures_wide``: one row per report version, one column per canonical key, for spreadsheet users.

The long ``figures`` table stays the source; this one is rebuilt from it
after ingest or reparse (:func:`rebuild_wide`, which does nothing when the
figures have not changed since the last build).  Columns follow the spec's
order; a key the spec does not know still gets a column, at the end.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from nianbao.archive.site import figure_labels

WIDE = "figures_wide"
STATE = "figures_wide_state"  # the fingerprint of the figures it was built from
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
    "body_id": int,
}


def wide_columns(keys: set[str]) -> list[str]:
    spec = [k for k in figure_labels() if k in keys]
    return spec + sorted(keys - set(spec))


def _fingerprint(db: Any) -> str:
    """Changes whenever figures are added, replaced or removed, a report's current version moves, or the
    bodies (whose regions the rows carry) are regrouped."""
    row = db.execute(
        "select (select count(*) from figures), (select max(rowid) from figures), "
        "(select count(*) from report_versions), (select total(current_version_id) from reports), "
        "(select count(*) || '/' || total(id) || '/' || count(distinct region_code) from bodies)"
    ).fetchone()
    return ":".join(map(str, row))


def rebuild_wide(db: Any, force: bool = False) -> int:
    """Rebuild figures_wide from figures unless they are unchanged since the last build; returns its row count."""
    fingerprint = _fingerprint(db)
    up_to_date = not force and db[WIDE].exists() and db[STATE].exists() and \
        db.execute(f"select fingerprint from {STATE}").fetchone() == (fingerprint,)
    if up_to_date:
        return db[WIDE].count
    keys = wide_columns({row[0] for row in db.execute("select distinct key from figures")})
    with db.conn:
        db[STATE].drop(ignore=True)
        db[STATE].insert({"fingerprint": fingerprint})
        db[WIDE].drop(ignore=True)
        db[WIDE].create(ID_COLUMNS | {key: "ANY" for key in keys}, pk="version_id")
        rows = db.execute(
            """select v.id, v.report_id, (r.current_version_id = v.id), coalesce(v.agency, r.agency),
                      coalesce(v.year, r.year), coalesce(v.template, r.template), b.province, b.city, b.county,
                      v.failed_checks, b.id, f.key, f.value
               from report_versions v
               join reports r on r.id = v.report_id
               left join agencies a on a.id = r.agency_id
               left join bodies b on b.id = a.body_id
               join figures f on f.version_id = v.id
               order by v.id"""
        )
        records = (
            dict(zip(ID_COLUMNS, group[0])) | {row[-2]: row[-1] for row in group}
            for group in (list(g) for _, g in groupby(rows, key=lambda row: row[0]))
        )
        db[WIDE].insert_all(records)
        for columns in (("report_id",), ("agency", "year"), ("year",)):
            db[WIDE].create_index(columns, if_not_exists=True)
    return db[WIDE].count
