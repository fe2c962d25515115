"""Figure and text diffs on real report texts and hand-checked figures (shared seeds)."""

from __future__ import annotations

import json
from pathlib import Path

from nianbao.archive.diff import FigureChange, figure_changes, side_by_side, text_diff

SHARED = Path(__file__).parents[1].parent / "shared"
SEED = (SHARED / "seeds" / "000_9818ec0089dec13d.txt").read_text(encoding="utf-8")
FIGURES = json.loads((SHARED / "expected" / "000_9818ec0089dec13d.json").read_text(encoding="utf-8"))["figures"]


def test_a_changed_figure_reads_like_the_issue():
    edited = dict(FIGURES, **{"requests.new.total": 12, "requests.new.natural_person": 12})
    changes = figure_changes(FIGURES, edited)
    assert [str(c) for c in changes] == ["requests.new.natural_person: 10 → 12", "requests.new.total: 10 → 12"]
    assert changes[1].to_json() == {"key": "requests.new.total", "old": 10, "new": 12,
                                    "added": False, "dropped": False}


def test_same_values_are_no_change_but_null_versus_zero_is():
    as_floats = {k: float(v) if isinstance(v, int) else v for k, v in FIGURES.items()}
    assert figure_changes(FIGURES, as_floats) == []
    key = next(k for k, v in FIGURES.items() if v == 0)
    assert figure_changes(FIGURES, dict(FIGURES, **{key: None})) == [FigureChange(key, 0, None)]


def test_figures_that_appear_or_disappear():
    old = {"requests.new.total": 10, "active.fees.change": -2}
    new = {"requests.new.total": 10, "review.total": 3}
    assert [str(c) for c in figure_changes(old, new)] == ["review.total: — → 3", "active.fees.change: -2 → —"]


def test_text_diff_of_an_edited_real_report():
    edited = SEED.replace("0955-7068826；传真", "0955-7068888；传真")
    diff = text_diff(SEED, edited, "v1", "v2")
    assert diff.startswith("--- v1\n+++ v2\n@@")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1 and "7068826；传真" in removed[0] and "7068888；传真" in added[0]
    assert text_diff(SEED, SEED) == ""


def test_side_by_side_marks_the_changed_characters_and_folds_the_rest():
    lines = SEED.splitlines()
    target = next(i for i, line in enumerate(lines) if "0955-7068826" in line)
    edited_lines = lines[:target] + [lines[target].replace("7068826；传真", "7068888；传真")] + lines[target + 1:]
    edited_lines.insert(len(edited_lines) - 1, "五、其他需要报告的事项（新增）")
    rows = side_by_side(SEED, "\n".join(edited_lines))
    changed = [r for r in rows if r.tag == "replace"]
    assert len(changed) == 1 and changed[0].old_no == changed[0].new_no == target + 1
    old_marked = "".join(s.text for s in changed[0].old if s.changed)
    new_marked = "".join(s.text for s in changed[0].new if s.changed)
    assert old_marked == "26" and new_marked == "88"
    assert "".join(s.text for s in changed[0].old) == lines[target]  # nothing lost around the marks
    [inserted] = [r for r in rows if r.tag == "insert"]
    assert inserted.old_no is None and inserted.new[0].text.startswith("五、其他需要报告的事项")
    assert rows[0].tag == "skip" and len(rows) < 20  # the unchanged body is folded away
    assert side_by_side(SEED, SEED) == []


def test_side_by_side_shows_removed_lines_on_the_left_only():
    lines = SEED.splitlines()
    shorter = "\n".join(lines[:10] + lines[11:])
    rows = side_by_side(SEED, shorter, context=1)
    [deleted] = [r for r in rows if r.tag == "delete"]
    assert deleted.old_no == 11 and deleted.new_no is None and deleted.new == []
    assert deleted.old[0].text == lines[10]
