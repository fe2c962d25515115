"""The revisit policy: which reports a crawl asks their portal for again, and which can wait.

An annual report rarely changes once published, yet a crawl that re-requests every article and
attachment costs each small portal server minutes of polite fetching per run.  Like a web
archive's revisit intervals, a known report is re-requested only when its interval has passed
since it was last fetched whole (answered 200 or 304, no document failing):

    interval = clamp(STABLE_FRACTION × days the report has been stable, 0, NIANBAO_REVISIT_MAX_DAYS)

"Stable" counts from the last change the archive saw (its latest version, when there is more than
one), or for a report never seen to change from its publication date (the date it states, else
the January after the year it covers, never later than its first sighting).  So a report edited
last week is revisited on every crawl, one published years ago every ``NIANBAO_REVISIT_MAX_DAYS``
days (default 30): an edit or a removal is found at most that many days (plus one crawl interval)
after it happens.  Always revisited: a report the archive marked removed, one whose last fetch
failed in part for a passing reason (no answer, a server error: unlike a 404, these say nothing
about the document), and any URL the archive does not know.

List pages are revisited the way incremental crawlers do it: a column lists its newest items
first, so its first page (where a new report appears) is read on every crawl, and a further page
only while the page before it showed something the archive does not know (a page whose report
links are all known stops the paging).  Once per ``NIANBAO_REVISIT_MAX_DAYS`` a portal's lists are
walked in full (a *full walk*: when no complete walk was recorded within the bound, in
``crawl_run_portals.lists_complete``); only then does removal detection run for it (a report not
reached because paging stopped is never taken as removed), and every report listed is requested
whose revisit falls due before the next full walk (deep in a column, it will not be listed again
before then).  So an edit or removal anywhere in a column shows within the bound plus one crawl
interval, and a new report on a column's first page on the next crawl.

A listed report whose revisit is not due is recorded in the ``listings`` table for the run (so
removal detection knows it is still listed and never asks for it, and an operator sees when it is
due); its ``last_seen`` stays the last time it was fetched.  ``NIANBAO_REVISIT_MAX_DAYS = 0`` or
``NIANBAO_REVALIDATE`` (``nianbao crawl --revalidate``) revisits everything, every list page included.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.settings import BaseSettings

from nianbao.archive.capture import ListedReport
from nianbao.archive.ingest import canonical_url

STABLE_FRACTION = 0.1  # a report stable for 300 days is revisited every 30 days (or the maximum, if lower)
DEFAULT_MAX_DAYS = 30.0

# When each portal's lists were last walked in full (the run's start).
LAST_FULL_WALKS = """
select p.portal_id, max(r.started_at) from crawl_run_portals p join crawl_runs r on r.id = p.run_id
where p.lists_complete = 1 group by p.portal_id
"""

# One row per known report URL: what the policy needs, read once per crawl.
KNOWN_REPORTS = """
with verified as (
  select report_id, max(fetched_at) as at from fetches
  where role = 'article' and status in (200, 304) and report_id is not null group by report_id
), last_run as (
  select report_id, max(run_id) as run_id from fetches where report_id is not null group by report_id
), incomplete as (
  select distinct f.report_id from fetches f join last_run l on l.report_id = f.report_id and l.run_id = f.run_id
  where f.error is not null and (f.status = 0 or f.status >= 500)
)
select u.portal_id, u.url, r.id, r.status, r.first_seen, v.version_no, v.fetched_at, v.published, v.year,
       verified.at, r.id in (select report_id from incomplete)
from report_urls u join reports r on r.id = u.report_id
left join report_versions v on v.id = r.current_version_id
left join verified on verified.report_id = r.id
"""


@dataclass(frozen=True)
class KnownReport:
    id: int
    status: str
    first_seen: datetime
    changed_at: datetime | None  # when the archive last saw its content change (None: never, one version)
    published: datetime | None
    verified_at: datetime | None  # last whole fetch of its article
    incomplete: bool  # its last fetch failed in part, for a passing reason (no answer, a 5xx)

    def stable_since(self) -> datetime:
        if self.changed_at:
            return self.changed_at
        return min(self.published or self.first_seen, self.first_seen)

    def next_due(self, max_days: float) -> datetime | None:
        """When the report should be requested again; None: now (removed, failing, never fetched whole)."""
        if self.status == "removed" or self.incomplete or self.verified_at is None:
            return None
        stable_days = (self.verified_at - self.stable_since()).total_seconds() / 86400
        interval = min(max_days, max(0.0, stable_days * STABLE_FRACTION))
        return self.verified_at + timedelta(days=interval)


class RevisitPolicy:
    """Answers, for a link found on a list page, whether to request it in this crawl, and whether a
    portal's lists are walked in full."""

    def __init__(self, db_path: str | None, max_days: float, now: datetime | None = None) -> None:
        self.db_path = db_path if max_days > 0 else None
        self.max_days = max_days
        self.now = now or datetime.now(UTC)
        self._known: dict[tuple[str, str], KnownReport] | None = None
        self._full_walks: dict[str, datetime] | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RevisitPolicy:
        enabled = settings.get("NIANBAO_DB") and not settings.getbool("NIANBAO_REVALIDATE")
        return cls(settings.get("NIANBAO_DB") if enabled else None,
                   settings.getfloat("NIANBAO_REVISIT_MAX_DAYS", DEFAULT_MAX_DAYS))

    def not_due(self, portal_id: str, url: str, listing_url: str, title: str | None) -> ListedReport | None:
        """None when the report at ``url`` is to be requested; else the record of its listing, saying when."""
        report = self._reports().get((portal_id, canonical_url(url)))
        due = report.next_due(self.max_days) if report else None
        # In a full walk: due before the next one (a report deep in a column is not listed again until then).
        horizon = self.now + timedelta(days=self.max_days) if self.full_walk(portal_id) else self.now
        if report is None or due is None or due <= horizon:
            return None
        return ListedReport(portal_id, report.id, url, listing_url, title, due.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def known(self, portal_id: str, url: str) -> bool:
        """Whether the archive holds the report at ``url`` (and has not seen it removed): nothing new."""
        report = self._reports().get((portal_id, canonical_url(url)))
        return report is not None and report.status != "removed"

    def full_walk(self, portal_id: str) -> bool:
        """Whether this crawl reads every list page of the portal: no complete walk within the bound
        (or no policy: every report and every page on every crawl)."""
        if self.db_path is None:
            return True
        if self._full_walks is None:
            self._full_walks = _last_full_walks(self.db_path) if Path(self.db_path).exists() else {}
        last = self._full_walks.get(portal_id)
        return last is None or last <= self.now - timedelta(days=self.max_days)

    def _reports(self) -> dict[tuple[str, str], KnownReport]:
        if self._known is None:
            self._known = _load(self.db_path) if self.db_path and Path(self.db_path).exists() else {}
        return self._known


def _last_full_walks(db_path: str) -> dict[str, datetime]:
    rows = _read(db_path, LAST_FULL_WALKS)
    return {portal_id: moment for portal_id, started_at in rows if (moment := _moment(started_at))}


def _read(db_path: str, sql: str) -> list[tuple]:
    """Rows of a query on the archive, read-only; none from an archive without the tables or columns yet."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def _load(db_path: str) -> dict[tuple[str, str], KnownReport]:
    rows = _read(db_path, KNOWN_REPORTS)
    return {
        (portal_id, url): KnownReport(
            id=report_id,
            status=status,
            first_seen=_moment(first_seen) or datetime.now(UTC),
            changed_at=_moment(fetched_at) if (version_no or 0) > 1 else None,
            published=_moment(published) or (_moment(f"{year + 1}-01-01") if year else None),
            verified_at=_moment(verified_at),
            incomplete=bool(incomplete),
        )
        for portal_id, url, report_id, status, first_seen, version_no, fetched_at, published, year, verified_at, incomplete
        in rows
    }


def _moment(text: str | None) -> datetime | None:
    """An ISO date or time from the archive as an aware UTC datetime; None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None
