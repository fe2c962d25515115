"""The fallback for a CMS nianbao does not know: report links by title and URL shape, 下一页 links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from nianbao.crawler.families import register
from nianbao.crawler.families.base import Family
from nianbao.crawler.families.links import Link, is_leaf_page

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal


@register
@dataclass(frozen=True)
class Generic(Family):
    name: ClassVar[str] = "generic"
    description: ClassVar[str] = "unknown CMS: links whose title is a report title, JS pagers or 下一页 links"

    def is_candidate(self, link: Link, roots: tuple[str, ...], portal: Portal) -> bool:
        """Any page below the column that is not a list page: the title test alone decides."""
        return super().is_candidate(link, roots, portal) or is_leaf_page(link, roots)
