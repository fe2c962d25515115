"""JavaScript pagers of list pages (and multi-page articles), read without running them.

TRS WCM draws a list's page links with a script call; a crawler following "下一页" links sees
page 1 only.  The real forms (shared/portals/README.md §1-2):

- ``createPageHTML(pages, current0, "index", "html")``  (4 arguments; page N is ``index_N.html``)
- ``createPageHTML(records, pages, current0, "index", "html")``  (Beijing; which number is which is
  inferred from there being three before the name)
- ``createPageHTML('page_div', pages, current1, 'prefix', 'shtml', records)``  (page N is
  ``prefix_N.shtml``, page 1 ``prefix.shtml``)
- ``createPage(pages, current0, "index", "html")``  (Chongqing)
- any of these with variables instead of literals (``var countPage = 5``), and articles split over
  pages with ``var countPage = N//共多少页``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

CALL = re.compile(r"(?<![\w.])(function\s+)?(createPageHTML|createPage)\s*\(([^()]*)\)")
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")


@dataclass(frozen=True)
class Pager:
    pages: int
    current: int  # 0-based
    name: str
    ext: str
    first_suffix: int = 1  # the number of the first page after page 1: index_1 (WCM) or prefix_2 (page_div)

    def urls(self, base: str) -> list[str]:
        """The other pages, when read on the first one (later pages add nothing new)."""
        if self.current != 0:
            return []
        return [urljoin(base, f"{self.name}_{n}.{self.ext}")
                for n in range(self.first_suffix, self.first_suffix + self.pages - 1)]


def find_pager(script: str) -> Pager | None:
    """The first pager call in the scripts of a page whose arguments can be read."""
    for match in CALL.finditer(script):
        if match.group(1):  # the pager's own definition, not a call
            continue
        args = [_resolve(a.strip(), script) for a in _split(match.group(3))]
        if None in args:
            continue
        pager = _pager([a for a in args if a is not None])
        if pager:
            return pager
    return None


def next_pages(script: str, url: str) -> list[str]:
    pager = find_pager(script)
    return pager.urls(url) if pager else []


def article_pages(script: str, url: str) -> list[str]:
    """The further pages of an article split over several (t2021…_1.html, …)."""
    pager = find_pager(script)
    if pager is None:
        count = COUNT_PAGE.search(script)
        if not count:
            return []
        name, _, ext = urlsplit(url).path.rsplit("/", 1)[-1].partition(".")
        pager = Pager(int(count.group(1)), 0, name, ext or "html")
    return pager.urls(url)


def _split(args: str) -> list[str]:
    return [a for a in re.split(r",(?=(?:[^'\"]*['\"][^'\"]*['\"])*[^'\"]*$)", args) if a.strip()]


def _resolve(arg: str, script: str) -> str | int | None:
    """A literal, or a variable's value assigned in the same scripts (None: cannot tell)."""
    if re.fullmatch(r"-?\d+", arg):
        return int(arg)
    quoted = re.fullmatch(r"""(['"])(.*)\1""", arg)
    if quoted:
        return quoted.group(2)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        assigned = re.search(rf"(?<![\w.$]){re.escape(arg)}\s*=\s*([^;,\n/]+)", script)
        if assigned and assigned.group(1).strip() != arg:
            return _resolve(assigned.group(1).strip(), script)
    return None


def _pager(args: list[str | int]) -> Pager | None:
    if args and isinstance(args[0], str):  # 'page_div', pages, current (1-based), prefix, ext, records
        if len(args) >= 5 and isinstance(args[1], int) and isinstance(args[2], int):
            return Pager(args[1], args[2] - 1, str(args[3]), str(args[4]), first_suffix=2)
        return None
    first_name = next((i for i, a in enumerate(args) if isinstance(a, str)), len(args))
    numbers, names = args[:first_name], [str(a) for a in args[first_name:] if isinstance(a, str)]
    if len(numbers) < 2:
        return None
    pages, current = (numbers[1], numbers[2]) if len(numbers) >= 3 else (numbers[0], numbers[1])
    return Pager(int(pages), int(current), names[0] if names else "index", names[1] if len(names) > 1 else "html")
