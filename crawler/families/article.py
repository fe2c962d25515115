"""Reading a report article page: its metadata, its attachments and its further pages.

Metadata comes from three places, all kept: ``<meta>`` tags (ArticleTitle, PubDate, ContentSource,
…), label/value cells with or without a colon (``<th>发文字号</th><td>…</td>``, ``<dt>所属机构：</dt><dd>``,
``<span>生成日期</span><span>…</span>``) and "label：value" runs of text in a metadata block
(``索  引  号: … 生成日期: …``).  Attachments are report files linked from the body, from a 相关附件 /
附件 block anywhere on the page, or by a download URL no page decoration uses (Hanweb
``downfile.jsp``, gkmlpt ``/attachment/``).
"""

from __future__ import annotations

import re
from itertools import islice
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector, SelectorList, css2xpath

from nianbao.crawler.families.links import link_title
from nianbao.parsers.extract.html import ARTICLE_BODY_SELECTORS

META_TAGS = ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "Keywords", "Author")
CELL_XPATH = css2xpath("td, th, dt, span, label, li, b, strong, em, div.label, p")
# Blocks that may be a 附件 block: only those whose text holds 附 at all (a necessary condition of
# ATTACHMENT_BLOCK, checked in C) have their heading read in Python: half the time on a report page.
BLOCK_XPATH = "descendant-or-self::*[self::div or self::ul or self::p or self::dl or self::table or self::span]" \
              "[contains(., '附')]"
LABEL_NOISE = re.compile(r"[\s\u3000:：]")
ATTACHMENT_BLOCK = re.compile(r"^\s*(?:相关附件|附件下载|附\s*件)\s*[:：]?")
DOWNLOAD_HREF = re.compile(r"downfile\.jsp|/attachment/\d|/module/download/", re.IGNORECASE)
SEPARATORS = (">", "›", "»", ">>")
VALUE_END = re.compile(r"[\s\u3000•·|丨]+$")  # bullets and bars between label/value pairs


def body(page: Selector, family_body: str = "") -> Selector | None:
    """The article body: the first selector (the family's, then the shared list) that matches text."""
    for css in [s for s in family_body.split(",") if s.strip()] + list(ARTICLE_BODY_SELECTORS):
        for element in page.css(css):
            if (element.xpath("string()").get() or "").strip() or element.css("table, a"):
                return element
    return None


def meta_tags(page: Selector) -> dict[str, str]:
    found = {}
    for name in META_TAGS:
        value = page.xpath(f"//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
                           f"='{name.lower()}']/@content").get()
        if value and value.strip():
            found[name] = value.strip()
    return found


def label_cells(page: Selector, labels: tuple[str, ...]) -> dict[str, str]:
    """A cell whose whole text is a label (spaces and colon optional) and the cell after it.

    A report page has thousands of cells (its tables): they are read as lxml elements, a parsel
    selector is made only for a label's value."""
    known = set(labels)
    found: dict[str, str] = {}
    for cell in page.root.xpath(CELL_XPATH):
        label = LABEL_NOISE.sub("", "".join([cell.text or "", *(child.tail or "" for child in cell)]))
        if label not in known or label in found or any(_is_element(c) and c.tag != "br" for c in cell):
            continue
        after = next((s for s in cell.itersiblings() if _is_element(s)), None)
        value = _text(Selector(root=after)) if after is not None else ""
        if value and LABEL_NOISE.sub("", value) not in known:
            found[label] = value
    return found


def meta_pairs(block: str, labels: tuple[str, ...]) -> dict[str, str]:
    """Label: value pairs from the text of a metadata block; labels may be spaced (索 引 号).

    A value ends at a line break or where the next label starts: a known one, or any short Chinese
    word and a colon (so an empty 文号 does not swallow the 标题 after it)."""
    spaced = "|".join(r"[\s\u3000]*".join(map(re.escape, label)) for label in labels)
    pattern = re.compile(rf"({spaced})[\s\u3000]*[:：][ \t\u3000]*([^\n]*?)\s*(?=(?:{spaced}|[\u4e00-\u9fff]{{2,6}})[\s\u3000]*[:：]|\n|$)")
    pairs = {re.sub(r"[\s\u3000]+", "", m.group(1)): VALUE_END.sub("", m.group(2)) for m in pattern.finditer(block)}
    return {label: value for label, value in pairs.items() if value}


def page_meta(page: Selector, labels: tuple[str, ...], block_css: str, breadcrumb_css: str) -> dict[str, str]:
    """Everything the page says about the report, as printed; the breadcrumb as ``breadcrumb``."""
    blocks = " ".join(_text(b) for b in page.css(block_css)) if block_css else ""
    meta = meta_tags(page) | meta_pairs(blocks, labels) | label_cells(page, labels)
    crumbs = [c for c in (_text(c) for c in page.css(breadcrumb_css)) if c and c not in SEPARATORS]
    if crumbs:
        meta["breadcrumb"] = " > ".join(crumbs)
    return meta


def attachment_urls(page: Selector, url: str, family_body: str, extensions: tuple[str, ...],
                    text_test: re.Pattern[str]) -> list[str]:
    """Report files linked from the body or a 附件 block, and download links anywhere, in page order."""
    regions = [r for r in [body(page, family_body)] if r is not None]
    regions += [Selector(root=b) for b in page.root.xpath(BLOCK_XPATH) if ATTACHMENT_BLOCK.match(_heading(b))]
    found: dict[str, None] = {}
    for region in regions or [page]:
        for link in region.css("a[href]"):
            href = urljoin(url, link.attrib["href"].strip())
            extension = urlsplit(href).path.rsplit(".", 1)[-1].lower()
            if extension in extensions or text_test.search(link_title(link)):
                found[href] = None
    for link in page.css("a[href]"):
        if DOWNLOAD_HREF.search(link.attrib["href"]) or "nfw-cms-attachment" in link.attrib.get("class", ""):
            found[urljoin(url, link.attrib["href"].strip())] = None
    return list(found)


def _text(selection: Selector | SelectorList[Selector]) -> str:
    return re.sub(r"[\s\u3000]+", " ", " ".join(selection.css("::text").getall())).strip()


def _heading(element: etree._Element) -> str:
    """The first three of a block's own text nodes and its first child element's (where 附件： is printed)."""
    texts = [element.text] if element.text else []
    first = next((c for c in element if _is_element(c)), None)
    for child in element:
        if len(texts) >= 3:
            break
        if child is first and first is not None:
            texts += islice(first.itertext(), 3)  # its descendants' text nodes, as .//text()
        if child.tail:
            texts.append(child.tail)
    return "".join(texts[:3])


def _is_element(node: etree._Element) -> bool:
    return isinstance(node.tag, str)  # not a comment or processing instruction
