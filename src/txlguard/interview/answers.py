"""Read an answer as a borrower types it — 是/不是/不知道, 1.5万元, 3个月, 年化36%, 2025年3月1日 —
into the value stored for the question, or say in Chinese what is wrong with it.

Shared by every interface: the CLI prompts, ``--answers`` files and, later, the web form.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from typing import Any

from pydantic import ValidationError

from txlguard.facts.models import CaseDetails
from txlguard.facts.numbers import parse_number
from txlguard.interview.questions import AnswerValue, InterviewQuestion

UNKNOWN_WORDS = frozenset(
    ["不知道", "不清楚", "不确定", "说不清", "记不清", "不记得", "忘了", "忘记了", "未知", "?", "unknown"]
)
YES_WORDS = frozenset(
    ["是", "是的", "对", "对的", "有", "有的", "有过", "嗯", "会", "确定", "肯定", "y", "yes"]
)
NO_WORDS = frozenset(["否", "不是", "没有", "没", "无", "不", "没有过", "不会", "不对", "n", "no"])

_TRAILING_PUNCT = ".。!！~～ "
_APPROX = re.compile(r"^(?:大约|大概|差不多|约|一共|总共|共|合计)|(?:左右|上下)$")
_RATE_WORDS = re.compile(r"^(?:年化利率|年化|年利率|年息|利率)(?:是|为|约|大约)?|(?:左右)$")
_PER_PERIOD = re.compile(r"[日天月周分厘]|千分之|万分之")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")
_ZH_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号]?)?$")
_MAX_TEXT = 100

_DETAIL_ERRORS_ZH = {
    "greater_than": "应大于 0",
    "greater_than_equal": "不能为负数",
}


class AnswerError(ValueError):
    """An answer that cannot be read; ``message_zh`` tells the person how to answer instead."""

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces or commas, no trailing full stops; lower case."""
    s = unicodedata.normalize("NFKC", text).strip().strip(_TRAILING_PUNCT).lower()
    return re.sub(r"[\s,，]", "", s)


def is_unknown(text: str) -> bool:
    return normalise(text) in UNKNOWN_WORDS


def _yes_no(s: str) -> bool:
    if s in YES_WORDS:
        return True
    if s in NO_WORDS:
        return False
    raise AnswerError("请回答“是”“否”或“不知道”")


def _choice(q: InterviewQuestion, s: str) -> AnswerValue:
    listing = "；".join(f"{n}. {c.label_zh}" for n, c in enumerate(q.choices, 1))
    if s.isdigit():
        n = int(s)
        if 1 <= n <= len(q.choices):
            return q.choices[n - 1].value
        raise AnswerError(f"请输入 1 到 {len(q.choices)} 之间的序号：{listing}")
    exact = [c for c in q.choices if normalise(c.label_zh) == s]
    matches = exact or [c for c in q.choices if s in normalise(c.label_zh) or normalise(c.label_zh) in s]
    if not matches:
        raise AnswerError(f"请输入选项的序号或名称：{listing}")
    if len({c.value for c in matches}) > 1:
        names = "、".join(c.label_zh for c in matches)
        raise AnswerError(f"“{names}”都符合，请输入序号：{listing}")
    return matches[0].value


def _amount(q: InterviewQuestion, s: str) -> float:
    """A number with an optional unit from the question's ``units`` (元, 个月…) and 万/千/中文数字."""
    s = _APPROX.sub("", s)
    factor = 1.0
    for unit in sorted(q.units, key=len, reverse=True):
        if s.endswith(unit) and len(s) > len(unit):
            s, factor = s[: -len(unit)], q.units[unit]
            break
    s = _APPROX.sub("", s)
    if s.startswith("-"):
        raise AnswerError("不能为负数")
    value = parse_number(s)
    if value is None:
        units = "、".join(q.units)
        example = f"，可以带单位（{units}）" if units else ""
        raise AnswerError(f"请输入一个数字，例如 3000 或 1.5万{example}")
    return value * factor


def _integer(q: InterviewQuestion, s: str) -> int:
    value = _amount(q, s)
    if not math.isclose(value, round(value), abs_tol=1e-9):
        raise AnswerError("请输入整数")
    return round(value)


def _rate(s: str) -> float:
    """An annual rate in percent: 36, 36%, 年化36%, 百分之三十六, or 日息千分之五 / 月息2分 annualised."""
    plain = _RATE_WORDS.sub("", s)
    if plain.startswith("百分之"):
        plain = plain[3:] + "%"
    if plain.endswith("%") or not _PER_PERIOD.search(plain):
        value = parse_number(plain.removesuffix("%"))
        if value is not None:
            return round(value, 4)
    from txlguard.facts import extract_facts  # the narrative's rate patterns: 日息千分之五, 月息2分…

    rate = extract_facts(s, use_scanner=False).details.annual_rate
    if rate is None:
        raise AnswerError("没看懂这个利率。请写年化百分比，例如 36%；也可以写“日息千分之五”“月息2分”")
    return rate


def _date(s: str) -> str:
    m = _ISO_DATE.match(s) or _ZH_DATE.match(s)
    if not m:
        raise AnswerError("请按 年-月-日 写日期，例如 2025-03-01 或 2025年3月1日")
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        value = date(year, month, day)
    except ValueError:
        raise AnswerError(f"没有这一天：{year}年{month}月{day}日") from None
    if value > date.today():
        raise AnswerError("日期不能晚于今天")
    if year < 1990:
        raise AnswerError("年份太早了，请检查")
    return value.isoformat()


def _text(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw).strip()
    if len(value) > _MAX_TEXT:
        raise AnswerError(f"请简短一些（不超过{_MAX_TEXT}个字）")
    return value


def _checked(q: InterviewQuestion, value: AnswerValue) -> AnswerValue:
    """The value as ``CaseDetails`` would accept it (limits such as "more than 0 days")."""
    if q.target != "detail" or value is None:
        return value
    try:
        CaseDetails.model_validate({q.key: value})
    except ValidationError as exc:
        kind = exc.errors()[0]["type"]
        raise AnswerError(_DETAIL_ERRORS_ZH.get(kind, "这个回答不是有效的取值")) from None
    return value


def parse_answer(q: InterviewQuestion, raw: str) -> AnswerValue:
    """The stored value of a typed answer; None for 不知道. Raises :class:`AnswerError`."""
    s = normalise(raw)
    if not s:
        raise AnswerError("请输入回答；不知道可以回答“不知道”")
    if s in UNKNOWN_WORDS:
        return None
    value: AnswerValue
    if q.kind == "yes_no":
        value = _yes_no(s)
    elif q.kind == "choice":
        value = _choice(q, s)
    elif q.kind == "number":
        value = round(_amount(q, s), 2)
    elif q.kind == "integer":
        value = _integer(q, s)
    elif q.kind == "rate":
        value = _rate(s)
    elif q.kind == "date":
        value = _date(s)
    else:
        value = _text(raw)
    return _checked(q, value)


def coerce_answer(q: InterviewQuestion, raw: Any) -> AnswerValue:
    """An answer from a JSON file: native JSON values of the right type, or text read as typed."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return parse_answer(q, raw)
    if isinstance(raw, bool):
        if q.kind == "yes_no":
            return raw
        if q.kind == "choice" and any(c.value is raw for c in q.choices):
            return raw
        raise AnswerError(f"不应为 {'true' if raw else 'false'}：{expected_zh(q)}")
    if isinstance(raw, int | float) and q.kind in ("number", "integer", "rate"):
        if raw < 0:
            raise AnswerError("不能为负数")
        if q.kind == "integer":
            if not float(raw).is_integer():
                raise AnswerError("应为整数")
            return _checked(q, int(raw))
        return _checked(q, float(raw))
    raise AnswerError(expected_zh(q))


def expected_zh(q: InterviewQuestion) -> str:
    """What an answer to ``q`` should look like, in Chinese."""
    return {
        "yes_no": "应为 true、false、null，或“是”“否”“不知道”",
        "choice": "应为选项之一：" + "、".join(c.label_zh for c in q.choices),
        "number": "应为数字（例如 3000 或 “1.5万元”）",
        "integer": "应为整数",
        "rate": "应为年化利率（百分数，例如 36 或 “36%”）",
        "date": "应为日期（例如 “2025-03-01”）",
        "text": "应为文字",
    }[q.kind]


def format_answer(q: InterviewQuestion, value: AnswerValue) -> str:
    """A stored value as the person would say it: 是, 不知道, 3000元, 年化36%, the choice's label."""
    if value is None:
        return "不知道"
    if q.kind == "yes_no":
        return "是" if value else "否"
    if q.kind == "choice":
        return next((c.label_zh for c in q.choices if c.value == value), str(value))
    if q.kind == "rate":
        return f"年化{value:g}%" if isinstance(value, int | float) else str(value)
    if q.kind in ("number", "integer") and isinstance(value, int | float):
        unit = next(iter(q.units), "")
        return f"{value:g}{unit}"
    return str(value)
