"""Older local 统计表 forms (Fujian's 指标名称 | 计量单位 | 统计数 or 20xx年度 | 历年累计, 2008-2013) → the legacy keys.

The fixture is a form as such reports print it (Word-exported HTML in GB2312, and the same report as
text with tab-separated rows): the national form's rows under older names, plus rows the national form
has no key for (咨询情况, 公开服务类信息数), which stay raw.  Every older-form name that figures.csv's
``note`` column lists for a key is put in place of the fixture's label and must give the same figure.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.legacy_forms import load_catalogue
from nianbao.parsers.model import ParseResult
from nianbao.parsers.templates import SPEC_DIR, TEMPLATES, TemplateError

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
FORMS = {"html": (FIXTURES / "fujian-style-2011.html", "gb18030"), "txt": (FIXTURES / "fujian-style-2011.txt", "utf-8")}
CUMULATIVE = {"html": (FIXTURES / "fujian-cumulative-2012.html", "gb18030"),
              "txt": (FIXTURES / "fujian-cumulative-2012.txt", "utf-8")}
_ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|\d+[.．]|其中[:：])")

EXPECTED = json.loads((FIXTURES / "fujian-style-2011.json").read_text(encoding="utf-8"))["figures"]


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
    assert result.figures == EXPECTED
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


# The 2012 form with a 历年累计 column beside the year's: every figure is the year's (政府网站公开数 3460, not 85376).
EXPECTED_2012 = json.loads((FIXTURES / "fujian-cumulative-2012.json").read_text(encoding="utf-8"))["figures"]


def _parse_cumulative(fmt: str, text_edit=lambda text: text) -> ParseResult:
    path, encoding = CUMULATIVE[fmt]
    return parse_bytes(text_edit(path.read_bytes().decode(encoding)).encode(encoding), path=path.name)


@pytest.mark.parametrize("fmt", CUMULATIVE)
def test_year_column_is_read_never_the_cumulative_one(fmt: str) -> None:
    result = _parse_cumulative(fmt)
    assert result.errors == []
    assert (result.template, result.year, result.agency) == ("legacy", 2012, "闽清县人民政府")
    assert result.figures == EXPECTED_2012
    assert [c["rule"] for c in result.checks if not c["ok"]] == []  # the text's 52 requests agree with the table
    raw = [cell for table in result.tables for row in table["rows"] for cell in row]
    assert "3．信函、传真申请数" in raw  # the combined row stays in the raw table
    assert any("信函、传真申请数" in note for note in result.notes)


def test_year_column_is_found_by_its_header_wherever_it_stands() -> None:
    """历年累计 printed before the year: the header, not the position, says which column is the year's."""
    def swap(text: str) -> str:
        lines = [line.split("\t") for line in text.split("\n")]
        return "\n".join("\t".join(cells[:2] + [cells[3], cells[2]]) if len(cells) == 4 else "\t".join(cells)
                         for cells in lines)

    assert _parse_cumulative("txt", swap).figures == EXPECTED_2012


def test_a_form_entry_with_an_unknown_key_is_refused() -> None:
    spec = {**TEMPLATES.data["legacy"], "forms": [{"name": "x", "title": "x", "header_match": ["x"], "columns": "x",
                                                    "rows": [{"key": "active.total", "mtach": ["x"]}]}]}
    with pytest.raises(TemplateError, match="needs key and match"):
        load_catalogue(spec)
    spec["forms"][0]["rows"] = []
    spec["forms"][0]["colums"] = "x"
    with pytest.raises(TemplateError, match="unknown keys"):
        load_catalogue(spec)
