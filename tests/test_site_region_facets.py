"""current_reports' facets counted together (nianbao/site/facets.py) — the regions per place, the columns with few
values in one pass — show what Datasette's column facet shows for the same column: values, counts, order,
selection and links, with and without filters."""

from __future__ import annotations

import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from conftest import datasette_get

from nianbao.archive.publish import make_datasette
from nianbao.site.facets import sqlite_order

REGIONS = ["province", "city", "level", "county", "region_code"]


@pytest.fixture(scope="module")
def mixed_regions(site_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site archive with a third of the agency names not yet grouped into a body: their reports' region is
    their portal's, the others' their body's."""
    path = tmp_path_factory.mktemp("regions") / "nianbao.db"
    shutil.copy(site_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("update agencies set body_id = null where id % 3 = 0")
        conn.execute("update reports set failed_checks = 'x' where id % 5 = 0")  # text among numbers: SQLite's order
        by_body, by_portal = conn.execute(
            "select count(b.id), count(*) - count(b.id) from reports r left join agencies a on a.id = r.agency_id "
            "left join bodies b on b.id = a.body_id").fetchone()
    assert by_body and by_portal
    return path


@pytest.mark.parametrize("filters", [
    {}, {"year": "2020"}, {"_search": "复议"}, {"_search": "的"}, {"province": None}, {"city": None},
])
def test_region_facets_equal_column_facets(mixed_regions: Path, filters: dict[str, str | None]) -> None:
    with sqlite3.connect(mixed_regions) as conn:  # a filter on a region: its most common value
        filters = {k: v or conn.execute(f"select {k} from current_reports group by 1 order by count(*) desc").fetchone()[0]
                   for k, v in filters.items()}
    ds = make_datasette(mixed_regions)
    args = [*filters.items(), *(("_facet_region", c) for c in ("county", "region_code")),
            *(("_facet", c) for c in REGIONS)]
    data = datasette_get(ds, "/nianbao/current_reports.json?" + urllib.parse.urlencode(args)).json()
    facets = data["facet_results"]
    by_type = {(f["name"], f["type"]): f for f in facets.values()}
    for column in REGIONS:
        region, plain = by_type[column, "region"], by_type[column, "column"]
        assert region["results"] == plain["results"] and region["truncated"] == plain["truncated"], column
        assert region["results"] or not data["filtered_table_rows_count"]
    selected = {f["name"] for f in facets.values() for r in f["results"] if r["selected"] and f["name"] in REGIONS}
    assert selected == {c for c in REGIONS if c in filters}


COUNTED = ["year", "template", "status", "failed_checks"]


@pytest.mark.parametrize("filters", [
    {}, {"year": None}, {"_search": "复议"}, {"_search": "的"}, {"status": None}, {"province": None}, {"failed_checks": "x"},
])
def test_counted_facets_equal_column_facets(mixed_regions: Path, filters: dict[str, str | None]) -> None:
    with sqlite3.connect(mixed_regions) as conn:  # a filter on a column: its most common value
        filters = {k: v or conn.execute(f"select {k} from current_reports group by 1 order by count(*) desc").fetchone()[0]
                   for k, v in filters.items()}
        assert {"integer", "text"} <= {t for (t,) in conn.execute("select distinct typeof(failed_checks) from reports")}
    ds = make_datasette(mixed_regions)
    args = [*filters.items(), *(("_facet", c) for c in COUNTED), ("_facet_size", "3")]  # some truncated
    data = datasette_get(ds, "/nianbao/current_reports.json?" + urllib.parse.urlencode(args)).json()
    by_type = {(f["name"], f["type"]): f for f in data["facet_results"].values()}
    assert any(f["truncated"] for f in by_type.values()) or filters
    for column in COUNTED:
        counted, plain = by_type[column, "counted"], by_type[column, "column"]
        assert counted["results"] == plain["results"] and counted["truncated"] == plain["truncated"], column
        assert not counted["hideable"]  # metadata.yml's
    assert any(by_type[c, "counted"]["results"] for c in COUNTED) or not data["filtered_table_rows_count"]
    selected = {f["name"] for f in by_type.values() for r in f["results"] if r["selected"] and f["name"] in COUNTED}
    assert selected == {c for c in COUNTED if c in filters}


def test_equal_counts_are_ordered_assqlite_orders_values() -> None:
    values = [3, "x", 1, "a", 2.5, b"\x00", "B"]
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (v)")
    conn.executemany("insert into t values (?)", [(v,) for v in values])
    assert sorted(values, key=sqlite_order) == [v for (v,) in conn.execute("select v from t order by v")]
