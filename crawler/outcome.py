"""What ``nianbao crawl`` tells a scheduler (cron, systemd, Scrapyd wrappers) through its exit status.

- 0: every portal's list pages were read;
- 1: some portal failed (list pages that did not load, nothing read): its error is in
  ``crawl_run_portals.error``; the other portals were crawled and archived; or report articles a
  list linked could not be fetched (404, 500, a redirect loop, no answer: ``articles_failed``, and
  each in ``fetches``); or the crawl was stopped before it finished (SIGTERM, a Scrapyd cancel: the
  run is 'interrupted');
- 2: nothing could be done: no portal could be read, or the archive could not be opened.

A portal that answered with a challenge or block page (``blocked``) counts as failed.  A portal
flagged ``suspect`` (its lists gave no or far fewer report links: crawler/health.py) is named in
the summary but does not change the status: its lists were read.

A report whose attachment 404s is a finding, not a failure: it does not change the status.
"""

from __future__ import annotations

import sqlite3

OK, SOME_PORTALS_FAILED, NOTHING_DONE = 0, 1, 2


def run_exit_status(db_path: str, run_id: int | None) -> tuple[int, list[str]]:
    """The exit status of run ``run_id`` and one line per failed portal."""
    if run_id is None:
        return NOTHING_DONE, ["the crawl never opened the archive (see the log above)"]
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "select portal_id, pages, error, articles_failed from crawl_run_portals where run_id = ? order by portal_id",
            [run_id],
        ).fetchall()
        (status,) = conn.execute("select status from crawl_runs where id = ?", [run_id]).fetchone()
    failed = [f"{portal}: {error or 'no list page could be read'}" for portal, pages, error, _ in rows if error or not pages]
    if not rows or len(failed) == len(rows):
        return NOTHING_DONE, failed or ["no portal was crawled"]
    failed += [f"{portal}: {articles} report article(s) could not be fetched (see fetches)"
               for portal, _, _, articles in rows if articles]
    if status == "interrupted":
        failed.append("the crawl was stopped before it finished; the next run picks up what it missed")
    return (SOME_PORTALS_FAILED if failed else OK), failed


def suspect_portals(db_path: str, run_id: int | None) -> list[str]:
    """One line per portal of the run flagged suspect (structure changed?)."""
    if run_id is None:
        return []
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select portal_id, outcome_reason from crawl_run_portals where run_id = ? "
                            "and outcome = 'suspect' order by portal_id", [run_id]).fetchall()
    return [f"{portal}: {reason}" for portal, reason in rows]
