"""What the body pages show (``/agency/<id>``, ``/compare``, ``/agencies``), from a plain sqlite3 connection.

A body's reports by year, its series across years (``body_figures``: the concordance joins the old and
new templates) with where the definitions changed, the years it published nothing, the portals that
host it; several bodies side by side; bodies found by any part of any of their names (``中卫市``).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from typing import Any

from nianbao.archive.db import row_dicts
from nianbao.archive.series import Series, all_series, definition_changes


def _rows(conn: sqlite3.Connection, sql: str, params: list | dict | tuple = ()) -> list[dict[str, Any]]:
    return row_dicts(conn.execute(sql, params))


def body_of(conn: sqlite3.Connection, agency_id: int) -> int | None:
    """The body an agency name (or a body) id belongs to."""
    row = conn.execute("select body_id from agencies where id = ?", [agency_id]).fetchone()
    return row[0] if row else None


def find_bodies(conn: sqlite3.Connection, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Bodies any of whose names contain ``text`` (``中卫市`` finds 中卫市人民政府 and its office)."""
    return _rows(conn, """
        select b.* from bodies b where b.id in (select body_id from agencies where instr(name, ?) > 0)
        order by b.reports desc, b.name limit ?""", [text.strip(), limit])


def series_points(conn: sqlite3.Connection, body_ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """body id -> series name -> [{year, value, reports, template, report_id}] by year."""
    marks = ",".join("?" * len(body_ids))
    out: dict[int, dict[str, list[dict[str, Any]]]] = {body_id: {} for body_id in body_ids}
    for row in _rows(conn, f"select * from body_figures where body_id in ({marks}) order by year", body_ids):
        if row["value"] is not None:
            out[row["body_id"]].setdefault(row["series"], []).append(row)
    return out


def body_page(conn: sqlite3.Connection, body_id: int) -> dict[str, Any] | None:
    bodies = _rows(conn, "select * from bodies where id = ?", [body_id])
    if not bodies:
        return None
    names = _rows(conn, "select id, name, relation, first_year, last_year, reports from agencies "
                        "where body_id = ? order by coalesce(first_year, 9999), id", [body_id])
    reports = _rows(conn, """
        select r.id, r.title, r.agency, r.year, r.template, r.status, r.failed_checks, r.portal_id, r.url
        from reports r join agencies a on a.id = r.agency_id where a.body_id = ?
        order by r.year desc, r.id""", [body_id])
    portals = _rows(conn, """
        select p.id, p.name, p.base_url, count(*) as reports from reports r join agencies a on a.id = r.agency_id
        join portals p on p.id = r.portal_id where a.body_id = ? group by p.id order by reports desc""", [body_id])
    points = series_points(conn, [body_id])[body_id]
    series = [
        {"series": s, "points": points[s.name], "changes": definition_changes(points[s.name], s)}
        for s in all_series().values() if s.name in points
    ]
    years = sorted({r["year"] for r in reports if r["year"]})
    missing = [y for y in range(years[0], years[-1] + 1) if y not in years] if years else []
    return {"body": bodies[0], "names": names, "reports": reports, "portals": portals, "series": series,
            "years": years, "missing_years": missing}


def compare(conn: sqlite3.Connection, body_ids: list[int], series: Series) -> dict[str, Any]:
    """Several bodies' values of one series, a row per year: {bodies, years: [{year, cells: [point|None]}]}."""
    bodies = {b["id"]: b for b in _rows(conn, f"select * from bodies where id in ({','.join('?' * len(body_ids))})",
                                         body_ids)}
    found = [bodies[i] for i in body_ids if i in bodies]
    points = series_points(conn, [b["id"] for b in found])
    by_year = {b["id"]: {p["year"]: p for p in points[b["id"]].get(series.name, [])} for b in found}
    years = sorted({y for values in by_year.values() for y in values})
    return {"bodies": found, "series": series,
            "rows": [{"year": y, "cells": [by_year[b["id"]].get(y) for b in found]} for y in years]}


def body_csv(page: dict[str, Any]) -> str:
    """A body's series as CSV: a row per year, a column per series (its Chinese label and name)."""
    series = [s["series"] for s in page["series"]]
    values = {(s["series"].name, p["year"]): p for s in page["series"] for p in s["points"]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["body_id", "body", "year", "template", "reports",
                     *(f"{s.label_zh} {s.name}" for s in series)])
    for year in page["years"]:
        row_points = [values.get((s.name, year)) for s in series]
        first = next((p for p in row_points if p), None)
        writer.writerow([page["body"]["id"], page["body"]["name"], year, first["template"] if first else "",
                         first["reports"] if first else "", *(p["value"] if p else "" for p in row_points)])
    return out.getvalue()


def compare_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", *(f"{b['name']} ({b['id']})" for b in table["bodies"]), "series"])
    for row in table["rows"]:
        writer.writerow([row["year"], *("" if p is None else p["value"] for p in row["cells"]),
                         table["series"].name])
    return out.getvalue()
