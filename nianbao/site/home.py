"""The home page's own facts: what the archive holds, when it was last crawled, where to start.

templates/index.html shows them above Datasette's database listing; every number comes from the database.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import format_bytes

from nianbao.archive.site import archive_database

HOLDINGS_SQL = """
select
  (select count(*) from reports where status != 'removed') as reports,
  (select count(*) from reports where status = 'removed') as removed,
  (select count(distinct agency) from reports where agency is not null and agency != '') as agencies,
  (select count(distinct province) from portals where province is not null and province != '') as provinces,
  (select min(year) from reports) as first_year,
  (select max(year) from reports) as last_year,
  (select count(distinct report_id) from current_checks where ok = 0) as contradicting,
  (select max(ended_at) from crawl_runs where status = 'finished') as last_crawl
"""


async def home_context(datasette, request) -> dict:
    db = archive_database(datasette)
    holdings = dict((await db.execute(HOLDINGS_SQL)).rows[0])
    queries = await datasette.get_canned_queries(db.name, request.actor if request else None)
    return {
        "archive": db.name,
        "holdings": holdings,
        "canned_queries": [
            {"name": name, "title": query.get("title") or name, "url": datasette.urls.query(db.name, name)}
            for name, query in queries.items()
        ],
        "download": {
            "url": datasette.urls.database(db.name) + ".db",
            "name": f"{db.name}.db",
            "size": format_bytes(db.size),
        }
        if datasette.setting("allow_download") and not db.is_mutable and not db.is_memory
        else None,
    }


@hookimpl
def extra_template_vars(view_name, datasette, request):
    if view_name != "index":
        return {}

    async def inner() -> dict:
        return {"home": await home_context(datasette, request)}

    return inner
