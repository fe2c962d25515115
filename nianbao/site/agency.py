"""A page per body (``/agency/<id>``, ``.csv``), bodies side by side (``/compare``, ``.csv``), and finding a
body by any part of its names (``/agencies?q=中卫市``).  The page logic is ``archive.agency``."""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from nianbao.archive.agency import body_csv, body_of, body_page, compare, compare_csv, find_bodies
from nianbao.archive.series import all_series
from nianbao.archive.site import archive_database, line_chart
from nianbao.site.args import ID, parse_id

MAX_COMPARED = 8


def _csv(text: str, filename: str) -> Response:
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def _body(datasette, request, suffix: str = "") -> tuple[dict | Response, int]:
    """The body page's data, or the redirect to it when the id is another of its names; 404 if none."""
    db = archive_database(datasette)
    asked = parse_id(request.url_vars["id"])
    body_id = None if asked is None else await db.execute_fn(lambda conn: body_of(conn, asked))
    if body_id is None:
        raise NotFound(f"no agency {request.url_vars['id']}")
    if body_id != asked:  # another name of a body: its page is the body's
        return Response.redirect(datasette.urls.path(f"/agency/{body_id}{suffix}")), body_id
    page = await db.execute_fn(lambda conn: body_page(conn, body_id))
    if page is None:
        raise NotFound(f"no agency {asked}")
    return page, body_id


async def agency_csv(datasette, request):
    page, body_id = await _body(datasette, request, ".csv")
    return page if isinstance(page, Response) else _csv(body_csv(page), f"agency-{body_id}.csv")


async def agency_page(datasette, request):
    db = archive_database(datasette)
    page, _ = await _body(datasette, request)
    if isinstance(page, Response):
        return page
    shown = next((s for s in page["series"] if s["series"].name == request.args.get("series")),
                 page["series"][0] if page["series"] else None)
    chart = ""
    if shown:
        s = shown["series"]
        chart = line_chart([(p["year"], p["value"]) for p in shown["points"]],
                           f"{page['body']['name']}：{s.label_zh} {s.label_en}")
    context = page | {"shown": shown, "chart": chart, "database": db.name}
    return Response.html(await datasette.render_template("nianbao_agency.html", context, request=request))


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))[:MAX_COMPARED]


async def _compared(datasette, request):
    db = archive_database(datasette)
    series = all_series()
    chosen = series.get(request.args.get("series") or "", next(iter(series.values())))
    asked = _ids(request.args.getlist("body"))
    ids = [b for b in [await db.execute_fn(lambda conn, a=a: body_of(conn, a)) for a in asked] if b is not None]
    table = await db.execute_fn(lambda conn: compare(conn, list(dict.fromkeys(ids)), chosen))
    return db, series, chosen, table


async def compare_csv_download(datasette, request):
    _, _, chosen, table = await _compared(datasette, request)
    return _csv(compare_csv(table), f"compare-{chosen.name}.csv")


async def compare_page(datasette, request):
    db, series, chosen, table = await _compared(datasette, request)
    found = []
    query = request.args.get("q", "").strip()
    if query:
        found = await db.execute_fn(lambda conn: find_bodies(conn, query))
    charts = [
        line_chart([(row["year"], cell["value"]) for row in table["rows"] if (cell := row["cells"][i])],
                   f"{body['name']}：{chosen.label_zh}")
        for i, body in enumerate(table["bodies"])
    ]
    context = {"table": table, "series": list(series.values()), "chosen": chosen, "q": query, "found": found,
               "charts": charts, "ids": [b["id"] for b in table["bodies"]], "database": db.name}
    return Response.html(await datasette.render_template("nianbao_compare.html", context, request=request))


async def agencies_page(datasette, request):
    db = archive_database(datasette)
    query = request.args.get("q", "").strip()
    bodies = await db.execute_fn(lambda conn: find_bodies(conn, query, limit=200)) if query else []
    context = {"q": query, "bodies": bodies, "database": db.name}
    return Response.html(await datasette.render_template("nianbao_agencies.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (rf"^/agency/(?P<id>{ID})$", agency_page),
        (rf"^/agency/(?P<id>{ID})\.csv$", agency_csv),
        (r"^/compare$", compare_page),
        (r"^/compare\.csv$", compare_csv_download),
        (r"^/agencies$", agencies_page),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/agencies"), "label": "机关 Agencies"},
            {"href": datasette.urls.path("/compare"), "label": "对比 Compare"}]
