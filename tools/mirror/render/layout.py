"""The printed layout of the template tables, as data, shared by every renderer.

A table is a list of placed :class:`Cell`s (row, column, spans), the way the
2019 (国办公开办函〔2019〕60号) and 2021 (〔2021〕30号) templates and the legacy
national 统计表 print them.  ``"\\n"`` inside a label is where the template
wraps it (本年新<br>制作数量); a report with ``layout["wrap_labels"]`` false
prints labels on one line.  Renderers only draw cells; they know no template.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from tools.mirror.samples import SampleReport

COLUMNS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
OUTCOME_LABELS = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
APPEAL_GROUPS = ["review", "suit_direct", "suit_after_review"]


@dataclass(frozen=True)
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # the figure a value cell shows
    header: bool = False


@dataclass(frozen=True)
class TableLayout:
    name: str  # "active", "active:1" (a split part), "requests", "appeals", "legacy"
    n_rows: int
    n_cols: int
    cells: tuple[Cell, ...]
    col_widths: tuple[float, ...]  # relative widths

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in (HTML order: covered positions omitted)."""
        by_row: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            by_row[cell.row].append(cell)
        return by_row


# 主动公开 groups: (article, column labels, [(row label, key prefix, key suffixes)])
ACTIVE_2019 = [
    ("第二十条第（一）项", ["信息内容", "本年新\n制作数量", "本年新\n公开数量", "对外公开\n总数量"],
     [("规章", "active.rules", ["new_made", "new_published", "total_published"]),
      ("规范性文件", "active.normative_docs", ["new_made", "new_published", "total_published"])]),
    ("第二十条第（五）项", ["信息内容", "上一年\n项目数量", "本年\n增/减", "处理决定\n数量"],
     [("行政许可", "active.licensing", ["prev_items", "change", "decisions"]),
      ("其他对外管理服务事项", "active.other_services", ["prev_items", "change", "decisions"])]),
    ("第二十条第（六）项", ["信息内容", "上一年\n项目数量", "本年\n增/减", "处理决定\n数量"],
     [("行政处罚", "active.penalty", ["prev_items", "change", "decisions"]),
      ("行政强制", "active.enforcement", ["prev_items", "change", "decisions"])]),
    ("第二十条第（八）项", ["信息内容", "上一年\n项目数量", "本年\n增/减"],
     [("行政事业性收费", "active.fees", ["prev_items", "change"])]),
    ("第二十条第（九）项", ["信息内容", "采购\n项目数量", "采购\n总金额"],
     [("政府集中采购", "active.procurement", ["items", "amount"])]),
]
ACTIVE_2021 = [
    ("第二十条第（一）项", ["信息内容", "本年制发\n件数", "本年废止\n件数", "现行有效\n件数"],
     [("规章", "active.rules", ["issued", "repealed", "in_force"]),
      ("行政规范性文件", "active.normative_docs", ["issued", "repealed", "in_force"])]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", "active.licensing", ["decisions"])]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
     [("行政处罚", "active.penalty", ["decisions"]), ("行政强制", "active.enforcement", ["decisions"])]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"],
     [("行政事业性收费", "active.fees", ["amount"])]),
]

# 依申请 rows: (level-1 label, level-2 label, level-3 label, key prefix); None = the label spans right.
_RESULT = "三、本年度\n办理结果"
_DENIED = "（三）不予\n公开"
_UNABLE = "（四）无法\n提供"
_REJECTED = "（五）不予\n处理"
_OTHER = "（六）其他\n处理"
_REQUESTS_HEAD = [
    ("一、本年新收政府信息公开申请数量", None, None, "requests.new"),
    ("二、上年结转政府信息公开申请数量", None, None, "requests.carried_over"),
    (_RESULT, "（一）予以公开", None, "requests.granted"),
    (_RESULT, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "requests.partly_granted"),
    (_RESULT, _DENIED, "1.属于国家秘密", "requests.denied_state_secret"),
    (_RESULT, _DENIED, "2.其他法律行政法规禁止公开", "requests.denied_prohibited_by_law"),
    (_RESULT, _DENIED, "3.危及“三安全一稳定”", "requests.denied_security_stability"),
    (_RESULT, _DENIED, "4.保护第三方合法权益", "requests.denied_third_party"),
    (_RESULT, _DENIED, "5.属于三类内部事务信息", "requests.denied_internal_affairs"),
    (_RESULT, _DENIED, "6.属于四类过程性信息", "requests.denied_process_info"),
    (_RESULT, _DENIED, "7.属于行政执法案卷", "requests.denied_enforcement_file"),
    (_RESULT, _DENIED, "8.属于行政查询事项", "requests.denied_inquiry"),
    (_RESULT, _UNABLE, "1.本机关不掌握相关政府信息", "requests.unable_not_held"),
    (_RESULT, _UNABLE, "2.没有现成信息需要另行制作", "requests.unable_needs_creation"),
    (_RESULT, _UNABLE, "3.补正后申请内容仍不明确", "requests.unable_unclear"),
    (_RESULT, _REJECTED, "1.信访举报投诉类申请", "requests.rejected_petition"),
    (_RESULT, _REJECTED, "2.重复申请", "requests.rejected_duplicate"),
    (_RESULT, _REJECTED, "3.要求提供公开出版物", "requests.rejected_publication"),
    (_RESULT, _REJECTED, "4.无正当理由大量反复申请", "requests.rejected_excessive"),
    (_RESULT, _REJECTED, "5.要求行政机关确认或重新出具已获取信息", "requests.rejected_confirmation"),
]
_REQUESTS_TAIL = [
    (_RESULT, "（七）总计", None, "requests.total"),
    ("四、结转下年度继续办理", None, None, "requests.carried_forward"),
]
REQUEST_ROWS = {
    "2019": _REQUESTS_HEAD + [(_RESULT, "（六）其他处理", None, "requests.other")] + _REQUESTS_TAIL,
    "2021": _REQUESTS_HEAD + [
        (_RESULT, _OTHER, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "requests.other_no_correction"),
        (_RESULT, _OTHER, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
         "requests.other_unpaid_fee"),
        (_RESULT, _OTHER, "3.其他", "requests.other_other"),
    ] + _REQUESTS_TAIL,
}

# The national 统计表 (2014–2018): (label, unit, key); key None is a heading row.
LEGACY_ROWS = [
    ("一、主动公开情况", "——", None),
    ("（一）主动公开政府信息数\n（不同渠道和方式公开相同信息计1条）", "条", "legacy.active.total"),
    ("其中：主动公开规范性文件数", "条", "legacy.active.normative_docs"),
    ("制发规范性文件总数", "件", "legacy.active.normative_docs_issued"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "——", None),
    ("1.政府公报公开政府信息数", "条", "legacy.channel.gazette"),
    ("2.政府网站公开政府信息数", "条", "legacy.channel.website"),
    ("3.政务微博公开政府信息数", "条", "legacy.channel.weibo"),
    ("4.政务微信公开政府信息数", "条", "legacy.channel.wechat"),
    ("5.其他方式公开政府信息数", "条", "legacy.channel.other"),
    ("二、回应解读情况", "——", None),
    ("（一）回应公众关注热点或重大舆情数\n（不同方式回应同一热点或舆情计1次）", "次", "legacy.response.hotspots"),
    ("（二）通过不同渠道和方式回应解读的情况", "——", None),
    ("1.参加或举办新闻发布会总次数", "次", "legacy.response.press_conferences"),
    ("其中：主要负责同志参加新闻发布会次数", "次", "legacy.response.press_conferences_by_heads"),
    ("2.政府网站在线访谈次数", "次", "legacy.response.online_interviews"),
    ("其中：主要负责同志参加政府网站在线访谈次数", "次", "legacy.response.online_interviews_by_heads"),
    ("3.政策解读稿件发布数", "篇", "legacy.response.interpretations"),
    ("4.微博微信回应事件数", "次", "legacy.response.social_media"),
    ("5.其他方式回应事件数", "次", "legacy.response.other"),
    ("三、依申请公开情况", "——", None),
    ("（一）收到申请数", "件", "legacy.requests.received"),
    ("1.当面申请数", "件", "legacy.requests.in_person"),
    ("2.传真申请数", "件", "legacy.requests.fax"),
    ("3.网络申请数", "件", "legacy.requests.online"),
    ("4.信函申请数", "件", "legacy.requests.mail"),
    ("（二）申请办结数", "件", "legacy.requests.closed"),
    ("1.按时办结数", "件", "legacy.requests.closed_on_time"),
    ("2.延期办结数", "件", "legacy.requests.closed_extended"),
    ("（三）申请答复数", "件", "legacy.replies.total"),
    ("1.属于已主动公开范围数", "件", "legacy.replies.already_public"),
    ("2.同意公开答复数", "件", "legacy.replies.granted"),
    ("3.同意部分公开答复数", "件", "legacy.replies.partly_granted"),
    ("4.不同意公开答复数", "件", "legacy.replies.denied"),
    ("其中：涉及国家秘密", "件", "legacy.replies.denied_state_secret"),
    ("涉及商业秘密", "件", "legacy.replies.denied_commercial_secret"),
    ("涉及个人隐私", "件", "legacy.replies.denied_privacy"),
    ("危及国家安全、公共安全、经济安全和社会稳定", "件", "legacy.replies.denied_security_stability"),
    ("不是《条例》所指政府信息", "件", "legacy.replies.denied_not_gov_info"),
    ("法律法规规定的其他情形", "件", "legacy.replies.denied_other_law"),
    ("5.不属于本行政机关公开数", "件", "legacy.replies.not_this_agency"),
    ("6.申请信息不存在数", "件", "legacy.replies.not_exist"),
    ("7.告知作出更改补充数", "件", "legacy.replies.asked_to_amend"),
    ("8.告知通过其他途径办理数", "件", "legacy.replies.other_channel"),
    ("四、行政复议数量", "件", "legacy.reviews.total"),
    ("（一）维持具体行政行为数", "件", "legacy.reviews.upheld"),
    ("（二）被依法纠错数", "件", "legacy.reviews.corrected"),
    ("（三）其他情形数", "件", "legacy.reviews.other"),
    ("五、行政诉讼数量", "件", "legacy.suits.total"),
    ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "legacy.suits.upheld"),
    ("（二）被依法纠错数", "件", "legacy.suits.corrected"),
    ("（三）其他情形数", "件", "legacy.suits.other"),
    ("六、举报投诉数量", "件", "legacy.complaints"),
    ("七、依申请公开信息收取的费用", "万元", "legacy.fees"),
    ("八、机构建设和保障经费情况", "——", None),
    ("（一）政府信息公开工作专门机构数", "个", "legacy.org.units"),
    ("（二）设置政府信息公开查阅点数", "个", "legacy.org.reading_points"),
    ("（三）从事政府信息公开工作人员数", "人", "legacy.org.staff"),
    ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "legacy.org.staff_full_time"),
    ("2.兼职人员数", "人", "legacy.org.staff_part_time"),
    ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元",
     "legacy.org.budget"),
    ("九、政府信息公开会议和培训情况", "——", None),
    ("（一）召开政府信息公开工作会议或专题会议数", "次", "legacy.training.meetings"),
    ("（二）举办各类培训班数", "次", "legacy.training.courses"),
    ("（三）接受培训人员数", "人次", "legacy.training.trainees"),
]

# Which tables follow which section's heading, per template.
TABLES_AFTER_SECTION = {
    "2019": {"二": "active", "三": "requests", "四": "appeals"},
    "2021": {"二": "active", "三": "requests", "四": "appeals"},
    "legacy": {"附件": "legacy"},
}


class _Grid:
    """Collects cells row by row; ``text`` is passed through the report's label variants."""

    def __init__(self, report: SampleReport):
        self.report = report
        self.cells: list[Cell] = []
        self.row = 0

    def label(self, text: str, col: int, rowspan: int = 1, colspan: int = 1) -> None:
        printed = self.report.label(text)
        if not self.report.layout.get("wrap_labels", True):
            printed = printed.replace("\n", "")
        self.cells.append(Cell(printed, self.row, col, rowspan, colspan, header=True))

    def value(self, key: str, col: int, colspan: int = 1) -> None:
        self.cells.append(Cell(self.report.cell_text(key), self.row, col, 1, colspan, key=key))

    def table(self, name: str, n_cols: int, widths: tuple[float, ...]) -> TableLayout:
        return TableLayout(name, self.row, n_cols, tuple(self.cells), widths)


def _active_group(grid: _Grid, article: str, heads: list[str], rows: list) -> None:
    grid.label(article, 0, colspan=4)
    grid.row += 1
    for col, head in enumerate(heads):
        grid.label(head, col, colspan=4 - col if col == len(heads) - 1 else 1)
    grid.row += 1
    for label, prefix, suffixes in rows:
        grid.label(label, 0)
        for col, suffix in enumerate(suffixes, start=1):
            grid.value(f"{prefix}.{suffix}", col, colspan=4 - col if col == len(suffixes) else 1)
        grid.row += 1


def active_tables(report: SampleReport) -> list[TableLayout]:
    """表二 主动公开; split into one table per 第二十条 article when ``layout["split_active"]``."""
    groups = ACTIVE_2021 if report.template == "2021" else ACTIVE_2019
    widths = (2.2, 1.4, 1.4, 1.4)
    if report.layout.get("split_active"):
        tables = []
        for n, group in enumerate(groups, start=1):
            grid = _Grid(report)
            _active_group(grid, *group)
            tables.append(grid.table(f"active:{n}", 4, widths))
        return tables
    grid = _Grid(report)
    for group in groups:
        _active_group(grid, *group)
    return [grid.table("active", 4, widths)]


def requests_table(report: SampleReport) -> TableLayout:
    """表三 依申请: three header rows, then row labels nested up to three deep with spans."""
    grid = _Grid(report)
    grid.label("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, rowspan=3, colspan=3)
    grid.label("申请人情况", 3, colspan=7)
    grid.row += 1
    grid.label("自然人", 3, rowspan=2)
    grid.label("法人或其他组织", 4, colspan=5)
    grid.label("总计", 9, rowspan=2)
    grid.row += 1
    for col, label in enumerate(["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"], start=4):
        grid.label(label, col)
    grid.row += 1
    rows = REQUEST_ROWS[report.template]
    for level1, run in groupby(rows, key=lambda r: r[0]):
        run = list(run)
        if run[0][1] is None:
            grid.label(level1, 0, colspan=3)
        else:
            grid.label(level1, 0, rowspan=len(run))
        for level2, subrun in groupby(run, key=lambda r: r[1]):
            subrun = list(subrun)
            if level2 is not None and subrun[0][2] is None:
                grid.label(level2, 1, colspan=2)
            elif level2 is not None:
                grid.label(level2, 1, rowspan=len(subrun))
            for _, _, level3, prefix in subrun:
                if level3 is not None:
                    grid.label(level3, 2)
                for col, suffix in enumerate(COLUMNS, start=3):
                    grid.value(f"{prefix}.{suffix}", col)
                grid.row += 1
    return grid.table("requests", 10, (1.1, 1.3, 2.6) + (0.8,) * 7)


def appeals_table(report: SampleReport) -> TableLayout:
    """表四 复议/诉讼: three header rows and one value row (blank when the report printed none)."""
    grid = _Grid(report)
    grid.label("行政复议", 0, colspan=5)
    grid.label("行政诉讼", 5, colspan=10)
    grid.row += 1
    for col, label in enumerate(OUTCOME_LABELS):
        grid.label(label, col, rowspan=2)
    grid.label("未经复议直接起诉", 5, colspan=5)
    grid.label("复议后起诉", 10, colspan=5)
    grid.row += 1
    for col, label in enumerate(OUTCOME_LABELS * 2, start=5):
        grid.label(label, col)
    grid.row += 1
    for g, group in enumerate(APPEAL_GROUPS):
        for o, outcome in enumerate(OUTCOMES):
            grid.value(f"appeals.{group}.{outcome}", g * 5 + o)
    grid.row += 1
    return grid.table("appeals", 15, (1.0,) * 15)


def legacy_table(report: SampleReport) -> TableLayout:
    """The national 统计表: 统计指标 | 单位 | 统计数."""
    grid = _Grid(report)
    for col, label in enumerate(["统计指标", "单位", "统计数"]):
        grid.label(label, col)
    grid.row += 1
    for label, unit, key in LEGACY_ROWS:
        grid.label(label, 0)
        grid.label(unit, 1)
        if key is None:
            grid.cells.append(Cell("", grid.row, 2))
        else:
            grid.value(key, 2)
        grid.row += 1
    return grid.table("legacy", 3, (6.0, 1.0, 1.5))


BUILDERS = {
    "active": active_tables,
    "requests": lambda r: [requests_table(r)],
    "appeals": lambda r: [appeals_table(r)],
    "legacy": lambda r: [legacy_table(r)],
}


def tables_after(report: SampleReport, section_number: str) -> list[TableLayout]:
    """The template tables printed right after the heading of section ``section_number``."""
    name = TABLES_AFTER_SECTION.get(report.template, {}).get(section_number)
    return BUILDERS[name](report) if name else []


def printed_keys(report: SampleReport) -> list[str]:
    """Every figure key the report's tables show a cell for."""
    names = TABLES_AFTER_SECTION.get(report.template, {}).values()
    return [c.key for name in names for t in BUILDERS[name](report) for c in t.cells if c.key]


def covered(table: TableLayout) -> dict[tuple[int, int], Cell]:
    """Every grid position mapped to the cell covering it (merged cells repeated)."""
    grid = {}
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                grid[(r, c)] = cell
    return grid

