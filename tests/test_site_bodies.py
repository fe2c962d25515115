"""Bodies, not strings: a body's region from its own name (行政区划代码 table), its aliases and renames as one
body, its page /agency/<id> with its series across the old and new templates, comparing bodies, finding a
body by part of its name; on the real site archive (tests/site_archive.py) served over HTTP."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from conftest import datasette_get
from conftest import http_get as get

from nianbao.archive.agency import body_page, find_bodies
from nianbao.archive.bodies import rebuild_bodies
from nianbao.archive.db import open_archive
from nianbao.archive.publish import make_datasette, refresh_derived
from nianbao.archive.regions import region_of
from nianbao.archive.series import all_series
from nianbao.archive.wide import rebuild_wide


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.parametrize(("name", "hint", "code"), [
    ("淮安市洪泽区人民政府", None, "320813"),
    ("洪泽区人民政府", None, "320813"),  # the city left out: the district is in one place only
    ("洪泽区人民政府", "640100", "320813"),  # a Ningxia portal hosting it changes nothing
    ("银川市市政管理局", None, "640100"),
    ("巩义市人民政府", None, "410181"),  # a county-level city
    ("宁夏回族自治区卫生健康委员会", None, "640000"),
    ("北京市朝阳区人民政府", None, "110105"),
    ("鼓楼区人民政府", "320100", "320106"),  # four cities have a 鼓楼区: the hint settles it
    ("鼓楼区人民政府", None, None),
    ("城市管理局", None, None),
])
def test_region_comes_from_the_body_name(name: str, hint: str | None, code: str | None) -> None:
    region = region_of(name, hint)
    assert (region.code if region else None) == code


@pytest.fixture
def archive_copy(site_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copy(site_db, copy)
    return copy


def add_report(db, agency: str, year: int, portal: str = "test-portal") -> int:
    report_id = db.execute("select max(id) + 1 from reports").fetchone()[0]
    db.execute("insert into reports (id, portal_id, url, title, agency, year, status) values (?, ?, ?, ?, ?, ?, 'active')",
               [report_id, portal, f"http://example.invalid/{report_id}", f"{agency}{year}年政府信息公开工作年度报告",
                agency, year])
    return report_id


def test_aliases_and_renames_are_one_body_in_the_body_region(archive_copy: Path) -> None:
    db = open_archive(archive_copy)
    db["portals"].insert({"id": "yinchuan", "name": "银川市人民政府", "province": "宁夏回族自治区", "city": "银川市",
                          "region_code": "640100"}, pk="id", replace=True)
    full = add_report(db, "淮安市洪泽区人民政府", 2024, portal="yinchuan")  # a Jiangsu body on a Ningxia portal
    rebuild_bodies(db)
    (body_id, name, other, region, province, level), = query(
        archive_copy, "select b.id, b.name, b.other_names, b.region_code, b.province, b.level from bodies b "
        "join agencies a on a.body_id = b.id where a.name = '洪泽区人民政府'")
    assert (name, json.loads(other), region, province, level) == (
        "淮安市洪泽区人民政府", ["洪泽区人民政府"], "320813", "江苏省", "county")  # the newest name, the short one an alias
    assert query(archive_copy, "select province, city, county, body_id, portal_id from current_reports where report_id = ?",
                 [full]) == [("江苏省", "淮安市", "洪泽区", body_id, "yinchuan")]
    renamed = query(archive_copy, "select b.name, a.relation from agencies a join bodies b on b.id = a.body_id "
                                  "where a.name = '银川市市政管理局'")
    assert renamed == [("银川市城市管理局", "former")]  # data/renames.csv


def test_a_portal_name_saying_formerly_renames_the_body(archive_copy: Path) -> None:
    db = open_archive(archive_copy)
    db["portals"].insert({"id": "zw-ws", "name": "中卫市卫生健康委员会（原中卫市卫生和计划生育委员会）"}, pk="id", replace=True)
    add_report(db, "中卫市卫生和计划生育委员会", 2017, portal="zw-ws")
    add_report(db, "中卫市卫生健康委员会", 2020, portal="zw-ws")
    rebuild_bodies(db)
    rows = query(archive_copy, "select a.name, a.relation, b.name, b.first_year, b.last_year from agencies a "
                               "join bodies b on b.id = a.body_id where a.portal_id = 'zw-ws' order by a.relation")
    assert rows == [("中卫市卫生和计划生育委员会", "former", "中卫市卫生健康委员会", 2017, 2020),
                    ("中卫市卫生健康委员会", "name", "中卫市卫生健康委员会", 2017, 2020)]


def test_series_join_the_old_and_the_new_template(archive_copy: Path) -> None:
    db = open_archive(archive_copy)
    legacy_id, = query(archive_copy, "select id from reports where template = 'legacy' and agency = '中卫市人民政府'")[0]
    db.execute("update reports set agency = '中卫市人民政府办公室', agency_id = null where id = ?", [legacy_id])
    refresh_derived(db)
    body_id, = query(archive_copy, "select body_id from agencies where name = '中卫市人民政府办公室'")[0]
    with sqlite3.connect(archive_copy) as conn:
        page = body_page(conn, body_id)
    assert page is not None
    received = next(s for s in page["series"] if s["series"].name == "requests_received")
    expected = {year: value for year, value in query(
        archive_copy, "select r.year, f.value from figures f join reports r on r.current_version_id = f.version_id "
        "join agencies a on a.id = r.agency_id where a.body_id = ? and "
        "f.key in ('legacy.requests.received', 'requests.new.total')", [body_id])}
    assert {p["year"]: p["value"] for p in received["points"]} == expected and len(expected) == 2
    legacy_year, new_year = sorted(expected)
    assert [c["year"] for c in received["changes"]] == [new_year]
    assert received["changes"][0]["from"] == all_series()["requests_received"].definitions["legacy"]


def test_suits_add_both_kinds_of_lawsuit(site_db: Path) -> None:
    rows = query(site_db, "select body_id, year, value from body_figures where series = 'suits' and template != 'legacy'")
    for body_id, year, value in rows:
        parts = query(site_db, "select sum(value) from current_figures where body_id = ? and year = ? and key in "
                               "('appeals.suit_direct.total', 'appeals.suit_after_review.total')", [body_id, year])
        assert value == parts[0][0]
    assert rows


def test_every_report_page_links_an_agency_page_that_answers(site_url: str, site_db: Path) -> None:
    for report_id, agency in query(site_db, "select id, agency from reports where portal_id = 'test-portal'"):
        page = get(f"{site_url}/report/{report_id}")[2].decode()
        link = re.search(r'<a class="agency" href="(/agency/\d+)">([^<]+)</a>', page)
        assert link and link.group(2) == agency
        status, _, body = get(site_url + link.group(1))
        assert status == 200 and f"/report/{report_id}" in body.decode()


def test_agency_page_names_region_reports_series_chart_and_csv(site_url: str, site_db: Path) -> None:
    body_id, name = query(site_db, "select id, name from bodies where name = '银川市城市管理局'")[0]
    status, _, body = get(f"{site_url}/agency/{body_id}")
    page = body.decode()
    assert status == 200 and f"<h1 class=\"agency-name\">{name}</h1>" in page
    assert "银川市市政管理局" in page and "曾用名 former name" in page and "宁夏回族自治区 银川市" in page
    assert "<svg" in page and "收到的信息公开申请" in page
    assert f'href="/changes.atom?agency={body_id}"' in page and f'href="/agency/{body_id}.csv"' in page
    status, headers, body = get(f"{site_url}/agency/{body_id}.csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body.decode())))
    expected = query(site_db, "select year, value from body_figures where body_id = ? and series = 'requests_received'",
                     [body_id])
    assert [(int(r["year"]), int(r["收到的信息公开申请 requests_received"])) for r in table] == expected and expected


def test_another_name_leads_to_its_body_and_an_unknown_id_is_404(archive_copy: Path) -> None:
    db = open_archive(archive_copy)
    add_report(db, "淮安市洪泽区人民政府", 2024)
    refresh_derived(db)
    db.close()
    (name_id, body_id), = query(archive_copy, "select id, body_id from agencies where name = '淮安市洪泽区人民政府'")
    assert name_id != body_id
    ds = make_datasette(archive_copy)
    response = datasette_get(ds, f"/agency/{name_id}")
    assert response.status_code == 302 and response.headers["location"] == f"/agency/{body_id}"
    assert datasette_get(ds, f"/agency/{body_id}").status_code == 200
    assert datasette_get(ds, "/agency/987654").status_code == 404


def test_compare_bodies_side_by_side_page_and_csv(site_url: str, site_db: Path) -> None:
    ids = [i for (i,) in query(site_db, "select distinct body_id from body_figures where series = 'reviews' "
                                        "order by body_id limit 3")]
    params = urllib.parse.urlencode([("body", i) for i in ids] + [("series", "reviews")])
    status, _, body = get(f"{site_url}/compare?{params}")
    assert status == 200 and all(f'href="/agency/{i}"' in body.decode() for i in ids)
    status, _, body = get(f"{site_url}/compare.csv?{params}")
    table = list(csv.reader(io.StringIO(body.decode())))
    expected = {(y, b): v for b, y, v in query(
        site_db, f"select body_id, year, value from body_figures where series = 'reviews' and body_id in "
                 f"({','.join(map(str, ids))})")}
    shown = {(int(row[0]), ids[i]): row[1 + i] for row in table[1:] for i in range(len(ids))}
    assert {k: v for k, v in shown.items() if v != ""} == {k: str(v) for k, v in expected.items() if v is not None}


def test_a_body_is_found_by_any_part_of_its_names(site_db: Path, site_url: str) -> None:
    with sqlite3.connect(site_db) as conn:
        names = {b["name"] for b in find_bodies(conn, "中卫市")}
        assert {"中卫市人民政府", "中卫市人民政府办公室"} <= names
        assert {b["name"] for b in find_bodies(conn, "市政管理局")} == {"银川市城市管理局"}  # a former name finds it
    page = get(f"{site_url}/charts?" + urllib.parse.urlencode({"agency": "中卫市人民政府"}))[2].decode()
    assert "<svg" in page and "机关趋势" in page  # the exact name of one body draws its trend at once
    page = get(f"{site_url}/agencies?q=" + urllib.parse.quote("中卫市"))[2].decode()
    assert "中卫市人民政府办公室" in page


def test_wide_table_region_follows_the_body(archive_copy: Path) -> None:
    db = open_archive(archive_copy)
    rebuild_wide(db, force=True)
    assert query(archive_copy, "select distinct w.province from figures_wide w join reports r on r.id = w.report_id "
                               "where r.agency = '洪泽区人民政府'") == [("江苏省",)]
