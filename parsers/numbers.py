"""Reading the numbers printed in report tables.

Counts are integers (``10``, ``0件``, ``1,234``); 本年增/减 is signed
(``+1``, ``-302``, ``增加3``, ``减2``, ``无变化``: the words are
``templates.yml: signed_words``); money is normalised to 万元 while the
printed text is kept by the caller: ``251000元`` → 25.1, ``3168.0656(万元)`` → 3168.0656,
``21207.84 万元`` → 21207.84.  A bare money figure takes the unit its
column header states (``单位：万元``); without one it is read as 万元 and
flagged as an assumption.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TypeVar

from nianbao.parsers.templates import TEMPLATES

_BLANKS = {"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "／", "­"}
_NUMBER = re.compile(r"^(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?$")
_MONEY_FACTORS = {"元": 0.0001, "千元": 0.1, "万元": 1.0, "亿元": 10000.0}
UNITS = tuple(sorted([*_MONEY_FACTORS, *TEMPLATES.data["count_units"]], key=len, reverse=True))
_UNIT_SUFFIX = re.compile(r"^(?P<body>.*?)[(]?(?P<unit>" + "|".join(UNITS) + r")[)]?$")
_HEADER_UNIT = re.compile(r"(?:单位|计量单位)[:：]?\s*[(（]?(万元|亿元|千元|元)")
_BARE_UNIT = re.compile(r"[(（](万元|亿元|千元|元)[)）]")
_SPACES = re.compile(r"[\s\u00a0\u200b]+")
_WORDS = TEMPLATES.data["active"]["signed_words"]
_SIGNS = {**{w: 1 for w in _WORDS["plus"]}, **{w: -1 for w in _WORDS["minus"]}}
_SIGN_WORD = re.compile(r"^(?P<word>" + "|".join(sorted(_SIGNS, key=len, reverse=True)) + r")了?(?P<rest>\d.*)$")
_NO_CHANGE = frozenset(_WORDS["zero"])
_CACHE_SIZE = 1 << 14
_CACHED_LENGTH = 64
_T = TypeVar("_T")


def _cached_when_short(function: Callable[[str], _T]) -> Callable[[str], _T]:
    """Remember results for short texts: value cells (0, -, 12件) repeat across rows and reports.

    Longer texts (label cells, paragraphs) bypass the cache, so its memory stays small.
    """
    cached = lru_cache(maxsize=_CACHE_SIZE)(function)

    @wraps(function)
    def read(text: str) -> _T:
        return cached(text) if len(text) <= _CACHED_LENGTH else function(text)

    return read


@dataclass(frozen=True)
class Number:
    value: int | float
    unit: str | None = None  # the unit printed in the cell, if any


@_cached_when_short
def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text).replace("−", "-").replace("－", "-")


def is_blank(text: str | None) -> bool:
    """An empty cell or a dash/slash placeholder: printed as nothing."""
    return _clean(text or "") in _BLANKS


def parse_number(text: str | None) -> Number | None:
    """The number a cell prints, with its unit if one is attached; None for anything else."""
    return _parse_number(text or "")


@_cached_when_short
def _parse_number(text: str) -> Number | None:
    cleaned = _clean(text)
    if cleaned in _NO_CHANGE:
        return Number(0)
    worded = _SIGN_WORD.match(cleaned)
    if worded:
        number = _plain_number(worded.group("rest"))
        return Number(_SIGNS[worded.group("word")] * number.value, number.unit) if number else None
    return _plain_number(cleaned)


def _plain_number(cleaned: str) -> Number | None:
    """A number printed with digits: ``12``, ``-302``, ``1,234``, ``3168.0656(万元)``, ``10件``."""
    unit = None
    match = _NUMBER.match(cleaned)
    if not match:
        suffixed = _UNIT_SUFFIX.match(cleaned)
        if not suffixed:
            return None
        unit = suffixed.group("unit")
        match = _NUMBER.match(suffixed.group("body"))
        if not match:
            return None
    digits = match.group("num").replace(",", "")
    sign = -1 if match.group("sign") == "-" else 1
    if match.group("frac"):
        return Number(sign * float(digits + match.group("frac")), unit)
    return Number(sign * int(digits), unit)


def is_number(text: str | None) -> bool:
    return parse_number(text) is not None


def header_money_unit(header: str | None) -> str | None:
    """The money unit a column header, caption or unit cell states: ``单位：万元``, ``（元）``, ``万元``."""
    header = unicodedata.normalize("NFKC", header or "").strip()
    if header in _MONEY_FACTORS:  # a unit column: 万元
        return header
    match = _HEADER_UNIT.search(header) or _BARE_UNIT.search(header)
    return match.group(1) if match else None


def tidy(value: float) -> int | float:
    """An integral float as int (7545.0 → 7545); others rounded to drop float noise."""
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def money_in_wan(text: str, header_unit: str | None = None) -> tuple[int | float, bool] | None:
    """(value in 万元, unit_assumed) for a money cell; None when the cell is not a number."""
    number = parse_number(text)
    if number is None:
        return None
    unit = number.unit if number.unit in _MONEY_FACTORS else header_unit
    assumed = unit is None
    return tidy(number.value * _MONEY_FACTORS.get(unit or "万元", 1.0)), assumed
