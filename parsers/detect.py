"""Which template a report follows, judged from the figures its tables gave.

- ``2021``: table 2 has a column only the 2021 template prints (本年制发件数,
  现行有效件数, …) or table 3 has the 2021 （六） sub-rows; a report that mixes
  2021 table 2 with a single （六）其他处理 row is ``2021`` too;
- ``2019``: table 2 has a 2019-only column (本年新制作数量, 上一年项目数量, …);
- when only tables 3/4 were read, the template the notice names
  (〔2021〕30号 / 〔2019〕60号: ``templates.yml: notices``), else the year covered (2021 on: ``2021``);
- ``legacy``: the national 统计表 or an older local form;
- ``unknown``: no statistics table was read.
"""

from __future__ import annotations

import re

from nianbao.parsers.templates import TEMPLATES

_NOTICES = {template: re.compile(pattern) for template, pattern in TEMPLATES.data["notices"].items()}


def _columns_seen(keys: set[str], template: str) -> bool:
    columns = TEMPLATES.data["active"]["template_columns"][template]
    return any(k.startswith("active.") and k.rsplit(".", 1)[1] in columns for k in keys)


def detect_template(keys: set[str], text: str, year: int | None) -> str:
    modern = {k for k in keys if k.split(".")[0] in ("active", "requests", "appeals")}
    if modern:
        sub_rows = TEMPLATES.data["requests"]["template_rows"]["2021"]
        if _columns_seen(modern, "2021") or any(k.split(".")[1] in sub_rows for k in modern if k.startswith("requests.")):
            return "2021"
        if _columns_seen(modern, "2019"):
            return "2019"
        cited = next((template for template, notice in _NOTICES.items() if notice.search(text)), None)
        if cited:
            return cited
        return "2021" if year and year >= 2021 else "2019"
    if any(k.startswith("legacy.") for k in keys):
        return "legacy"
    return "unknown"
