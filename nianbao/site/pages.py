"""The site's own pages: a report as printed (/report/<id>), its raw file (/raw/<sha256>), charts (/charts)."""

from __future__ import annotations

import json
import mimetypes
import re
import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from nianbao.archive.agency import find_bodies
from nianbao.archive.site import (
    archive_database,
    check_keys,
    english_labels,
    explain_check,
    figure_labels,
    grouped_keys,
    line_chart,
    remerge,
)
from nianbao.parsers.ocr import LOW_CONFIDENCE
from nianbao.parsers.pictures import page_png
from nianbao.site.args import ID, parse_id
from nianbao.site.limits import longer_values
from nianbao.site.search import marked_report

EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "wps": ".wps", "html": ".html", "text": ".txt"}


async def _one(db, sql: str, params: list) -> dict | None:
    rows = (await db.execute(sql, params)).rows
    return dict(rows[0]) if rows else None


async def _all(db, sql: str, params: list) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def report_page(datasette, request):
    db = archive_database(datasette)
    report_id = parse_id(request.url_vars["id"])
    if report_id is None:
        raise NotFound("no such report")
    report = await _one(
        db,
        "select r.*, p.name as portal, p.base_url as portal_url, a.body_id, b.name as body, b.province, b.city, "
        "b.county, b.level from reports r left join portals p on p.id = r.portal_id "
        "left join agencies a on a.id = r.agency_id left join bodies b on b.id = a.body_id where r.id = ?",
        [report_id],
    )
    if report is None:
        raise NotFound(f"no report {report_id}")
    version_arg = request.args.get("version")
    if version_arg:
        version_no = parse_id(version_arg)
        sql, params = "select * from report_versions where report_id = ? and version_no = ?", [report_id, version_no]
    else:
        sql, params = "select * from report_versions where id = ?", [report["current_version_id"]]
    version = await _one(db, sql, params)
    if version_arg and version is None:
        raise NotFound(f"report {report_id} has no version {version_arg}")
    versions = await _all(
        db, "select id, version_no, fetched_at from report_versions where report_id = ? order by version_no",
        [report_id],
    )
    query = request.args.get("q", "")
    context = {"report": report, "version": version, "versions": versions, "database": db.name, "q": query,
               "questions": report_questions(datasette, db.name, report)}
    if version:
        context["citation"] = citation(datasette, request, report, version)
    context["failed_fetches"] = await _all(
        db,
        "select url, role, status, error, max(fetched_at) as fetched_at from fetches "
        "where report_id = ? group by url having status = 0 or status >= 400 order by url",  # latest fetch failed
        [report_id],
    )
    if version:
        context |= await _version_context(db, version)
    await marked_report(context, query, request.args.get("case") == "1")
    return Response.html(await datasette.render_template("nianbao_report.html", context, request=request))


def citation(datasette, request, report: dict, version: dict) -> dict:
    """What to cite: the report as archived, this version's file and its hash, and a link that stays."""
    permalink = datasette.absolute_url(request, datasette.urls.path(f"/report/{report['id']}?version={version['version_no']}"))
    return {
        "title": report["title"] or version["title"],
        "body": report["body"] or report["agency"],
        "year": report["year"],
        "source": report["url"],
        "version_no": version["version_no"],
        "fetched_at": version["fetched_at"],
        "sha256": version["document_sha256"],
        "permalink": permalink,
    }


# Canned queries a report page links to, with the parameters this report fills in
QUESTIONS = [
    ("appeals_most", "本地区被复议、诉讼最多的机关", "Bodies taken to review or court most in this region", ("province",)),
    ("refusals_by_reason", "本地区不予公开的理由及比例", "Refusal rates by reason in this region", ("province", "year")),
    ("biggest_changes_in_requests", "申请数量变化最大的机关", "Biggest year-over-year changes in requests", ("province",)),
    ("missing_reports", "缺少年度报告的机关", "Bodies with no report for a year", ("province",)),
    ("contradictions_by_region", "本地区数字自相矛盾的报告", "Contradictions in this region, in plain words", ("province", "city")),
]


def report_questions(datasette, database: str, report: dict) -> list[dict]:
    return [
        {"zh": zh, "en": en,
         "url": datasette.urls.query(database, name) + "?" + urllib.parse.urlencode({p: report.get(p) or "" for p in params})}
        for name, zh, en, params in QUESTIONS
    ]


async def _version_context(db, version: dict) -> dict:
    vid = version["id"]
    figures = await _all(db, "select * from figures where version_id = ?", [vid])
    checks = await _all(
        db, "select rule, ok, detail from checks where version_id = ? order by ok, rule", [vid]
    )
    keys = {f["key"] for f in figures}
    failing: dict[str, list[str]] = {}  # key -> plain-words reasons
    explained = []
    for check in checks:
        if not check["ok"]:
            zh, en = explain_check(check["rule"], check["detail"])
            explained.append({"rule": check["rule"], "zh": zh, "en": en, "detail": check["detail"]})
            for key in check_keys(check["rule"], keys):
                failing.setdefault(key, []).append(zh)
    labels, english = figure_labels(), english_labels()
    for f in figures:
        f["label"], f["unit"] = labels.get(f["key"], (f["key"], ""))
        f["label_en"] = english.get(f["key"], "")
        f["failing"] = failing.get(f["key"], [])
        f["verify"] = needs_checking(f)
    cell_notes = {
        (f["table_index"], f["row"], f["col"]): f for f in figures if f["table_index"] is not None
    }
    tables = []
    for t in await _all(db, "select * from raw_tables where version_id = ? order by table_index", [vid]):
        spans = None if t.get("spans") is None else json.loads(t["spans"])
        grid = remerge(json.loads(t["rows"] or "[]"), spans)
        tables.append({"title": t["title"], "page": t["page"], "index": t["table_index"], "grid": grid})
    order = {key: i for i, key in enumerate(labels)}
    return {
        "figures": sorted(figures, key=lambda f: (not f["failing"], order.get(f["key"], len(order)))),
        "checks": checks,
        "failed": explained,
        "tables": tables,
        "cell_notes": cell_notes,
        "ocr_figures": sum(1 for f in figures if f.get("source") == "ocr"),
        "to_verify": sum(1 for f in figures if f["verify"]),
        "read_errors": json.loads(version.get("errors") or "[]"),
        "documents": await _all(
            db,
            "select vd.sha256, vd.url, vd.role, vd.format, vd.is_main, d.size from version_documents vd "
            "left join documents d on d.sha256 = vd.sha256 where vd.version_id = ? order by vd.position",
            [vid],
        ),
    }


def needs_checking(figure: dict) -> bool:
    """A figure read by OCR that a person should check against the page: unsure, or failing a check."""
    if figure.get("source") != "ocr":
        return False
    confidence = figure.get("confidence")
    return bool(figure["failing"]) or (confidence is not None and confidence < LOW_CONFIDENCE)


async def page_image(datasette, request):
    """Page (or table picture) n of a stored document as an image, to check OCR'd figures against."""
    db = archive_database(datasette)
    row = await _one(db, "select content, format from documents where sha256 = ?", [request.url_vars["sha256"]])
    number = parse_id(request.url_vars["page"])
    image = page_png(row["content"], row["format"] or "", number) if row and number else None
    if image is None:
        raise NotFound("no such page")
    return Response(image[0], content_type=image[1])


async def raw_document(datasette, request):
    """The stored bytes of a document, as a download with a sensible file name."""
    db = archive_database(datasette)
    sha = request.url_vars["sha256"]

    def read(conn):
        with longer_values(conn):  # a stored file may be longer than what other queries may build
            row = conn.execute("select content, content_type, format from documents where sha256 = ?", [sha]).fetchone()
        return None if row is None else dict(row)

    row = await db.execute_fn(read)
    if row is None:
        raise NotFound("no such document")
    extension = EXTENSIONS.get(row["format"] or "", "")
    content_type = (row["content_type"] or mimetypes.types_map.get(extension) or "application/octet-stream")
    urls = await _all(db, "select url from version_documents where sha256 = ? union all "
                          "select url from fetches where sha256 = ? limit 1", [sha, sha])
    name = original_file_name(urls[0]["url"] if urls else None, extension) or f"{sha[:16]}{extension}"
    return Response(
        row["content"],
        content_type=content_type.split(";")[0] if "html" in content_type else content_type,
        headers={"Content-Disposition": content_disposition(name)},
    )


def original_file_name(url: str | None, extension: str) -> str | None:
    """The file's name as the portal served it (the URL's last segment, decoded), with its extension."""
    if not url:
        return None
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]).strip()
    name = re.sub(r'[\\/"\x00-\x1f]', "_", name)
    if not name:
        return None
    return name if "." in name.lstrip(".") or not extension else name + extension


def content_disposition(name: str) -> str:
    """An attachment header any browser reads: an ASCII fallback, and the real name in RFC 6266 form."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


async def charts_page(datasette, request):
    """A body's trend for one figure (the body found by any part of its names), and a region's totals per year."""
    db = archive_database(datasette)
    key = request.args.get("key") or "requests.new.total"
    agency = (request.args.get("agency") or "").strip()
    province = request.args.get("province") or ""
    city = request.args.get("city") or ""
    label = figure_labels().get(key, (key, ""))[0]
    matches = await db.execute_fn(lambda conn: find_bodies(conn, agency)) if agency else []
    chosen = request.args.get("body", "")
    body = next((b for b in matches if str(b["id"]) == chosen), None)
    if body is None and matches and (len(matches) == 1 or matches[0]["name"] == agency):
        body = matches[0]
    agency_points = []
    if body:
        rows = await _all(
            db,
            "select year, sum(value) as value from current_figures "
            "where body_id = ? and key = ? and year is not null group by year order by year",
            [body["id"], key],
        )
        agency_points = [(r["year"], r["value"]) for r in rows]
    region_filter = " and ".join(
        clause for clause, value in (("province = :province", province), ("city = :city", city)) if value
    )
    rows = await _all(
        db,
        "select year, sum(value) as value, count(distinct report_id) as reports from current_figures "
        f"where key = :key and year is not null {'and ' + region_filter if region_filter else ''} "
        "group by year order by year",
        {"key": key, "province": province, "city": city},
    )
    region_points = [(r["year"], r["value"]) for r in rows]
    region_name = " ".join(v for v in (province, city) if v) or "全部地区 all regions"
    context = {
        "key": key,
        "label": label,
        "agency": agency,
        "body": body,
        "matches": matches if agency and body is None else [],
        "province": province,
        "city": city,
        "groups": grouped_keys(),
        "agency_chart": line_chart(agency_points, f"{body['name']}：{label}") if body else "",
        "region_chart": line_chart(region_points, f"{region_name}：{label}（合计 total）",
                                   notes={r["year"]: f"{r['reports']} 份 reports" for r in rows}),
        "region_rows": rows,
        "database": db.name,
    }
    return Response.html(await datasette.render_template("nianbao_charts.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (rf"^/report/(?P<id>{ID})$", report_page),
        (r"^/raw/(?P<sha256>[0-9a-f]{64})$", raw_document),
        (rf"^/raw/(?P<sha256>[0-9a-f]{{64}})/page/(?P<page>{ID})$", page_image),
        (r"^/charts$", charts_page),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/charts"), "label": "图表 Charts"}]
