"""Region facets counted per place instead of per report: ``facets: [{region: province}, …]`` in metadata.yml.

A report's region in ``current_reports`` (province, city, county, level, region code) is its body's, or
its portal's before it has a body: a function of ``(portal_id, agency_id)``.  Datasette's column facet
groups every matching report by the region expression, which means joining and sorting every report
once per facet (~50 ms each at 100,000 reports).  This facet groups the matching reports by
``(portal_id, agency_id)`` along an index, once for all the region facets of the page, and adds up the
few groups per region.  The counts and the links are those of a column facet; a region filter
(``?province=…``) is Datasette's own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args

REGION_COLUMNS = ("province", "city", "county", "level", "region_code")
BY_PLACE = {"current_reports"}  # tables whose region columns depend on (portal_id, agency_id) alone


class RegionFacet(Facet):
    type = "region"

    def columns(self) -> list[tuple[str, str]]:
        """(column, source) of the region facets asked for, on a table where they are counted by place."""
        if self.table not in BY_PLACE:
            return []
        found = [((c["config"].get("column") or c["config"]["simple"]), c["source"]) for c in self.get_configs()]
        return [(column, source) for column, source in dict(found).items() if column in REGION_COLUMNS]

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        columns = self.columns()
        if not columns:
            return [], []
        names = [column for column, _ in columns]
        sql = f"select {', '.join(names)}, count(*) from ({self.sql}) group by portal_id, agency_id"
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
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))  # as a column facet orders
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


@hookimpl
def register_facet_classes():
    return [RegionFacet]
