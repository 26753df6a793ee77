"""Pure ASGI middleware: request-size limits before the body is read, and an access log without data.

The access log names the route template (``/v1/cases/{case_id}/report``), never the path as sent,
the query string or the body: a case id, a file name or a message never reaches the logs. An
exception is logged by its type only, for the same reason (its text may quote a message).
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from txlguard.service.errors import ApiError, error_body
from txlguard.service.settings import ServiceSettings

access_log = logging.getLogger("txlguard.access")
error_log = logging.getLogger("txlguard.service")

#: Keys of ``scope["state"]`` (``request.state``) set by the short path of ``/v1/check``
#: (``fastpath.py``) for what it hands on: when the request began, and (secret, key info or None)
#: of the key look-up it made.
STARTED = "txlguard_started"
LOOKED_UP = "txlguard_api_key"

UPLOAD_PATH = re.compile(r"^/v1/cases/[^/]+/evidence/?$")


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} 字节"


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class BodyLimitMiddleware:
    """413 for a body over the limit: at once from ``Content-Length``, else while it streams in.

    Uploads (``POST /v1/cases/{id}/evidence``) may be ``max_upload_request_bytes``; every other
    request ``max_json_bytes``. A streamed body that runs over raises an :class:`ApiError` from
    ``receive``, which FastAPI passes on unchanged, so nothing after it (no store write) runs.
    """

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and UPLOAD_PATH.match(scope["path"]) is not None
        limit = self.settings.max_upload_request_bytes if upload else self.settings.max_json_bytes
        what = "上传的文件总共" if upload else "请求体"
        message_zh = f"{what}超过上限 {mib(limit)}"
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_json(send, 400, error_body("bad_request", "Content-Length 不是数字"))
                    return
                if declared > limit:
                    await send_json(send, 413, error_body("too_large", message_zh))
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ApiError(413, "too_large", message_zh)
            return message

        await self.app(scope, counted, send)


class AccessLogMiddleware:
    """One line per request: method, route template, status, milliseconds; a 500 for a crash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = scope.get("state", {}).get(STARTED, time.perf_counter())  # the short path began it
        status = 0

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noted)
        except Exception as exc:
            error_log.error("unhandled %s on %s %s", type(exc).__name__, scope["method"], _route(scope))
            if status == 0:
                status = 500
                await send_json(send, 500, error_body("internal_error", "服务器内部错误，请稍后再试"))
        log_access(scope["method"], _route(scope), status, started)


def log_access(method: str, route: str, status: int, started: float) -> None:
    """The access-log line: method, route template, status and milliseconds since ``started``."""
    if access_log.isEnabledFor(logging.INFO):
        access_log.info("%s %s %d %.1fms", method, route, status, (time.perf_counter() - started) * 1000)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "(no route)"
