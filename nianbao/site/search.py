"""Search that finds any string: the table search box (``?_search=``) and the site-wide page ``/-/search``.

Datasette's own search hands the query to FTS, which drops one- and
two-character terms; the archive's tables carry no Datasette-visible FTS
table, so that code does nothing here and this plugin filters instead with
``archive.search`` (exact substring semantics, every term required).
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Response

from nianbao.archive.search import index_is_current, match_sql, search
from nianbao.archive.site import archive_database
from nianbao.site.args import page_number

# table or view -> its column holding a report_versions id
SEARCHABLE = {"reports": "current_version_id", "report_versions": "id", "current_reports": "version_id"}
PAGE_SIZE = 20
LAST_PAGE = 10_000  # 200,000 hits: more than the archive holds reports


@hookimpl(trylast=True)  # last, so its extra_context wins over the built-in search's supports_search=False
def filters_from_request(request, database, table, datasette):
    column = SEARCHABLE.get(table)
    if column is None:
        return None

    async def inner():
        query = request.args.get("_search", "")
        context = {"supports_search": True, "search": query}
        indexed = await datasette.get_database(database).execute_fn(index_is_current)
        planned = match_sql(query, indexed=indexed)
        if planned is None:
            return FilterArguments([], extra_context=context)
        sql, params = planned
        return FilterArguments(
            [f"[{column}] in ({sql})"],
            params,
            [f"正文包含 text contains {query.strip()}"],
            context,
        )

    return inner


async def search_page(datasette, request):
    query = request.args.get("q", "")
    case_sensitive = request.args.get("case") == "1"
    page = page_number(request.args.get("page"), LAST_PAGE)
    db = archive_database(datasette)
    limit_ms = datasette.setting("sql_time_limit_ms")

    def run(conn):
        with sqlite_timelimit(conn, limit_ms):
            offset = (page - 1) * PAGE_SIZE
            return search(conn, query, case_sensitive=case_sensitive, limit=PAGE_SIZE, offset=offset)

    error, result = None, None
    try:
        result = await db.execute_fn(run)
    except sqlite3.OperationalError as exc:  # the time limit, or a database that is not an archive
        error = "搜索超时，请加入更多字词 — the search took too long; add words" if "interrupted" in str(exc) else str(exc)
    context = {
        "q": query,
        "case": case_sensitive,
        "page": page,
        "page_size": PAGE_SIZE,
        "result": result,
        "error": error,
        "database": db.name,
    }
    return Response.html(await datasette.render_template("nianbao_search.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/search"), "label": "搜索全文 Search the reports"}]
