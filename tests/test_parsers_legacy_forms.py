"""Older local 统计表 forms (Fujian's 指标名称 | 计量单位 | 统计数, 2008-2013) → the legacy keys.

The fixture is a form as such reports print it (Word-exported HTML in GB2312, and the same report as
text with tab-separated rows): the national form's rows under older names, plus rows the national form
has no key for (咨询情况, 公开服务类信息数), which stay raw.  Every older-form name that figures.csv's
``note`` column lists for a key is put in place of the fixture's label and must give the same figure.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.model import ParseResult
from nianbao.parsers.templates import SPEC_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
FORMS = {"html": (FIXTURES / "fujian-style-2011.html", "gb18030"), "txt": (FIXTURES / "fujian-style-2011.txt", "utf-8")}
_ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|\d+[.．]|其中[:：])")

EXPECTED = {
    "active.total": 1234, "active.normative_docs": 56, "channel.gazette": 21, "channel.website": 1180,
    "requests.received": 40, "requests.in_person": 10, "requests.fax": 0, "requests.online": 25, "requests.mail": 5,
    "requests.closed": 40, "replies.total": 38, "replies.already_public": 8, "replies.granted": 20,
    "replies.partly_granted": 3, "replies.denied": 2, "replies.not_this_agency": 3, "replies.not_exist": 1,
    "replies.asked_to_amend": 1, "replies.other_channel": 0, "reviews.total": 1, "reviews.upheld": 1,
    "reviews.corrected": 0, "reviews.other": 0, "suits.total": 0, "suits.upheld": 0, "suits.corrected": 0,
    "suits.other": 0, "complaints": 0, "fees": 0, "org.units": 1, "org.reading_points": 3, "org.staff": 5,
    "org.staff_full_time": 2, "org.staff_part_time": 3, "org.budget": 2.5, "training.meetings": 2,
    "training.courses": 1, "training.trainees": 60,
}


def _older_names() -> list[tuple[str, str]]:
    """(key, name) for every older-form name figures.csv notes: ``older forms: 网站公开 / 政府网站公开数``."""
    with open(SPEC_DIR / "figures.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [(row["key"], name.strip()) for row in rows if row["note"].startswith("older forms:")
            for name in row["note"].removeprefix("older forms:").split("/")]


def _parse(fmt: str, replace: tuple[str, str] | None = None) -> ParseResult:
    path, encoding = FORMS[fmt]
    text = path.read_bytes().decode(encoding)
    if replace:
        old, new = replace
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_bytes(text.encode(encoding), path=path.name)


@pytest.mark.parametrize("fmt", FORMS)
def test_fujian_form_maps_to_the_legacy_keys_and_keeps_the_rest_raw(fmt: str) -> None:
    result = _parse(fmt)
    assert result.errors == []
    assert (result.template, result.year, result.agency, result.published) == ("legacy", 2011, "永泰县人民政府",
                                                                               "2012-03-20")
    assert result.figures == {f"legacy.{k}": v for k, v in EXPECTED.items()}
    assert [c["rule"] for c in result.checks if not c["ok"]] == []
    assert "legacy.requests.fax" not in result.inferred  # a blank cell is a printed 0, not an inference
    raw = [cell for table in result.tables for row in table["rows"] for cell in row]
    assert {"（二）网上咨询数", "（四）公开服务类信息数"} <= set(raw)  # no key of their own: kept raw only


def test_figures_csv_lists_older_names_for_the_keys_it_should() -> None:
    keys = {key for key, _ in _older_names()}
    assert keys == {"legacy.channel.website", "legacy.requests.received", "legacy.requests.online",
                    "legacy.replies.total", "legacy.replies.denied"}


@pytest.mark.parametrize("fmt", FORMS)
@pytest.mark.parametrize("key,name", _older_names())
def test_every_older_name_in_figures_csv_maps_to_its_key(fmt: str, key: str, name: str) -> None:
    base = _parse(fmt)
    where = base.provenance[key]
    printed = base.tables[where["table"]]["rows"][where["row"]][0]
    enumerator = _ENUMERATOR.match(printed)
    renamed = (enumerator.group(0) if enumerator else "") + name
    result = _parse(fmt, (f"{printed}\t" if fmt == "txt" else f">{printed}<",
                          f"{renamed}\t" if fmt == "txt" else f">{renamed}<"))
    assert result.template == "legacy"
    assert result.figures == base.figures, renamed
    assert result.tables[where["table"]]["rows"][where["row"]][0] == renamed
