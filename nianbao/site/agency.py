"""A page per body (``/agency/<id>``, ``.csv``), bodies side by side (``/compare``, ``.csv``), and finding a
body by any part of its names (``/agencies?q=中卫市``).  The page logic is ``archive.agency``."""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from nianbao.archive.agency import body_csv, body_of, body_page, compare, compare_csv, find_bodies
from nianbao.archive.series import all_series
from nianbao.archive.site import archive_database, line_chart

MAX_COMPARED = 8


def _csv(text: str, filename: str) -> Response:
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def agency_page(datasette, request):
    db = archive_database(datasette)
    asked = int(request.url_vars["id"])
    body_id = await db.execute_fn(lambda conn: body_of(conn, asked))
    if body_id is None:
        raise NotFound(f"no agency {asked}")
    if body_id != asked:  # another name of a body: its page is the body's
        return Response.redirect(datasette.urls.path(f"/agency/{body_id}{request.url_vars.get('ext') or ''}"))
    page = await db.execute_fn(lambda conn: body_page(conn, body_id))
    if page is None:
        raise NotFound(f"no agency {asked}")
    if request.url_vars.get("ext") == ".csv":
        return _csv(body_csv(page), f"agency-{body_id}.csv")
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
    return list(dict.fromkeys(int(v) for v in values if v.isdigit()))[:MAX_COMPARED]


async def compare_page(datasette, request):
    db = archive_database(datasette)
    series = all_series()
    chosen = series.get(request.args.get("series") or "", next(iter(series.values())))
    asked = _ids(request.args.getlist("body"))
    ids = [b for b in [await db.execute_fn(lambda conn, a=a: body_of(conn, a)) for a in asked] if b is not None]
    table = await db.execute_fn(lambda conn: compare(conn, list(dict.fromkeys(ids)), chosen))
    if request.url_vars.get("ext") == ".csv":
        return _csv(compare_csv(table), f"compare-{chosen.name}.csv")
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
        (r"^/agency/(?P<id>\d+)(?P<ext>\.csv)?$", agency_page),
        (r"^/compare(?P<ext>\.csv)?$", compare_page),
        (r"^/agencies$", agencies_page),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/agencies"), "label": "机关 Agencies"},
            {"href": datasette.urls.path("/compare"), "label": "对比 Compare"}]
