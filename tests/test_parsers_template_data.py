"""Template knowledge lives in parsers/spec/templates.yml, not in the mappers' code.

A Chinese word in a mapper's code is a label some form prints; it belongs in the data so a new form
needs a data change, not a code branch.  Docstrings, comments and messages (f-strings) may speak Chinese,
and numerals (一、 chapter numbering) are not words.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import pytest
from parsers_synthetic import figures_for, report_document, request_rows, seeded_draw

from nianbao.parsers.detect import detect_template
from nianbao.parsers.report import build_report
from nianbao.parsers.templates import TEMPLATES, TemplateError, check_shape

PARSERS = Path(__file__).parents[1] / "parsers"
MAPPING_MODULES = sorted(PARSERS.glob("map_*.py")) + [PARSERS / name for name in (
    "detect.py", "checks.py", "relations.py", "narrative.py", "recover.py", "report.py", "figureset.py",
    "legacy_forms.py", "extract/text_flat.py")]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERALS = str.maketrans("", "", "〇一二三四五六七八九十")


def _words_in_code(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    messages = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    return [f"{path.name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _CJK.search(node.value.translate(_NUMERALS)) and id(node) not in docstrings | messages]


@pytest.mark.parametrize("path", MAPPING_MODULES, ids=lambda p: p.name)
def test_no_template_words_in_mapping_code(path: Path) -> None:
    assert _words_in_code(path) == []


def test_the_check_itself_sees_a_word_in_code(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text('"""文档。"""\n\nX = f"{1}条"\n\ndef f(label):\n    return "诉讼" in label\n', encoding="utf-8")
    assert _words_in_code(module) == ["example.py:6: '诉讼'"]


@pytest.mark.parametrize("text,template", [("根据国务院办公厅政府信息公开办公室〔2021〕30号文件要求", "2021"),
                                           ("按照国办公开办函[2019] 60号的格式", "2019"), ("", "2019")])
def test_the_notice_a_report_cites_names_its_template_when_the_tables_do_not(text: str, template: str) -> None:
    keys = {"requests.new.total", "appeals.review.total"}
    assert detect_template(keys, text, 2020) == template


def test_table_3_alone_with_the_2021_notice_is_2021() -> None:
    figures = figures_for("2019", seeded_draw(11), sub_rows=False)
    rows = request_rows(figures, False, lambda text: text, lambda _col, value: str(value))
    doc = report_document([("三、收到和处理政府信息公开申请情况", rows)], 2020)
    assert build_report(doc).template == "2019"
    doc.blocks[0].text += "（按国办公开办函〔2021〕30号要求编制）"
    assert build_report(doc).template == "2021"


def test_templates_yml_with_an_unknown_key_is_refused():
    check_shape(TEMPLATES.data)  # the shipped file passes
    for where, edit in [("requests.rows", lambda d: d["requests"]["rows"][0].update(mtach=["x"])),
                        ("templates.yml appeals", lambda d: d["appeals"].update(group_heading=[])),
                        ("templates.yml:", lambda d: d.update(legacy_sum={})),
                        ("narrative", lambda d: d["narrative"]["requests.new.total"].pop("whole"))]:
        data = copy.deepcopy(TEMPLATES.data)
        edit(data)
        with pytest.raises(TemplateError, match=where):
            check_shape(data)
