"""Search that finds any string: the table search box (``?_search=``) and the site-wide page ``/-/search``.

Datasette's own search hands the query to FTS, which drops one- and
two-character terms; the archive's tables carry no Datasette-visible FTS
table, so that code does nothing here and this plugin filters instead with
``archive.search`` (exact substring semantics, every term required).

Parsing and planning a query, like the SQL, run in Datasette's database
threads (``execute_fn``), never on the event loop, so no query can stall
other pages; a query over the term limit is refused with a 400 and a message.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import BadRequest, Response
from markupsafe import Markup

from nianbao.archive.search import (
    Highlighter,
    Match,
    QueryError,
    index_is_current,
    match_query,
    parse_query,
    search,
    term_forms,
)
from nianbao.archive.site import archive_database
from nianbao.site.args import page_number
from nianbao.site.database import PublishedDatabase

# table or view -> its column holding a report_versions id
SEARCHABLE = {"reports": "current_version_id", "report_versions": "id", "current_reports": "version_id"}
COUNTED = {"reports": "reports", "report_versions": "report_versions", "current_reports": "reports"}  # its rows
PAGE_SIZE = 20
FIRST_HIT = "#" + Highlighter.FIRST  # appended to links into a report page: the browser scrolls to the first hit
LAST_PAGE = 10_000  # 200,000 hits: more than the archive holds reports
TOO_SLOW = "搜索超时，请加入更多字词 — the search took too long; add words"


@hookimpl(trylast=True)  # last, so its extra_context wins over the built-in search's supports_search=False
def filters_from_request(request, database, table, datasette):
    column = SEARCHABLE.get(table)
    if column is None:
        return None

    async def inner():
        query = request.args.get("_search", "")
        context = {"supports_search": True, "search": query}
        if not query.strip():  # no search: nothing to ask the database
            return FilterArguments([], extra_context=context)

        db = datasette.get_database(database)

        def plan(conn: sqlite3.Connection) -> tuple[Match | None, str]:
            found = match_query(query, indexed=index_is_current(conn))
            if found is None or not isinstance(db, PublishedDatabase):
                return found, "" if found is None else f"[{column}] in ({found.sql})"
            rows = conn.execute(f"select count(*) from {COUNTED[table]}").fetchone()[0]
            return found, db.search_filter(conn, found.sql, found.params, column, rows)

        try:
            found, where = await db.execute_fn(plan)
        except QueryError as exc:
            raise BadRequest(str(exc)) from exc
        except sqlite3.OperationalError as exc:  # the time limit, while computing the matching set
            raise BadRequest(TOO_SLOW if "interrupted" in str(exc) else str(exc)) from exc
        if found is None:
            return FilterArguments([], extra_context=context)
        also = f"（同时搜索 also searched {' '.join(found.also_searched)}）" if found.also_searched else ""
        return FilterArguments(
            [where],
            found.params,
            [f"报告内容包含 the report shows {query.strip()}{also}"],
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

    error, result, status = None, None, 200
    try:
        result = await db.execute_fn(run)
    except QueryError as exc:
        error, status = str(exc), 400
    except sqlite3.OperationalError as exc:  # the time limit, or a database that is not an archive
        error = TOO_SLOW if "interrupted" in str(exc) else str(exc)
    context = {
        "q": query,
        "case": case_sensitive,
        "page": page,
        "page_size": PAGE_SIZE,
        "result": result if result and result.terms else None,
        "error": error,
        "database": db.name,
        "first_hit": FIRST_HIT,
    }
    return Response.html(await datasette.render_template("nianbao_search.html", context, request=request), status=status)


async def marked_report(context: dict[str, Any], query: str, case_sensitive: bool) -> None:
    """What a report page shows (title, agency, table titles and cells, full text) as HTML with the search
    terms marked in page order, so the first mark is the page's first hit; in a thread: the text can be long."""
    def mark() -> dict[str, Any]:
        groups: list[tuple[str, ...]] = []
        error = None
        try:
            groups = term_forms(parse_query(query))
        except QueryError as exc:  # the page is shown without marks, saying why
            error = str(exc)
        highlighter = Highlighter([form for forms in groups for form in forms], case_sensitive)
        marked: dict[str, Any] = {
            "query_error": error,
            "title_html": Markup(highlighter(context["report"]["title"])),
            "agency_html": Markup(highlighter(context["report"]["agency"])),
            "also_searched": [form for forms in groups for form in forms[1:]],
            "cell_html": {},
        }
        for table in context.get("tables", []):
            marked["cell_html"][table["index"]] = Markup(highlighter(table["title"]))
            for row in table["grid"]:
                for cell in row:
                    marked["cell_html"][(table["index"], cell.row, cell.col)] = Markup(highlighter(cell.text))
        marked["text_html"] = Markup(highlighter((context.get("version") or {}).get("text")))
        marked["has_hit"] = highlighter.found
        return marked

    context |= await asyncio.to_thread(mark)


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/search"), "label": "搜索全文 Search the reports"}]
