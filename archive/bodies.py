"""Bodies, not strings: one ``bodies`` row per government body, whatever names its reports print.

``agencies`` keeps one row per name as printed (``reports.agency_id`` points at it); :func:`rebuild_bodies`
gives each name its body (``agencies.body_id``) and says how the name relates to it:

- ``name``: the body's name now (its latest report's, or the new name of a rename);
- ``alias``: the same body written another way, found by its region: ``洪泽区人民政府`` and
  ``淮安市洪泽区人民政府`` are both 320813 + ``人民政府``;
- ``former``: a name before a rename (``银川市市政管理局`` → ``银川市城市管理局``), from ``data/renames.csv``
  (each with its source) and from portal names written ``新名称（原旧名称）``.

A body's region comes from its own name, else from its reports' titles, else (said so in
``region_source``) from the portal that hosted them.  A body's id is the smallest id of its names, so
``/agency/<id>`` stays the same page as names are added.  Run before publishing (``refresh_derived``).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files

import sqlite_utils

from nianbao.archive.db import transaction
from nianbao.archive.regions import Region, by_code, mentioned, region_of

FORMERLY = re.compile(r"^(?P<new>[^（(]+)[（(]原(?P<old>[^）)]+)[）)]\s*$")
_SPACE = re.compile(r"\s+")


@dataclass
class Name:
    id: int
    name: str
    portal_id: str | None
    portal_code: str | None
    portal_place: str | None  # the portal's province, city and county as written
    title: str | None  # one of its reports' titles, when the name alone says no place
    first_year: int | None
    last_year: int | None
    reports: int


def load_renames() -> dict[str, str]:
    """Old name -> new name, from ``data/renames.csv`` (each row says its source)."""
    text = (files("nianbao.archive") / "data" / "renames.csv").read_text(encoding="utf-8")
    return {row["old_name"].strip(): row["new_name"].strip() for row in csv.DictReader(text.splitlines())}


def portal_renames(db: sqlite_utils.Database) -> dict[str, str]:
    """Renames a portal's own name states: ``银川市城市管理局（原银川市市政管理局）``."""
    found = {}
    for (name,) in db.execute("select name from portals where name is not null"):
        match = FORMERLY.match(name)
        if match:
            found[match["old"].strip()] = match["new"].strip()
    return found


def body_key(name: str, region: Region | None) -> tuple[str, str]:
    """What makes two names one body: the region, and the name without its place names or spaces."""
    rest = _SPACE.sub("", name)
    for _, place, _ in mentioned(rest):
        rest = rest.replace(place, "", 1)
    return (region.code if region else "", rest)


def _names(db: sqlite_utils.Database) -> list[Name]:
    rows = db.execute("""
        select a.id, a.name, a.portal_id, p.region_code,
               coalesce(p.province, '') || coalesce(p.city, '') || coalesce(p.county, ''),
               (select r.title from reports r where r.agency_id = a.id and r.title is not null limit 1),
               (select min(year) from reports r where r.agency_id = a.id),
               (select max(year) from reports r where r.agency_id = a.id),
               (select count(*) from reports r where r.agency_id = a.id)
        from agencies a left join portals p on p.id = a.portal_id order by a.id""").fetchall()
    return [Name(*row) for row in rows]


def _link_reports(db: sqlite_utils.Database) -> None:
    """Reports written without going through ingest (older archives, bulk loads) get their name's row."""
    db.execute("""insert or ignore into agencies (name, portal_id)
                  select agency, min(portal_id) from reports
                  where agency is not null and agency != '' and agency_id is null group by agency""")
    db.execute("""update reports set agency_id = (select id from agencies a where a.name = reports.agency)
                  where agency_id is null and agency is not null and agency != ''""")


def _locate(name: str, item: Name) -> tuple[Region | None, str | None]:
    hint = item.portal_code
    for source, text in (("name", name), ("title", item.title)):
        region = region_of(text, hint)
        if region:
            return region, source
    region = by_code().get(hint or "") or region_of(item.portal_place)
    return region, "portal" if region else None


def rebuild_bodies(db: sqlite_utils.Database) -> int:
    """Group every agency name into bodies and write ``bodies`` and ``agencies.body_id``; returns the body count."""
    with transaction(db):
        _link_reports(db)
        renames = load_renames() | portal_renames(db)
        names = _names(db)
        groups: dict[tuple[str, str], list[tuple[Name, str, Region | None, str | None]]] = defaultdict(list)
        for item in names:
            current, seen = item.name, {item.name}
            while renames.get(current, current) not in seen:  # a chain of renames ends at the newest name
                current = renames[current]
                seen.add(current)
            region, source = _locate(current, item)
            groups[body_key(current, region)].append((item, current, region, source))
        db.execute("delete from bodies")
        for members in groups.values():
            _write_body(db, members, set(renames.values()))
    return db.table("bodies").count


def _write_body(db: sqlite_utils.Database, members: list[tuple[Name, str, Region | None, str | None]],
                new_names: set[str]) -> None:
    body_id = min(m[0].id for m in members)
    renamed_to = next((current for _, current, _, _ in members if current in new_names), None)
    latest = max(members, key=lambda m: (m[0].last_year or 0, len(m[0].name), -m[0].id))[0].name
    name = renamed_to or latest
    region, source = next(((r, s) for _, _, r, s in members if s == "name"), (members[0][2], members[0][3]))
    portal = max(members, key=lambda m: m[0].reports)[0].portal_id
    years = [y for m in members for y in (m[0].first_year, m[0].last_year) if y]
    for item, current, _, _ in members:
        relation = "name" if item.name == name else "former" if current != item.name else "alias"
        db.execute("update agencies set body_id = ?, relation = ?, region_code = ?, first_year = ?, last_year = ?, "
                   "reports = ? where id = ?",
                   [body_id, relation, region.code if region else None, item.first_year, item.last_year,
                    item.reports, item.id])
    db.table("bodies").insert({
        "id": body_id,
        "name": name,
        "other_names": json.dumps(sorted({m[0].name for m in members} - {name}), ensure_ascii=False),
        "kind": "government" if name.endswith("人民政府") else "department",
        "level": region.level if region else None,
        "region_code": region.code if region else None,
        "province": region.province if region else None,
        "city": region.city if region else None,
        "county": region.county if region else None,
        "region_source": source,
        "portal_id": portal,
        "first_year": min(years, default=None),
        "last_year": max(years, default=None),
        "reports": sum(m[0].reports for m in members),
    })
