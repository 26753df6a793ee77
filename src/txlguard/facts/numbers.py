"""Chinese and Arabic numerals as people write them in complaints: 二三十, 十几, 上百, 1.5万, 两千多.

Counts are read as their *lower bound* ("二三十个" → 20, "十几个" → 10, "几十个" → 20), which is the
safe reading for a legal threshold.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARABIC = re.compile(r"^(\d+(?:\.\d+)?)(万|千|百|十)?$")
_RANGE = re.compile(r"([一二两三四五六七八九])[二两三四五六七八九]")  # 二三十 → 二十, 三四 → 三


def parse_number(token: str) -> float | None:
    """The lower-bound value of a numeral token, or None if it names no definite quantity.

    >>> parse_number("二三十"), parse_number("十几"), parse_number("上百"), parse_number("1.5万")
    (20.0, 10.0, 100.0, 15000.0)
    """
    s = token.strip().rstrip("多余来")
    if not s:
        return None
    m = _ARABIC.match(s)
    if m:
        value = float(m.group(1))
        unit = m.group(2)
        if unit == "万":
            value *= 10000
        elif unit:
            value *= _SMALL_UNITS[unit]
        return value
    if s.startswith("上") and len(s) > 1 and s[1] in "百千万":
        s = "一" + s[1:]
    s = s.rstrip("几")  # 十几 → 十
    if not s or s in ("几", "数", "好几"):
        return None
    # a vague digit before a unit ("几十", "数百") counts as two of that unit: "several tens" ≥ 20
    s = re.sub(r"[几数](?=[十百千万])", "二", s)
    s = _RANGE.sub(r"\1", s)
    if any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch != "万" for ch in s):
        return None
    total = 0
    section = 0
    last_unit = 1
    digit: int | None = None
    for ch in s:
        if ch in _DIGITS:
            # two digits in a row without a unit ("二零二四") read as a plain digit string
            digit = _DIGITS[ch] if digit is None else digit * 10 + _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            last_unit = _SMALL_UNITS[ch]
            digit = None
        else:  # 万
            section = (section + (digit or 0)) or 1
            total += section * 10000
            section = 0
            last_unit = 10000
            digit = None
    if digit is not None and last_unit >= 100 and digit < 10:  # 一千五 = 1500, 两万五 = 25000
        digit *= last_unit // 10
    return float(total + section + (digit or 0))


def parse_count(token: str) -> int | None:
    """An integer lower bound of a count, or None."""
    value = parse_number(token)
    return None if value is None else int(value)
