"""Facets of ``current_reports`` counted together, one statement for several columns, instead of one each.

Datasette's column facet runs one GROUP BY over the page's rows per column (~20-25 ms each at 100,000
reports, and the page runs them one after another).  Two facet types count several columns in one pass
and add up the few groups per value; their counts, order and links are those of a column facet:

- ``{region: province}``: a report's region in ``current_reports`` (province, city, county, level, region
  code) is its body's, or its portal's before it has a body: a function of ``(portal_id, agency_id)``.
  The matching reports are grouped by that pair along an index, once for all the region facets of the page.
- ``{counted: year}``: the columns with few values (year, template, status, failed checks) are grouped
  together along the index ``reports (year, template, status, failed_checks, …)``, which holds all they
  read: one walk of it for all of them.

A filter on one of these columns (``?province=…``, ``?year=2020``) is Datasette's own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args

REGION_COLUMNS = ("province", "city", "county", "level", "region_code")
COUNTED_COLUMNS = ("year", "template", "status", "failed_checks")  # in the order of their index
BY_PLACE = {"current_reports"}  # tables whose region columns depend on (portal_id, agency_id) alone


def sqlite_order(value: Any) -> tuple[int, Any]:
    """A sort key ordering values as SQLite does: numbers, then text, then blobs."""
    return (1, value) if isinstance(value, (int, float)) else (2, value) if isinstance(value, str) else (3, value)


class OnePassFacet(Facet):
    """Facets of several columns counted by one GROUP BY of the page's rows (see the module's docstring)."""

    allowed: tuple[str, ...] = ()  # the columns this type counts

    def group_by(self, names: list[str]) -> str:
        raise NotImplementedError

    def columns(self) -> list[tuple[str, str]]:
        """(column, source) of the facets of this type asked for, on a table where they are counted together."""
        if self.table not in BY_PLACE:
            return []
        found = [((c["config"].get("column") or c["config"]["simple"]), c["source"]) for c in self.get_configs()]
        return [(column, source) for column, source in dict(found).items() if column in self.allowed]

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        columns = self.columns()
        if not columns:
            return [], []
        names = [column for column, _ in columns]
        sql = f"select {', '.join(names)}, count(*) from ({self.sql}) group by {self.group_by(names)}"
        try:
            groups = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                           custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        except QueryInterrupted:
            return [], names
        size = self.get_facet_size()
        results = []
        for i, (column, source) in enumerate(columns):
            counts: Counter[Any] = Counter()
            for row in groups.rows:
                if row[i] is not None:
                    counts[row[i]] += row[-1]
            # as a column facet orders: most reports first, then by value
            ranked = sorted(counts.items(), key=lambda item: (-item[1], sqlite_order(item[0])))
            results.append({
                "name": column,
                "type": self.type,
                "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
                "results": [self._value(column, value, count) for value, count in ranked[:size]],
                "truncated": len(ranked) > size,
            })
        return results, []

    def _value(self, column: str, value: Any, count: int) -> dict[str, Any]:
        selected = (column, str(value)) in self.get_querystring_pairs()
        toggle = (path_with_removed_args(self.request, {column: str(value)}) if selected
                  else path_with_added_args(self.request, {column: value}))
        return {"value": value, "label": value, "count": count, "selected": selected,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle))}


class RegionFacet(OnePassFacet):
    type = "region"
    allowed = REGION_COLUMNS

    def group_by(self, names: list[str]) -> str:
        return "portal_id, agency_id"


class CountedFacet(OnePassFacet):
    type = "counted"
    allowed = COUNTED_COLUMNS

    def group_by(self, names: list[str]) -> str:
        return ", ".join(sorted(names, key=COUNTED_COLUMNS.index))  # the index's order: it walks it, sorting nothing


@hookimpl
def register_facet_classes():
    return [RegionFacet, CountedFacet]
