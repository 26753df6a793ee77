"""Read a structured fact file (`assess --facts`): strict, with errors that name the field in Chinese."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from txlguard.facts.details import derive_details
from txlguard.facts.models import CaseDetails, CaseFacts, Fact
from txlguard.taxonomy import FactCode

_DETAIL_TYPES_ZH = {
    "bool_type": "应为 true、false 或 null",
    "bool_parsing": "应为 true、false 或 null",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "greater_than_equal": "不能为负数",
    "greater_than": "应大于 0",
    "extra_forbidden": "不是可识别的字段",
    "string_type": "应为文本",
}


class FactInputError(ValueError):
    """Bad structured input; ``field`` names the offending key, the message is Chinese."""

    def __init__(self, field: str, message_zh: str) -> None:
        super().__init__(f"{field}: {message_zh}")
        self.field = field
        self.message_zh = message_zh


def parse_fact_json(text: str) -> CaseFacts:
    """Parse the JSON text of a fact file."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactInputError(
            "(文件)", f"不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}"
        ) from exc
    return parse_fact_object(raw)


def parse_fact_object(raw: Any) -> CaseFacts:
    """Validate ``{"facts": {code: true|false|null}, "details"?: {...}}``."""
    if not isinstance(raw, dict):
        raise FactInputError("(文件)", '顶层应为 JSON 对象，形如 {"facts": {...}, "details": {...}}')
    unknown_top = sorted(set(raw) - {"facts", "details"})
    if unknown_top:
        raise FactInputError(unknown_top[0], "不是可识别的字段（只接受 facts 和 details）")
    facts_raw = raw.get("facts")
    if not isinstance(facts_raw, dict):
        raise FactInputError("facts", "缺少 facts 对象，或 facts 不是对象")
    facts: dict[FactCode, Fact] = {}
    valid = {c.value for c in FactCode}
    for key, value in facts_raw.items():
        if key not in valid:
            raise FactInputError(f"facts.{key}", f"不是已知的事实代码；可用代码：{', '.join(sorted(valid))}")
        if value is not None and not isinstance(value, bool):
            raise FactInputError(f"facts.{key}", "值应为 true、false 或 null（未知）")
        facts[FactCode(key)] = Fact(code=FactCode(key), value=value, source="asserted")
    details_raw = raw.get("details", {}) or {}
    if not isinstance(details_raw, dict):
        raise FactInputError("details", "details 应为对象")
    try:
        details = CaseDetails.model_validate(details_raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = "details." + ".".join(str(p) for p in error["loc"])
        raise FactInputError(
            field, _DETAIL_TYPES_ZH.get(error["type"], f"取值无效（{error['msg']}）")
        ) from exc
    if details.start and details.end and details.start > details.end:
        raise FactInputError("details.end", "结束日期早于开始日期")
    details, notes = derive_details(details)
    return CaseFacts(facts=facts, details=details, notes=notes)
