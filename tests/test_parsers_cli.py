"""``nianbao parse``: JSON Lines per spec/parse-output.md, a readable summary, exit status."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nianbao.cli import main

SHARED = Path(__file__).parents[1].parent / "shared"
SEED_001 = SHARED / "seeds" / "001_bf80b47987e57cd0.txt"
SEED_004 = SHARED / "seeds" / "004_235b576e695992d0.txt"
CONTRACT_FIELDS = {"path", "sha256", "format", "title", "agency", "year", "published", "template", "figures",
                   "inferred", "checks", "sections", "tables", "errors"}


def test_json_lines_one_per_file_in_order():
    result = CliRunner().invoke(main, ["parse", "--json", str(SEED_001), str(SEED_004)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["path"] for line in lines] == [str(SEED_001), str(SEED_004)]
    assert set(lines[0]) >= CONTRACT_FIELDS
    assert lines[0]["template"] == "2019" and lines[1]["template"] == "legacy"
    assert lines[0]["figures"]["active.procurement.amount"] == 3168.0656
    failed = {c["rule"] for c in lines[0]["checks"] if not c["ok"]}
    assert "requests.row_sum:total" in failed
    assert any(t["rows"] for t in lines[1]["tables"])  # raw tables, including the unrelated lists


def test_summary_names_template_year_agency_and_failing_checks():
    result = CliRunner().invoke(main, ["parse", str(SEED_001)])
    assert result.exit_code == 0
    assert "template:  2019" in result.output
    assert "银川市市政管理局" in result.output and "2020" in result.output
    assert "FAIL requests.balance:natural_person" in result.output
    assert "表三 依申请" in result.output


def test_unreadable_file_still_gets_a_line_and_exit_1(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["parse", "--json", str(SEED_001), str(empty)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 2
    assert lines[1]["errors"] and not lines[1]["figures"] and lines[1]["template"] == "unknown"


def test_summary_lays_out_the_tables_for_a_person(tmp_path):
    from tools.mirror.render.docx import render_docx
    from tools.mirror.samples import load_reports

    report = next(r for r in load_reports() if not r.file and r.template == "2021")
    docx = tmp_path / "report.docx"
    docx.write_bytes(render_docx(report))
    result = CliRunner().invoke(main, ["parse", str(SEED_001), str(docx)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if "自然人" in line)
    assert header.split() == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert any(line.split()[:1] == ["review"] and len(line.split()) == 6 for line in lines)  # table 4: 3 × 5
    assert "amount 3168.0656 万元" in result.output  # table 2 of seed 001: one line per row, money with its unit
    docx_lines = lines[lines.index(f"{docx}: docx"):]
    other = next(line for line in docx_lines if line.split()[:1] == ["other"])
    assert other.split()[1].endswith("*")  # 2021: （六）其他处理 is the sum of its sub-rows, marked inferred
    assert "inferred (*, not printed but computed)" in result.output


def test_workers_give_the_same_lines_in_the_same_order(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    files = [str(SEED_004), str(empty), str(SEED_001), str(SEED_004)]
    inline = CliRunner().invoke(main, ["parse", "--json", *files])
    pooled = CliRunner().invoke(main, ["parse", "--json", "--workers", "2", *files])
    assert pooled.exit_code == inline.exit_code == 1  # the empty file, read by neither
    assert [json.loads(line)["path"] for line in pooled.output.splitlines()] == files
    assert pooled.output == inline.output
