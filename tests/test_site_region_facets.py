"""current_reports' region facets, counted per place (nianbao/site/facets.py), show what Datasette's column
facet shows for the same column: values, counts, order, selection and links, with and without filters."""

from __future__ import annotations

import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from conftest import datasette_get

from nianbao.archive.publish import make_datasette

REGIONS = ["province", "city", "level", "county", "region_code"]


@pytest.fixture(scope="module")
def mixed_regions(site_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site archive with a third of the agency names not yet grouped into a body: their reports' region is
    their portal's, the others' their body's."""
    path = tmp_path_factory.mktemp("regions") / "nianbao.db"
    shutil.copy(site_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("update agencies set body_id = null where id % 3 = 0")
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
