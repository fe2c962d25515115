"""Datasette pages for a report's history and the archive's recent changes, plus an Atom feed.

- ``/report/<id>/history``: the report's versions and events; ``?a=<version id>&b=<version id>``
  compares any two side by side (figures, then text with the changed characters marked).
- ``/changes``: recent changes across the archive (``?kind=edited`` …) and how fresh each portal is.
- ``/changes.atom``: the same changes as an Atom feed (``?kind=``, ``?portal=``) to subscribe to.

The diffs are computed here from the stored versions (``archive.diff``); the ``changes`` table
holds the events and the diff against the previous version (``archive.history``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, NotFound, Response

from nianbao.archive.diff import figure_changes, side_by_side
from nianbao.archive.feeds import KINDS, change_filters, feed_query
from nianbao.archive.search import QueryError, index_is_current
from nianbao.archive.site import english_labels, figure_labels, summary_in_words
from nianbao.site.args import ID, parse_id, web_link

KIND_LABELS = {"new": "新增 new", "edited": "修改 edited", "removed": "删除 removed", "restored": "恢复 restored"}
FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"


@hookimpl
def register_routes():
    return [
        (rf"^/report/(?P<report_id>{ID})/history$", history_page),
        (r"^/changes$", changes_page),
        (r"^/changes\.atom$", changes_feed),
    ]


async def _rows(db, sql: str, params: dict[str, Any] | list[Any] | None = None) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(sql, params or {})).rows]


async def history_page(datasette, request) -> Response:
    db = datasette.get_database()
    report_id = parse_id(request.url_vars["report_id"])
    if report_id is None:
        raise NotFound("no such report")
    reports = await _rows(db, "select r.*, p.name as portal_name from reports r "
                              "left join portals p on p.id = r.portal_id where r.id = ?", [report_id])
    if not reports:
        raise NotFound(f"no report {report_id}")
    versions = await _rows(db, """
        select v.id, v.version_no, v.fetched_at, v.run_id, v.content_hash, v.document_sha256, v.document_url,
               v.format, v.parser_version, v.figure_count, v.failed_checks, v.title,
               (select f.warc_file from fetches f where f.report_id = v.report_id and f.sha256 = v.document_sha256
                order by f.id limit 1) as warc_file,
               (select f.warc_record_id from fetches f where f.report_id = v.report_id
                and f.sha256 = v.document_sha256 order by f.id limit 1) as warc_record_id
        from report_versions v where v.report_id = ? order by v.version_no""", [report_id])
    events = await _rows(db, "select * from changes where report_id = ? order by at, id", [report_id])
    context = {"report": reports[0], "versions": versions, "events": events, "kind_labels": KIND_LABELS,
               "database": db.name, "comparison": await _comparison(db, versions, request.args)}
    return Response.html(await datasette.render_template("history.html", context, request=request))


async def _comparison(db, versions: list[dict[str, Any]], args) -> dict[str, Any] | None:
    """Versions ``a`` and ``b`` (by id; default the previous and the current) side by side."""
    by_id = {v["id"]: v for v in versions}
    if len(versions) < 2 and not args.get("a"):
        return None
    a = _version_arg(args.get("a"), by_id) or versions[-2]["id"]
    b = _version_arg(args.get("b"), by_id) or versions[-1]["id"]
    texts = {row["id"]: row["text"] or "" for row in
             await _rows(db, "select id, text from report_versions where id in (?, ?)", [a, b])}
    figures = {}
    for version_id in (a, b):
        figures[version_id] = {row["key"]: row["value"] for row in
                               await _rows(db, "select key, value from figures where version_id = ?", [version_id])}
    labels, english = figure_labels(), english_labels()
    return {
        "a": by_id[a], "b": by_id[b],
        "figures": [{"change": c, "label": labels.get(c.key, ("", ""))[0],
                     "label_en": english.get(c.key, "")} for c in figure_changes(figures[a], figures[b])],
        "rows": side_by_side(texts[a], texts[b]),
    }


def _version_arg(value: str | None, by_id: dict[int, Any]) -> int | None:
    if value is None:
        return None
    version_id = parse_id(value)
    if version_id not in by_id:
        raise NotFound(f"version {value} is not a version of this report")
    return version_id


async def _recent(db, args, limit: int) -> list[dict[str, Any]]:
    try:  # in a database thread, as the search's parsing and planning always run
        where, params = await db.execute_fn(lambda conn: change_filters(args, indexed=index_is_current(conn)))
    except QueryError as exc:  # over the search's limits, as on the search page
        raise BadRequest(str(exc)) from exc
    return await _rows(db, f"""
        select c.*, r.title, r.agency, r.year, r.portal_id, r.url, r.status, p.name as portal_name
        from changes c join reports r on r.id = c.report_id left join portals p on p.id = r.portal_id
        where {where} order by c.at desc, c.id desc limit {int(limit)}""", params)


async def changes_page(datasette, request) -> Response:
    db = datasette.get_database()
    freshness = await _rows(db, """
        select p.id as portal_id, p.name, rp.run_id, r.started_at, r.ended_at, r.status, rp.pages,
               rp.reports_new, rp.reports_changed, rp.reports_unchanged, rp.reports_removed, rp.errors, rp.bytes,
               rp.error
        from portals p
        join crawl_run_portals rp on rp.run_id = (select max(run_id) from crawl_run_portals where portal_id = p.id)
             and rp.portal_id = p.id
        join crawl_runs r on r.id = rp.run_id
        order by p.id""")
    context = {"changes": await _recent(db, request.args, 200), "freshness": freshness, "kinds": KINDS,
               "feed_query": feed_query(request.args), "filters": await _filter_names(db, request.args),
               "kind_labels": KIND_LABELS, "selected": request.args.getlist("kind"), "database": db.name}
    return Response.html(await datasette.render_template("changes.html", context, request=request))


async def changes_feed(datasette, request) -> Response:
    db = datasette.get_database()
    changes = await _recent(db, request.args, FEED_SIZE)
    feed = ET.Element("feed", xmlns=ATOM)
    names = await _filter_names(db, request.args)
    _text(feed, "title", "nianbao: changes to government information-disclosure annual reports"
          + (f" — {' · '.join(names)}" if names else ""))
    _text(feed, "id", datasette.absolute_url(request, "/changes.atom"))
    _text(feed, "updated", _atom_time(changes[0]["at"] if changes else None))
    ET.SubElement(feed, "link", rel="self", href=xml_safe(datasette.absolute_url(request, request.full_path)))
    ET.SubElement(feed, "link", rel="alternate", href=datasette.absolute_url(request, "/changes"))
    _text(ET.SubElement(feed, "author"), "name", "nianbao")
    for change in changes:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", datasette.absolute_url(request, f"/changes#change-{change['id']}"))
        _text(entry, "title", f"[{change['kind']}] {change['title'] or change['url']}")
        _text(entry, "updated", _atom_time(change["at"]))
        ET.SubElement(entry, "link", href=datasette.absolute_url(request, _history_link(change)))
        ET.SubElement(entry, "category", term=change["kind"])
        _text(entry, "summary", summary_in_words(change["summary"]))
        if change["text_diff"]:
            _text(entry, "content", change["text_diff"], type="text")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


# Characters XML 1.0 cannot carry at all, not even as &#…; references: C0 controls but tab and line breaks,
# lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with each character XML cannot hold shown as its Unicode control picture (U+0001 -> ␁) or U+FFFD."""
    return _NOT_XML.sub(lambda m: chr(0x2400 + ord(m[0])) if m[0] < " " else "\ufffd", text)


def _text(parent: ET.Element, tag: str, text: str | None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = None if text is None else xml_safe(text)
    return element


def _history_link(change: dict[str, Any]) -> str:
    if change["kind"] == "edited" and change["from_version_id"]:
        return f"/report/{change['report_id']}/history?a={change['from_version_id']}&b={change['version_id']}"
    return f"/report/{change['report_id']}/history"


def _atom_time(value: str | None) -> str:
    """RFC 3339 as Atom wants it; the archive stores ISO 8601 UTC already."""
    return value or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _filter_names(db, args) -> list[str]:
    """What the page or feed is narrowed to, in words: the body's name, the region, the search words."""
    names = []
    agency = parse_id(args.get("agency"))
    if agency is not None:
        rows = await _rows(db, "select b.name from bodies b join agencies a on a.body_id = b.id where a.id = ?",
                           [agency])
        names.append(rows[0]["name"] if rows else f"agency {args['agency']}")
    if args.get("region"):
        names.append(args["region"])
    if args.get("q"):
        names.append(f"“{args['q']}”")
    return names


@hookimpl
def extra_template_vars():
    return {"history_link": _history_link, "web_link": web_link, "in_words": summary_in_words}
