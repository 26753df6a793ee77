"""The short path of ``POST /v1/check`` answers exactly as the endpoint does, or leaves it to it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from txlguard.service import ServiceSettings, create_app
from txlguard.service.fastpath import CheckFastPath
from txlguard.store import Store

THREAT = "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道你是老赖"
REMINDER = "【某某贷】您的借款将于明天到期，请按时还款。"


@pytest.fixture
def clients(store: Store) -> Iterator[tuple[TestClient, TestClient, str]]:
    """Two apps over one store, with and without the short path, and a key for both."""
    _, key = store.create_api_key("测试")
    base = {"key_cache_seconds": 5, "max_json_bytes": 4096}
    fast = create_app(ServiceSettings.model_validate({**base, "check_fast_path": True}), store=store)
    slow = create_app(ServiceSettings.model_validate({**base, "check_fast_path": False}), store=store)
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        yield fast_client, slow_client, key


def _requests(key: str) -> list[tuple[str, dict[str, str], bytes]]:
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def body(messages: list[dict[str, Any]]) -> bytes:
        return json.dumps({"messages": messages}, ensure_ascii=False).encode()

    return [
        ("one lawful", auth, body([{"id": "1", "text": REMINDER}])),
        ("one threat", auth, body([{"id": "2", "text": THREAT, "recipient": "borrower"}])),
        ("three", auth, body([{"id": str(i), "text": t} for i, t in enumerate([REMINDER, THREAT, "你好"])])),
        ("a batch for the endpoint", auth, body([{"id": str(i), "text": REMINDER} for i in range(17)])),
        (
            "half an emoji",
            auth,
            b'{"messages":[{"id":"e","text":"\\ud83d\\u4f60\\u8fd9\\u4e2a\\u8001\\u8d56"}]}',
        ),
        ("no key", {"Content-Type": "application/json"}, body([{"id": "1", "text": THREAT}])),
        ("unknown key", {**auth, "Authorization": "Bearer nope"}, body([{"id": "1", "text": THREAT}])),
        ("not JSON", auth, b'{"messages": [}'),
        ("not declared JSON", {**auth, "Content-Type": "text/plain"}, body([{"id": "1", "text": THREAT}])),
        ("invalid", auth, b'{"messages": [{"id": "1", "text": 5}]}'),
        ("none", auth, b'{"messages": []}'),
        ("empty", auth, b""),
        ("too large", auth, body([{"id": "1", "text": "还钱" * 3000}])),
        ("not UTF-8", auth, '{"messages": [{"id": "1", "text": "还钱"}]}'.encode("gbk")),
        ("nested too deep", auth, b'{"messages":' + b"[" * 1500 + b"]" * 1500 + b"}"),
    ]


def test_every_answer_is_the_endpoints_own(clients: tuple[TestClient, TestClient, str]) -> None:
    fast, slow, key = clients
    for name, headers, content in _requests(key):
        a = fast.post("/v1/check", headers=headers, content=content)
        b = slow.post("/v1/check", headers=headers, content=content)
        assert a.status_code == b.status_code, name
        assert a.content == b.content, name
        assert a.headers.get("content-type") == b.headers.get("content-type"), name
        assert a.headers.get("content-length") == b.headers.get("content-length"), name


def test_the_first_content_type_decides_as_in_the_endpoint(
    clients: tuple[TestClient, TestClient, str],
) -> None:
    fast, slow, key = clients
    headers = [
        ("Authorization", f"Bearer {key}"),
        ("Content-Type", "text/plain"),
        ("Content-Type", "application/json"),
    ]
    body = json.dumps({"messages": [{"id": "1", "text": THREAT}]}).encode()
    a = fast.post("/v1/check", headers=headers, content=body)
    b = slow.post("/v1/check", headers=headers, content=body)
    assert (a.status_code, a.content) == (b.status_code, b.content)
    assert a.status_code == 422


def test_a_valid_check_is_answered_without_the_application(
    clients: tuple[TestClient, TestClient, str],
) -> None:
    fast, _slow, key = clients
    app = fast.app
    called: list[str] = []

    async def application(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope["path"])

    short = CheckFastPath(application, app.state.settings)  # type: ignore[attr-defined]
    sent: list[dict[str, Any]] = []

    async def run(body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        chunks = [{"type": "http.request", "body": body[:10], "more_body": True},
                  {"type": "http.request", "body": body[10:], "more_body": False}]  # fmt: skip

        async def receive() -> dict[str, Any]:
            return chunks.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/v1/check", "headers": headers, "app": app}
        await short(scope, receive, send)

    body = json.dumps({"messages": [{"id": "1", "text": THREAT}]}, ensure_ascii=False).encode()
    headers = [
        (b"authorization", f"Bearer {key}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    asyncio.run(run(body, headers))
    assert called == []
    assert sent[0]["status"] == 200
    assert "threat_to_contacts" in json.loads(sent[1]["body"])["results"][0]["labels"]

    sent.clear()
    asyncio.run(run(body, [h for h in headers if h[0] != b"authorization"]))
    assert called == ["/v1/check"] and sent == []  # no key: the application answers


def test_a_rate_limited_key_is_the_applications_429(store: Store, tmp_path: Path) -> None:
    _, key = store.create_api_key("测试")
    settings = ServiceSettings.model_validate({"key_cache_seconds": 5, "rate_limit_per_minute": 2})
    with TestClient(create_app(settings, store=store)) as client:
        body = {"messages": [{"id": "1", "text": REMINDER}]}
        codes = [
            client.post("/v1/check", headers={"Authorization": f"Bearer {key}"}, json=body).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]
