"""How each portal's crawl went: ``ok``, ``blocked``, ``suspect`` or ``failed``, and why.

- ``blocked``: some answer was a challenge or block page (crawler/blocking.py); nothing read from
  it counts, and no report of the portal is marked removed in that run.
- ``failed``: list pages could not be fetched and none could be read.
- ``suspect``: the lists were read but gave no report links, or fewer than half of what the last
  good run found — the site's structure may have changed, so the family or registry entry needs a look.
  Only runs that read every list page are compared: one whose paging stopped early at a page of
  known reports (crawler/revisit.py) sees fewer links by design.
- ``ok``: otherwise.

The outcome is kept per run in ``crawl_run_portals`` (``outcome``, ``outcome_reason``,
``report_links``); ``nianbao portals --health`` lists each portal's latest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SUSPECT_RATIO = 0.5  # fewer report links than this share of the last good run's is suspect


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reason: str | None = None


def portal_outcome(pages: int, failures: list[str], blocked: list[str], links: int, last_good: int | None) -> Outcome:
    if blocked:
        more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
        return Outcome("blocked", blocked[0] + more)
    if not pages:
        return Outcome("failed", failures[0] if failures else "no list page could be read")
    if links == 0:
        return Outcome("suspect", f"no report links on {pages} list page(s)")
    if last_good and links < last_good * SUSPECT_RATIO:
        return Outcome("suspect", f"{links} report links, the last good run found {last_good}")
    return Outcome("ok")


def latest_outcomes(db_path: str) -> list[dict[str, object]]:
    """Each portal's latest run outcome, worst first (blocked, failed, suspect, ok)."""
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("""
            select rp.portal_id, p.name, rp.run_id, r.started_at, coalesce(rp.outcome, 'unknown') as outcome,
                   rp.outcome_reason, rp.report_links, rp.pages
            from crawl_run_portals rp
            join crawl_runs r on r.id = rp.run_id
            left join portals p on p.id = rp.portal_id
            where rp.run_id = (select max(run_id) from crawl_run_portals where portal_id = rp.portal_id)
            order by case coalesce(rp.outcome, 'unknown') when 'blocked' then 0 when 'failed' then 1
                     when 'suspect' then 2 when 'unknown' then 3 else 4 end, rp.portal_id""").fetchall()
    return [dict(row) for row in rows]
