"""Documents built for the format tests: Word-exported HTML and python-docx files with merged cells."""

from __future__ import annotations

import io

import docx

from tools.mirror.render.layout import BUILDERS, TABLES_AFTER_SECTION, covered
from tools.mirror.samples import SampleReport

# Table 3 of the 2019 template as Word's "save as web page" prints it: mso styles, <span> soup,
# <o:p>, &nbsp;, <br> inside labels, blank cells, a hidden sizing row; split over two tables.
WORD_TABLE3_2019 = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<title>某某局2020年政府信息公开工作年度报告_某某市人民政府</title>
<meta name="ArticleTitle" content="某某局2020年政府信息公开工作年度报告">
<style><!-- p.MsoNormal {mso-style-parent:""; font-family:宋体} --></style></head>
<body lang=ZH-CN>
<div class=nav><a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 年度报告</div>
<table class=xxgk_meta>
<tr><td>索&nbsp;引&nbsp;号：</td><td>11640500MB1234567X/2021-00012</td><td>发布机构：</td><td>某某局</td></tr>
<tr><td>成文日期：2021-01-29</td><td>文号：</td><td>无</td></tr>
</table>
<div class=TRS_Editor><div class=WordSection1>
<p class=MsoNormal align=center><b><span style='font-size:22.0pt;font-family:方正小标宋简体'>某某局2020年政府信息公开工作年度报告</span></b></p>
<h2><span style='font-family:黑体'>一、总体情况</span></h2>
<p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:仿宋_GB2312'>2020年，某某局</span><span
lang=EN-US>共收到</span><span style='font-family:仿宋_GB2312'>政府信息公开申请</span><span lang=EN-US>10</span><span
style='font-family:仿宋_GB2312'>件。<o:p></o:p></span></p>
<p class=MsoNormal><span lang=EN-US>&nbsp;&nbsp;&nbsp;&nbsp;Web&nbsp;site:</span> <span lang=EN-US>www.example.gov.cn</span></p>
<p class=MsoNormal><b><span style='font-family:黑体'>三、收到和处理政府信息公开申请情况</span></b></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'>
 <td width=200 colspan=3 rowspan=3 style='border:solid windowtext 1.0pt'><p class=MsoNormal><span>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</span></p></td>
 <td colspan=7><p class=MsoNormal align=center><span>申请人情况<o:p></o:p></span></p></td></tr>
<tr><td rowspan=2><p class=MsoNormal><span>自然人</span></p></td>
 <td colspan=5><p class=MsoNormal><span>法人或其他组织</span></p></td>
 <td rowspan=2><p class=MsoNormal><span>总计</span></p></td></tr>
<tr><td><p class=MsoNormal><span>商业<br>企业</span></p></td><td><span>科研<br>
机构</span></td><td><span>社会公益组织</span></td><td><span>法律服务机构</span></td><td><span>其他</span></td></tr>
<tr><td colspan=3><span>一、本年新收政府信息公开申请数量</span></td>
 <td><span lang=EN-US>10</span></td><td><span lang=EN-US>&nbsp;</span></td><td></td><td>0</td><td>0</td><td>0</td><td>10</td></tr>
<tr><td colspan=3><span>二、上年结转政府信息公开申请数量</span></td>
 <td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
<![if !supportMisalignedColumns]><tr height=0 style='display:none'><td width=54></td><td width=30></td></tr><![endif]>
</table>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
<table class=MsoNormalTable border=1>
<tr><td rowspan=3><p class=MsoNormal><span>三、本年度<br>办理结果</span></p></td>
 <td colspan=2><span>（一）予以公开</span></td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
<tr><td rowspan=2><span>（三）不<br>予公开</span></td><td><span>1.属于国家秘密</span></td>
 <td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td><span>2.其他法律行政法规禁止公开</span></td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>
</div></div>
<div class=footer>主办：某某市人民政府办公室 版权所有 备案号：宁ICP备00000000号</div>
</body></html>
"""

LABEL_CELL = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_PART1 = [
    [LABEL_CELL] * 3 + ["申请人情况"] * 7,
    [LABEL_CELL] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
    [LABEL_CELL] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ["一、本年新收政府信息公开申请数量"] * 3 + ["10", "", "", "0", "0", "0", "10"],
    ["二、上年结转政府信息公开申请数量"] * 3 + ["0"] * 7,
]
TABLE3_PART2 = [
    ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "1", "0", "0", "0", "0", "0", "1"],
    ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"] + ["0"] * 7,
    ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"] + ["0"] * 7,
]


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table3_docx() -> bytes:
    """The start of table 3 (2019 template) in Word, merged cells made with python-docx."""
    document = docx.Document()
    document.add_heading("某某局2020年政府信息公开工作年度报告", 0)
    document.add_heading("一、总体情况", 1)
    document.add_paragraph("2020年，某某局共收到政府信息公开申请10件。")
    document.add_heading("三、收到和处理政府信息公开申请情况", 1)
    table = document.add_table(rows=7, cols=10)
    for (r0, c0, r1, c1), text in [
        ((0, 0, 2, 2), LABEL_CELL), ((0, 3, 0, 9), "申请人情况"), ((1, 3, 2, 3), "自然人"),
        ((1, 4, 1, 8), "法人或其他组织"), ((1, 9, 2, 9), "总计"), ((3, 0, 3, 2), "一、本年新收政府信息公开申请数量"),
        ((4, 0, 4, 2), "二、上年结转政府信息公开申请数量"), ((5, 1, 5, 2), "（一）予以公开"),
    ]:
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        merged.text = text
    for col, text in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        table.cell(2, 4 + col).text = text
    for row, values in [(3, ["10", "", "", "0", "0", "0", "10"]), (4, ["0"] * 7), (5, ["1", "0", "0", "0", "0", "0", "1"])]:
        for col, text in enumerate(values):
            table.cell(row, 3 + col).text = text
    outcome = table.cell(5, 0).merge(table.cell(6, 0))
    outcome.text = "三、本年度"
    outcome.add_paragraph("办理结果")
    table.cell(6, 1).text = "（三）不予公开"
    table.cell(6, 2).text = "1.属于国家秘密"
    for col in range(3, 10):
        table.cell(6, col).text = "0"
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    return docx_bytes(document)


TABLE3_DOCX_GRID = TABLE3_PART1 + [
    TABLE3_PART2[0],
    ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"] + ["0"] * 7,
]


def rendered_grids(report: SampleReport) -> list[list[list[str]]]:
    """The grids the mirror's renderers draw for ``report``: merged cells repeated, labels on one line."""
    grids = []
    for name in TABLES_AFTER_SECTION[report.template].values():
        for layout in BUILDERS[name](report):
            cells = covered(layout)
            grids.append([
                [cells[(r, c)].text.replace("\n", "") if (r, c) in cells else "" for c in range(layout.n_cols)]
                for r in range(layout.n_rows)
            ])
    return grids


def rendered_spans(report: SampleReport) -> list[list[list[int]]]:
    """The merged cells the mirror's renderers draw for ``report``, per table: [row, col, rowspan, colspan]."""
    return [
        sorted([c.row, c.col, c.rowspan, c.colspan] for c in layout.cells if c.rowspan * c.colspan > 1)
        for name in TABLES_AFTER_SECTION[report.template].values()
        for layout in BUILDERS[name](report)
    ]


def padded(rows: list[list[str]]) -> list[list[str]]:
    """Rows padded with blanks to the widest row (HTML rows may omit trailing empty cells)."""
    width = max(map(len, rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]
