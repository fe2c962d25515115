"""Which links of a list page are report articles, further list pages or sub-columns.

A report article is a link whose title passes the portal's title test and that is either a row of
the family's list or has the URL shape of an article of a known CMS (so a report is found even when
a site redesign renames the list container).  A sub-column (a year or unit folder such as
``…/2025n/bmdw/``, ``…/2021n_5714/``, ``xxgknb_38953/``) is a folder link below the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

# Article URL shapes: TRS t-date, Hanweb /art/, Zhengzhou .jhtml, NFCMS/gkmlpt post_N, gov.cn content_N.
ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+(?:_\d+)?\.s?html?$|/art/\d{4}/|/art_\d+_\d+\.html$|\.jhtml$|/m?post_\d+\.html$|/content_\d+\.s?html?$",
    re.IGNORECASE,
)
# Year or unit sub-column folders (the folder names vary per site, so only their shape is used).
SUB_COLUMN_PATH = re.compile(
    r"/(?:(?:19|20)\d{2}n?(?:_\d+)?|bmdw|xzjd|qzfbm|qzfbgs|xxg[kn]nb_\d+|xxganb_\d+|zfxxgkn(?:b|an)\w*|xxgkndbg_\d+)"
    r"/(?:(?:index|list)\.s?html?)?$",
    re.IGNORECASE,
)
SUB_COLUMN_TEXT = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年?度?|[\u4e00-\u9fff]{0,5}(?:部门|单位|乡镇|街道|镇街|办公室)(?:和|及|、)?(?:单位|街道)?)$")

# A date printed inside the link after the title (郑州: <a><span>title</span><em>2021-01-28</em></a>).
TRAILING_DATE = re.compile(r"\s*[\[（(]?(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?[\]）)]?\s*$")


@dataclass(frozen=True)
class Link:
    url: str
    title: str


def link_title(link: Selector) -> str:
    """A link's title: the title attribute (lists often truncate the text with …), else its text."""
    text = link.attrib.get("title") or " ".join(link.css("::text").getall())
    return TRAILING_DATE.sub("", re.sub(r"\s+", " ", text)).strip()


def page_links(page: Selector, base: str, css: str = "a[href]") -> list[Link]:
    links = []
    for a in page.css(css):
        href = (a.attrib.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
            links.append(Link(urljoin(base, href), link_title(a)))
    return links


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_URL.search(urlsplit(url).path))


def is_file_url(url: str, extensions: tuple[str, ...]) -> bool:
    return urlsplit(url).path.rsplit(".", 1)[-1].lower() in extensions


def is_leaf_page(link: Link, roots: tuple[str, ...]) -> bool:
    """A page below a column that is not itself a list (index/list pages, folders)."""
    path = urlsplit(link.url).path
    name = path.rsplit("/", 1)[-1]
    return link.url.startswith(roots) and bool(re.search(r"\.(?:s?html?|jhtml|jsp)$", name)) and not re.match(
        r"(?:index|list|default)(?:_\d+)?\.", name)


def column_root(url: str) -> str:
    """The folder a column's pages live in: sub-columns are below it."""
    return url.split("?", 1)[0].rsplit("/", 1)[0] + "/"


def is_sub_column(link: Link, roots: tuple[str, ...]) -> bool:
    """A folder below one of the portal's columns, named or titled like a year or unit sub-column."""
    url = link.url.split("#", 1)[0]
    if not url.startswith(roots) or column_root(url) in roots or is_article_url(url):
        return False
    return bool(SUB_COLUMN_PATH.search(urlsplit(url).path) or SUB_COLUMN_TEXT.match(link.title.replace(" ", "")))
