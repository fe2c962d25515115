"""The archive's tables, indexes and views, as data.

``archive.db.open_archive`` creates what is missing and adds missing columns,
so a database made by an older nianbao keeps working.  Table and column
names are the archive's public schema (the site, the history pages and
people's saved queries use them): add, never rename.

``figures.value`` is declared ``NUMERIC`` so counts stay integers and money
stays decimal in the same column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COUNTERS = {
    "pages": int,
    "reports_new": int,
    "reports_changed": int,
    "reports_unchanged": int,
    "reports_removed": int,
    "reports_not_due": int,  # listed, known, not requested: the revisit policy said not yet (table listings)
    "errors": int,
    "articles_failed": int,  # report articles that could not be fetched (404, 500, redirect loop, no answer)
    "bytes": int,
}


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, Any]
    pk: str | tuple[str, ...] | None = None
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    not_null: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    backfill: dict[str, str] = field(default_factory=dict)  # column -> SQL filling it in an older archive


TABLES: list[TableSpec] = [
    TableSpec(
        "portals",
        {
            "id": str,
            "name": str,
            "province": str,
            "city": str,
            "county": str,
            "region_code": str,
            "level": str,
            "base_url": str,
        },
        pk="id",
    ),
    TableSpec(
        "agencies",  # one row per agency name as printed; archive.bodies groups them into bodies
        {"id": int, "name": str, "portal_id": str, "region_code": str,
         "body_id": int, "relation": str, "first_year": int, "last_year": int, "reports": int},
        pk="id",
        foreign_keys=[("portal_id", "portals", "id")],  # body_id: bodies is rebuilt, so not a declared key
        not_null=("name",),
    ),
    TableSpec(
        "bodies",  # one row per government body, its names grouped (archive.bodies, rebuilt before publishing)
        {
            "id": int,  # the smallest agencies.id of its names: /agency/<id>
            "name": str,
            "other_names": str,  # JSON list: aliases and former names
            "kind": str,  # government (人民政府) or department
            "level": str,  # province, city or county: the level of its region
            "region_code": str,
            "province": str,
            "city": str,
            "county": str,
            "region_source": str,  # name, title or portal: where the region was read
            "portal_id": str,  # the portal that hosts most of its reports
            "first_year": int,
            "last_year": int,
            "reports": int,
        },
        pk="id",
    ),
    TableSpec(
        "concordance",  # figures that mean the same in different templates (archive.series, data/concordance.csv)
        {"series": str, "template": str, "key": str, "label_zh": str, "label_en": str,
         "definition_zh": str, "definition_en": str},
        pk=("series", "template", "key"),
    ),
    TableSpec(
        "body_figures",  # each body's series per year (archive.series.refresh_series, before publishing)
        {"body_id": int, "body": str, "province": str, "city": str, "county": str, "level": str, "year": int,
         "series": str, "label_zh": str, "label_en": str, "value": "ANY", "reports": int, "template": str,
         "report_id": int},
        pk=("body_id", "year", "series"),
    ),
    TableSpec(
        "crawl_runs",
        {"id": int, "started_at": str, "ended_at": str, "status": str, "portals": int} | COUNTERS
        | {"host": str, "pid": int},  # the crawl's process, so a killed run can be told from a live one
        pk="id",
        defaults={name: 0 for name in ["portals", *COUNTERS]},
    ),
    TableSpec(
        "crawl_run_portals",
        {"run_id": int, "portal_id": str} | COUNTERS | {"error": str}
        # How the portal's crawl went: ok, blocked (a challenge page), suspect (few or no report
        # links: the site changed?) or failed; why; and how many report links its lists gave.
        | {"outcome": str, "outcome_reason": str, "report_links": int}
        # 1: every list page of the portal was read (a full walk: removal detection ran); 0: paging
        # stopped early at a page showing nothing new (crawler/revisit.py); null: a list page failed
        # or was blocked, or the run ended before its lists were done.
        | {"lists_complete": int},
        pk=("run_id", "portal_id"),
        foreign_keys=[("run_id", "crawl_runs", "id"), ("portal_id", "portals", "id")],
        defaults={name: 0 for name in COUNTERS},
    ),
    TableSpec(
        "documents",
        {"sha256": str, "size": int, "format": str, "content_type": str, "content": bytes, "first_seen": str},
        pk="sha256",
    ),
    TableSpec(
        "reports",
        {
            "id": int,
            "portal_id": str,
            "url": str,
            "title": str,
            "agency_id": int,
            "agency": str,
            "year": int,
            "template": str,
            "status": str,
            "first_seen": str,
            "last_seen": str,
            "removed_at": str,
            "current_version_id": int,
            "listing_url": str,
            "failed_checks": int,  # the current version's, here so facets need not read report_versions
        },
        pk="id",
        foreign_keys=[
            ("portal_id", "portals", "id"),
            ("agency_id", "agencies", "id"),
        ],  # current_version_id points into report_versions; not a declared key (the two refer to each other)
        defaults={"status": "active"},
        backfill={
            "failed_checks": "(select failed_checks from report_versions where id = reports.current_version_id)"
        },
    ),
    TableSpec(
        "report_urls",  # every article URL a report was seen at (sites move URLs)
        {"portal_id": str, "url": str, "report_id": int, "first_seen": str},
        pk=("portal_id", "url"),
        foreign_keys=[("portal_id", "portals", "id"), ("report_id", "reports", "id")],
    ),
    TableSpec(
        "listings",  # a known report listed in a run but not requested, its revisit not being due
        {"run_id": int, "report_id": int, "portal_id": str, "url": str, "listing_url": str, "title": str,
         "seen_at": str, "next_due": str},
        pk=("run_id", "report_id"),
        foreign_keys=[("run_id", "crawl_runs", "id"), ("report_id", "reports", "id"), ("portal_id", "portals", "id")],
    ),
    TableSpec(
        "report_versions",
        {
            "id": int,
            "report_id": int,
            "version_no": int,
            "content_hash": str,
            "article_sha256": str,
            "document_sha256": str,
            "document_role": str,  # "attachment" or "article": where the figures came from
            "document_url": str,
            "fetched_at": str,
            "run_id": int,
            "parser_version": str,
            "parsed_at": str,
            "title": str,
            "agency": str,
            "year": int,
            "published": str,
            "template": str,
            "format": str,
            "text": str,
            "errors": str,  # JSON list
            "notes": str,  # JSON list
            "page_meta": str,  # JSON object: 索引号, 发布机构, 发文日期 … as printed on the article page
            "needs_ocr": int,
            "ocr": int,  # some figures or text were read by OCR from pictures (see figures.source)
            "parse_ok": int,
            "figure_count": int,
            "failed_checks": int,
        },
        pk="id",
        foreign_keys=[
            ("report_id", "reports", "id"),
            ("article_sha256", "documents", "sha256"),
            ("document_sha256", "documents", "sha256"),
            ("run_id", "crawl_runs", "id"),
        ],
    ),
    TableSpec(
        "fetches",
        {
            "id": int,
            "run_id": int,
            "portal_id": str,
            "report_id": int,
            "role": str,  # "article" or "attachment"
            "url": str,
            "final_url": str,
            "status": int,
            "fetched_at": str,
            "sha256": str,
            "content_type": str,
            "error": str,
            "not_modified": int,
            "warc_file": str,
            "warc_record_id": str,
            "etag": str,
            "last_modified": str,
            "exchange_key": str,  # hash of the exchange, so ingesting a capture twice adds no row
        },
        pk="id",
        foreign_keys=[
            ("run_id", "crawl_runs", "id"),
            ("portal_id", "portals", "id"),
            ("report_id", "reports", "id"),
            ("sha256", "documents", "sha256"),
        ],
    ),
    TableSpec(
        "refused_links",  # links a crawl would not fetch (not http(s), another host, a private address)
        {"id": int, "run_id": int, "portal_id": str, "url": str, "kind": str, "reason": str, "found_on": str,
         "at": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    ),
    TableSpec(
        "version_documents",  # every document of a version and how it parsed, so reparse can re-choose
        {
            "version_id": int,
            "sha256": str,
            "url": str,
            "role": str,
            "position": int,
            "format": str,
            "template": str,
            "parse_ok": int,
            "errors": str,
            "is_main": int,
        },
        pk=("version_id", "sha256"),
        foreign_keys=[("version_id", "report_versions", "id"), ("sha256", "documents", "sha256")],
    ),
    TableSpec(
        "figures",
        {
            "version_id": int,
            "key": str,
            "value": "ANY",
            "inferred": int,
            "table_index": int,
            "row": int,
            "col": int,
            "page": int,
            "cell_text": str,
            "source": str,  # "ocr": read from a picture by OCR; NULL: read from text
            "confidence": float,  # the OCR recogniser's confidence in the cell (0-1)
        },
        pk=("version_id", "key"),
        foreign_keys=[("version_id", "report_versions", "id")],
    ),
    TableSpec(
        "checks",
        {"version_id": int, "rule": str, "ok": int, "detail": str},
        pk=("version_id", "rule"),
        foreign_keys=[("version_id", "report_versions", "id")],
    ),
    TableSpec(
        "raw_tables",
        {"version_id": int, "table_index": int, "title": str, "page": int, "rows": str,
         "spans": str},  # JSON [[row, col, rowspan, colspan], ...]; null when the source does not say
        pk=("version_id", "table_index"),
        foreign_keys=[("version_id", "report_versions", "id")],
    ),
    TableSpec(
        "sections",
        {"version_id": int, "position": int, "number": str, "heading": str, "text": str},
        pk=("version_id", "position"),
        foreign_keys=[("version_id", "report_versions", "id")],
    ),
    TableSpec(
        "changes",  # a report's history: new, edited (figure changes + text diff), removed, restored
        {
            "id": int,
            "report_id": int,
            "version_id": int,  # the new version (edited/new), the current one when removed/restored
            "from_version_id": int,  # edited: the version it is compared with
            "kind": str,
            "at": str,
            "run_id": int,
            "summary": str,
            "figure_changes": str,  # JSON list of {key, old, new, added, dropped}
            "text_diff": str,  # unified diff of the extracted text
        },
        pk="id",
        foreign_keys=[
            ("report_id", "reports", "id"),
            ("version_id", "report_versions", "id"),
            ("run_id", "crawl_runs", "id"),
        ],
        not_null=("report_id", "kind", "at"),
    ),
    TableSpec(
        "reparse_log",  # what a reparse changed, so a figure once shown is never lost
        {
            "id": int,
            "version_id": int,
            "reparsed_at": str,
            "old_parser_version": str,
            "new_parser_version": str,
            "old_document_sha256": str,
            "new_document_sha256": str,
            "changed_figures": str,  # JSON {key: [old, new]}
            "old_errors": str,
            # JSON {field: [old, new]}: every version column (title, year, agency, text, errors…) and every
            # parsed-row table (figures, checks, raw_tables, sections, version_documents: lists of rows) that changed
            "changed_fields": str,
        },
        pk="id",
        foreign_keys=[("version_id", "report_versions", "id")],
    ),
]

# (table, columns, unique)
INDEXES: list[tuple[str, tuple[str, ...], bool]] = [
    ("agencies", ("name",), True),
    ("agencies", ("body_id",), False),
    ("bodies", ("province", "city"), False),
    ("body_figures", ("series", "year"), False),
    ("fetches", ("exchange_key",), True),
    ("fetches", ("run_id",), False),
    ("fetches", ("report_id",), False),
    ("fetches", ("url",), False),
    ("fetches", ("sha256",), False),
    ("refused_links", ("run_id",), False),
    ("reports", ("portal_id", "url"), False),
    # the facets of current_reports: each walks one of these in order, reading nothing else of reports (its
    # region joins need portal_id and agency_id, a search's filter current_version_id), so it sorts nothing
    ("reports", ("portal_id", "agency_id", "current_version_id"), False),
    ("reports", ("year", "portal_id", "agency_id", "current_version_id"), False),
    ("reports", ("template", "portal_id", "agency_id", "current_version_id"), False),
    ("reports", ("status", "portal_id", "agency_id", "current_version_id"), False),
    ("reports", ("failed_checks", "portal_id", "agency_id", "current_version_id"), False),
    # the facets with few values, counted together (nianbao/site/facets.py): one walk for all four
    ("reports", ("year", "template", "status", "failed_checks", "portal_id", "agency_id", "current_version_id"), False),
    ("reports", ("agency_id",), False),
    ("reports", ("agency", "year"), False),
    ("reports", ("current_version_id",), False),  # the site: which hits are current versions
    ("reports", ("year", "current_version_id"), False),  # the search page: hits newest year first
    ("report_urls", ("report_id",), False),
    ("report_versions", ("report_id", "version_no"), True),
    ("report_versions", ("document_sha256",), False),
    ("report_versions", ("year",), False),
    ("version_documents", ("sha256",), False),
    ("figures", ("key",), False),
    ("figures", ("key", "value"), False),
    ("checks", ("rule",), False),
    ("checks", ("ok",), False),
    ("reparse_log", ("version_id",), False),
    ("changes", ("report_id",), False),
    ("changes", ("version_id",), False),
    ("changes", ("at",), False),
]


def _current_version(column: str) -> str:
    return f"(select v.{column} from report_versions v where v.id = r.current_version_id) as {column}"


# A report's current version's columns, each looked up by primary key rather than joined: a facet or a
# count over current_reports then never reads report_versions, whose rows are large (the text is inline);
# a join read one for every report (Datasette's table page with facets: ~4 s at 100,000 reports).
def _current_versions(columns: str) -> str:
    return ", ".join(map(_current_version, columns.split()))


# Everything a report page shows as the report's own words, one document per version: title, agency,
# full text, table titles and every distinct table cell (in table order), one per line.  The search
# indexes are built from it and `instr(document, …)` over it is the search's ground truth.
SEARCH_DOCUMENTS = """
select v.id as version_id,
  coalesce(v.title, '') || char(10) || coalesce(v.agency, '') || char(10) || coalesce(v.text, '')
  || coalesce((select char(10) || group_concat(t.title, char(10)) from raw_tables t
               where t.version_id = v.id and t.title != ''), '')
  || coalesce((select char(10) || group_concat(cell, char(10)) from (
       select c.atom as cell from raw_tables t, json_each(t.rows) r, json_each(r.value) c
       where t.version_id = v.id and c.atom != ''
       group by c.atom order by min(t.table_index * 1000000 + r.key * 1000 + c.key))), '') as document
from report_versions v
"""


# The body's region (archive.bodies, built before publishing); until a report's name has a body, its portal's
def _region(columns: str) -> str:
    return ", ".join(f"case when b.id is null then p.{c} else b.{c} end as {c}" for c in columns.split())


# What a journalist reads first (title, who, when, where, kind, state) before the ids, URLs and files
VIEWS: dict[str, str] = {
    "current_reports": f"""
select
  r.title, r.agency, r.year, {_region("province city county level")}, r.template, r.status, r.failed_checks,
  {_current_versions("figure_count needs_ocr parse_ok published format")},
  r.first_seen, r.last_seen, r.removed_at,
  r.id as report_id, r.current_version_id as version_id, {_current_versions("version_no fetched_at")},
  r.portal_id, p.name as portal, {_region("region_code")}, r.agency_id, a.body_id, b.name as body, r.url,
  {_current_versions("document_role document_url document_sha256 article_sha256 parser_version errors")}
from reports r
left join portals p on p.id = r.portal_id
left join agencies a on a.id = r.agency_id
left join bodies b on b.id = a.body_id
""",
    "search_documents": SEARCH_DOCUMENTS,
    "current_figures": f"""
select
  f.version_id, r.id as report_id, r.agency, r.year, r.template, r.portal_id,
  {_region("region_code province city county")},
  f.key, f.value, f.inferred, f.table_index, f.row, f.col, f.page, f.cell_text, f.source, f.confidence, a.body_id
from figures f
join reports r on r.current_version_id = f.version_id
left join portals p on p.id = r.portal_id
left join agencies a on a.id = r.agency_id
left join bodies b on b.id = a.body_id
""",
    "current_checks": """
select
  c.version_id, r.id as report_id, r.agency, r.year, r.template, r.portal_id,
  c.rule, c.ok, c.detail
from checks c
join reports r on r.current_version_id = c.version_id
""",
}
