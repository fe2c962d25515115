"""Made-up sample reports (filled in next)."""

from crawler.mirror.samples import SampleReport


def generated_reports() -> list[SampleReport]:
    return []
