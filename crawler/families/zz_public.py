"""The 郑州 public information-disclosure platform (public.zhengzhou.gov.cn and its county clones).

Lists are query URLs (``/?a=dir&h=1&p=D0104X``, ``/?a=path&d=19&p=D12Y&page=N``) with rows
``ul.page-list > a`` or ``ul.common-list > a`` (title in a ``span``, date in ``em``) and a plain
``&page=N`` parameter; the page count is the second-to-last ``.page-tile a``.  Articles are
``/<code>/<id>.jhtml`` (codes like ``D41X``, ``D42Y``), body ``div.content-txt``.  The metadata block
prints values without labels, in the order 索引号 / 发布机构 / 关键词 / 成文日期 / 发布日期 (the order
is from a third-party copy of a 登封 page; the block's markup is inferred).
Evidence: shared/portals/zhengzhou-public (text renderings) and crawler code cited there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response

from nianbao.crawler.families import register
from nianbao.crawler.families.base import ArticleInfo, Family, selector

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

UNLABELLED_ORDER = ("索引号", "发布机构", "关键词", "成文日期", "发布日期")


@register
@dataclass(frozen=True)
class ZzPublic(Family):
    name: ClassVar[str] = "zz-public"
    description: ClassVar[str] = "郑州 public platform: ?a=…&page=N lists, /<code>/<id>.jhtml articles"
    rows: str = "ul.page-list > a, ul.common-list > a, ul.page-list li a, ul.common-list li a"
    meta: str = "div.content-info, table.gk-info"
    next_link: bool = False
    values: str = "ul.content-info > li"  # the unlabelled metadata values, in UNLABELLED_ORDER

    def list_pages(self, page: Selector, url: str) -> list[str]:
        numbers = [int(t) for t in page.css(".page-tile a::text").getall() if t.strip().isdigit()]
        query = dict(parse_qsl(urlsplit(url).query))
        current = int(query.get("page", "1") or 1)
        if current != 1 or not numbers:
            return []
        return [with_page(url, n) for n in range(2, max(numbers) + 1)]

    def read_article(self, response: Response, portal: Portal) -> ArticleInfo:
        info = super().read_article(response, portal)
        values = [re.sub(r"\s+", " ", " ".join(v.css("::text").getall())).strip()
                  for v in selector(response).css(self.values)]
        info.meta = {label: v for label, v in zip(UNLABELLED_ORDER, values) if v} | info.meta
        return info


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))
