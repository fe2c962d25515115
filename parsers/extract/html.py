"""HTML report pages → Document: headings, paragraphs and table grids in reading order.

Handles what portals publish: Word "save as web page" markup (``mso``
styles, ``<span>`` soup, ``<o:p>``, ``&nbsp;``, ``<br>`` inside labels),
rowspan/colspan (expanded: a merged cell's text is repeated in every
position it covers; the spans kept in ``Table.spans``), layout tables wrapping the real tables (descended
into, not flattened), and the portal page around the article (navigation
and footer are skipped when an article body container is recognised).
"""

from __future__ import annotations

import base64
import re

from lxml import etree
from lxml.cssselect import CSSSelector

from nianbao.parsers.encoding import decode_html
from nianbao.parsers.extract.builder import DocumentBuilder, clean_text, join_lines, mark_table_pictures
from nianbao.parsers.extract.spans import Owners
from nianbao.parsers.limits import HTML_MAX_DEPTH, MAX_SPAN, MAX_TABLE_CELLS, Deadline, LimitExceeded, guarded
from nianbao.parsers.model import Document

# Article body containers of portal CMSs (TRS, Hanweb, 郑州 public, gkmlpt/NFCMS …), most specific
# first.  The crawler's families (crawler/families/article.py) use this same list to find attachments.
ARTICLE_BODY_SELECTORS = (
    "div.zz-xl-ct",
    "div.TRS_Editor",
    "div.trs_editor_view",
    "div.gkxl-article",
    "#UCAP-CONTENT",
    "#zoom",
    "#con_con",
    "div.content-txt",
    "div.news_cont_d_wrap",
    "div.view",
    "div.article-content",
    ".article-content",
    "div.pages_content",
    "div.xxgk_content",
    "div.wzy",
    "div.content_text",
    "div.Custom_UnionStyle",
    "article",
)
# Portal metadata labels printed around the article → Document.meta keys.
META_LABELS = {
    "索引号": "index_number",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发文日期": "written",
    "成文日期": "written",
    "发布日期": "published",
    "公开日期": "published",
    "发文字号": "document_number",
    "文号": "document_number",
}
# <meta name=…> tags CMSs put in the head → Document.meta keys.
META_TAGS = {"articletitle": "article_title", "pubdate": "published", "contentsource": "publisher"}

_SKIP = {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "select", "button",
         "input", "textarea", "svg", "#comment"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol", "li", "dl",
           "dt", "dd", "blockquote", "center", "form", "pre", "address", "hr", "figure", "figcaption", "caption",
           "table", "tr", "td", "th", "body", "html"}
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_LABEL_RE = re.compile("(" + "|".join(sorted(META_LABELS, key=len, reverse=True)) + r")[：:]")
_BODY_SELECTORS = [CSSSelector(s) for s in ARTICLE_BODY_SELECTORS]
_MIN_BODY_CHARS = 1  # an empty template container is not the article
_META_VALUE_MAX = 200
_META_SCAN_NODES = 5000


def _tag(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return "#comment"
    return element.tag.lower()


def _hidden(element: etree._Element) -> bool:
    style = element.get("style")
    return bool(style and "none" in style.lower() and _HIDDEN.search(style))


def _own(element: etree._Element, path: str) -> list[etree._Element]:
    """Rows of a table / cells of a row, not those of tables nested inside."""
    return [e for e in element.xpath(path) if not _hidden(e)]


def _rows(table: etree._Element) -> list[etree._Element]:
    return _own(table, "./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def _cells(row: etree._Element) -> list[etree._Element]:
    return _own(row, "./td|./th")


def cell_text(element: etree._Element) -> str:
    """The text of a cell or heading; ``<br>`` and inner blocks are line breaks, joined CJK-style."""
    lines = [""]

    def visit(node: etree._Element) -> None:
        tag = _tag(node)
        if tag in _SKIP or _hidden(node):
            return
        if tag == "br" or tag in _BLOCKS:
            lines.append("")
        lines[-1] += node.text or ""
        for child in node:
            visit(child)
            lines[-1] += child.tail or ""
        if tag in _BLOCKS:
            lines.append("")

    visit(element)
    return join_lines(lines)


def _span(value: str | None, limit: int, zero: int = 1) -> int:
    """A rowspan/colspan as a count in 1..limit; 0 counts as ``zero`` (rowspan=0: to the end)."""
    match = re.match(r"\s*(\d+)", value or "")
    if not match:
        return 1
    n = int(match.group(1))
    return zero if n == 0 else min(n, limit)


def table_grid(table: etree._Element, deadline: Deadline) -> tuple[list[list[str]], Owners]:
    """The table as a grid of texts with rowspan/colspan expanded (first cell wins on overlap),
    and which cell fills each position (see :mod:`parsers.extract.spans`)."""
    rows = _rows(table)
    grid: list[dict[int, tuple[int, str]]] = [{} for _ in rows]  # column -> (cell number, text)
    placed = 0
    number = 0
    for r, row in enumerate(rows):
        deadline.check()
        col = 0
        for cell in _cells(row):
            while col in grid[r]:
                col += 1
            text = cell_text(cell)
            rowspan = _span(cell.get("rowspan"), len(rows) - r, zero=len(rows) - r)
            colspan = _span(cell.get("colspan"), MAX_SPAN)
            placed += rowspan * colspan
            if placed > MAX_TABLE_CELLS:
                raise LimitExceeded(f"a table spans more than {MAX_TABLE_CELLS:,} cells")
            number += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[r + dr].setdefault(col + dc, (number, text))
            col += colspan
    filled = [[row.get(c, (None, "")) for c in range(max(row) + 1)] for row in grid if row]
    return [[text for _, text in row] for row in filled], [[owner for owner, _ in row] for row in filled]


def _is_layout_table(table: etree._Element) -> bool:
    """A table whose cells hold other tables is page layout, not data."""
    return any(cell.xpath(".//table") for row in _rows(table) for cell in _cells(row))


class _Flow:
    """Walks the body in reading order, gathering inline text into paragraphs."""

    def __init__(self, builder: DocumentBuilder) -> None:
        self.builder = builder
        self.parts: list[str] = []

    def flush(self) -> None:
        self.builder.add_text("".join(self.parts))
        self.parts = []

    def walk(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag in _SKIP or _hidden(element):
            return
        if tag in _HEADINGS:
            self.flush()
            self.builder.add_text(cell_text(element), heading=True)
            return
        if tag == "table":
            self.flush()
            self.table(element)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            self.builder.add_picture(picture_bytes(element.get("src") or ""))
            return
        block = tag in _BLOCKS
        if block:
            self.flush()
        self.parts.append(element.text or "")
        for child in element:
            self.walk(child)
            self.parts.append(child.tail or "")
        if block:
            self.flush()

    def table(self, table: etree._Element) -> None:
        if _is_layout_table(table):
            for row in _rows(table):
                for cell in _cells(row):
                    self.walk(cell)
        else:
            rows, owners = table_grid(table, self.builder.deadline)
            self.builder.add_table(rows, owners=owners)


_DATA_URI = re.compile(r"^\s*data:image/[\w.+-]+;base64,", re.IGNORECASE)


def picture_bytes(src: str) -> bytes | None:
    """The bytes of a picture written into the page (``data:image/png;base64,...``); None for a link."""
    match = _DATA_URI.match(src)
    if not match:
        return None
    try:
        return base64.b64decode(src[match.end():], validate=False)
    except ValueError:
        return None


def article_body(root: etree._Element) -> etree._Element | None:
    """The first recognised article container with real content, else the <body>."""
    for selector in _BODY_SELECTORS:
        candidates = [(len(clean_text(e.xpath("string()"))), e) for e in selector(root)]
        candidates = [(n, e) for n, e in candidates if n >= _MIN_BODY_CHARS or e.xpath(".//table")]
        if candidates:
            return max(candidates, key=lambda c: c[0])[1]
    return root.find("body") if root.find("body") is not None else root


def page_meta(root: etree._Element) -> dict[str, str]:
    """<title>, CMS <meta> tags and the 索引号/发布机构/成文日期/文号 block portals print."""
    meta: dict[str, str] = {}
    title = clean_text(root.findtext(".//title") or "")
    if title:
        meta["title"] = title
    for tag in root.iterfind(".//meta"):
        key = META_TAGS.get((tag.get("name") or "").lower())
        content = clean_text(tag.get("content") or "")
        if key and content:
            meta.setdefault(key, content[:_META_VALUE_MAX])
    for node in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")[:_META_SCAN_NODES]:
        if "：" not in node and ":" not in node:
            continue
        text = _compact(node)
        matches = list(_LABEL_RE.finditer(text))
        for m, match in enumerate(matches):
            end = matches[m + 1].start() if m + 1 < len(matches) else len(text)
            value = text[match.end() : end] or (_value_beside(node) if m + 1 == len(matches) else "")
            if value:
                meta.setdefault(META_LABELS[match.group(1)], value[:_META_VALUE_MAX])
    return meta


def _compact(text: str) -> str:
    """Text without any whitespace: labels are printed as 索 引 号 or 文\u3000\u3000号."""
    return re.sub(r"\s+", "", text)


def _value_beside(label: etree._ElementUnicodeResult) -> str:
    """The value printed in the element after a label's own element (<td>索引号：</td><td>…</td>)."""
    if not label.is_text:
        return ""
    sibling = label.getparent().getnext()
    value = _compact(sibling.xpath("string()")) if sibling is not None else ""
    return "" if _LABEL_RE.match(value) or value.endswith(("：", ":")) else value


def _limit_error(parser: etree.HTMLParser) -> str | None:
    """What stopped libxml2 early, in words: nesting too deep, or one text run over its 10 MB limit."""
    messages = [entry.message.lower() for entry in parser.error_log]
    if any("depth" in m for m in messages):
        return (f"html: elements nested deeper than {HTML_MAX_DEPTH} levels; "
                "parsing stopped there and the rest of the page was not read")
    if any("huge" in m or "buffer size limit" in m for m in messages):
        return ("html: one run of text on the page is longer than 10 MB (libxml2's limit, kept on purpose); "
                "parsing stopped there and the rest of the page was not read")
    return None


@guarded("html")
def extract(data: bytes, charset: str | None = None) -> Document:
    """Extract an HTML page; ``charset`` is the HTTP header's, if known (it may lie)."""
    text, encoding = decode_html(data, charset)
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    builder = DocumentBuilder("html")
    document = builder.document
    if root is None:
        document.errors.append("html: no markup could be parsed")
        return document
    document.meta = {**page_meta(root), "encoding": encoding}
    body = article_body(root)
    flow = _Flow(builder)
    flow.walk(body)
    flow.flush()
    limit_error = _limit_error(parser)
    if limit_error:
        document.errors.append(limit_error)
    elif not document.blocks:
        document.errors.append("html: the page has no text or tables (rendered by JavaScript?)")
    mark_table_pictures(document)
    return document

