"""Errors as ``{"error": {"code", "message"}}`` with a Chinese message for people, never echoing input.

FastAPI's default validation error repeats the offending input (which may be a borrower's message);
ours names the field and says what is wrong with it, in Chinese, and leaves the input out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(HTTPException):
    """An error response: HTTP status, a stable English code and a Chinese message."""

    def __init__(
        self, status_code: int, code: str, message_zh: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(
            status_code=status_code, detail=message_zh, headers=dict(headers) if headers else None
        )
        self.code = code
        self.message_zh = message_zh


def error_body(code: str, message_zh: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message_zh, **extra}}


def error_response(
    status_code: int, code: str, message_zh: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message_zh, **extra), status_code=status_code, headers=headers)


_STATUS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "需要身份验证"),
    403: ("forbidden", "没有权限"),
    404: ("not_found", "没有这个接口；接口列表见 /docs"),
    405: ("method_not_allowed", "该接口不支持这种请求方法；接口列表见 /docs"),
    413: ("too_large", "请求太大"),
    415: ("unsupported_media_type", "不支持的请求内容类型"),
    422: ("invalid_request", "请求内容有误"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
}

_TYPE_ZH: dict[str, str] = {
    "missing": "缺少此字段",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "list_type": "应为数组",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "datetime_type": "应为 ISO 8601 时间，如 2025-06-10T09:30:00+08:00",
    "datetime_parsing": "应为 ISO 8601 时间，如 2025-06-10T09:30:00+08:00",
    "datetime_from_date_parsing": "应为 ISO 8601 时间，如 2025-06-10T09:30:00+08:00",
    "date_type": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "extra_forbidden": "不是可识别的字段",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
}


def field_name(loc: Sequence[str | int]) -> str:
    """``("body", "messages", 3, "text")`` → ``messages[3].text``; the body itself is 请求体."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        source, parts = parts[0], parts[1:]
        if source == "body" and (not parts or isinstance(parts[0], int)) and len(parts) <= 1:
            return "请求体"
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "请求体"


def describe(error: Mapping[str, Any]) -> str:
    """What is wrong, in Chinese, without repeating the input."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("too_short", "string_too_short"):
        unit = "个字" if kind == "string_too_short" else "项"
        return "不能为空" if ctx.get("min_length") in (1, None) else f"至少需要 {ctx['min_length']} {unit}"
    if kind in ("too_long", "string_too_long"):
        unit = "个字" if kind == "string_too_long" else "项"
        return f"最多 {ctx.get('max_length')} {unit}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", "、").replace("'", "")
        return f"取值应为 {expected}"
    if kind in _TYPE_ZH:
        try:
            return _TYPE_ZH[kind].format(**ctx)
        except (KeyError, IndexError):
            return _TYPE_ZH[kind]
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return "取值无效"


def validation_response(errors: Sequence[Mapping[str, Any]]) -> JSONResponse:
    fields = [{"field": field_name(e.get("loc", ())), "message": describe(e)} for e in errors]
    shown = "；".join(f"{f['field']}：{f['message']}" for f in fields[:3])
    more = f"（另有 {len(fields) - 3} 处）" if len(fields) > 3 else ""
    return error_response(422, "invalid_request", f"请求内容有误：{shown}{more}", fields=fields)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.message_zh, exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _STATUS.get(exc.status_code, ("error", "请求失败"))
    return error_response(exc.status_code, code, message, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc.errors())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
