"""/healthz, /v1/check (API keys: 401/403, rate 429, body limits 413, validation 422), /v1/assess, /v1/law."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from txlguard.detect import default_scanner
from txlguard.detect.models import MessageInput
from txlguard.service.errors import field_name
from txlguard.store import Store

from .conftest import THREAT, Api, make_api


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error_of(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    error: dict[str, str] = body["error"]
    assert error["code"] and chinese(error["message"])
    return error


def test_healthz(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_documents_every_endpoint(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/healthz",
        "/v1/check",
        "/v1/assess",
        "/v1/cases",
        "/v1/cases/{case_id}",
        "/v1/cases/{case_id}/evidence",
        "/v1/cases/{case_id}/judge",
        "/v1/cases/{case_id}/findings",
        "/v1/cases/{case_id}/report",
        "/v1/cases/{case_id}/letters",
        "/v1/cases/{case_id}/letters/{name}",
        "/v1/law/provisions",
        "/v1/law/provisions/{provision_id}",
        "/v1/law/cases",
        "/v1/law/cases/{legal_case_id}",
        "/v1/law/channels",
        "/v1/law/channels/{channel_id}",
    }
    assert "security" not in json.dumps(paths["/v1/law/provisions"])


def test_openapi_names_the_check_body_though_the_endpoint_reads_it_itself(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    check = document["paths"]["/v1/check"]["post"]
    body = check["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CheckRequest"}
    components = document["components"]["schemas"]
    assert components["CheckRequest"]["properties"]["messages"]["items"] == {
        "$ref": "#/components/schemas/MessageInput"
    }
    assert set(components["MessageInput"]["required"]) == {"id", "text"}
    assert [p["name"] for p in check["parameters"]] == ["Authorization"]


# -- check ------------------------------------------------------------------------------------
def test_check_one_message_has_the_scan_shape(api: Api) -> None:
    response = api.client.post(
        "/v1/check",
        json={"messages": [{"id": "m1", "text": THREAT, "recipient": "borrower"}]},
        headers=api.auth,
    )
    assert response.status_code == 200, response.text
    expected = default_scanner().scan(MessageInput(id="m1", text=THREAT, recipient="borrower")).public()
    assert response.json() == {"results": [json.loads(json.dumps(expected))]}
    result = response.json()["results"][0]
    assert "threat_to_contacts" in result["labels"]
    detection = result["detections"][0]
    assert THREAT[detection["start"] : detection["end"]] == detection["quote"]


def test_check_a_batch_of_1000_in_order(api: Api) -> None:
    texts = [THREAT, "您好，您的账单已出，请按时还款。", "再不还钱就去你单位闹，让你同事都知道"]
    messages = [{"id": str(i), "text": texts[i % 3]} for i in range(1000)]
    response = api.client.post("/v1/check", json={"messages": messages}, headers=api.auth)
    assert response.status_code == 200
    results = response.json()["results"]
    expected = default_scanner().scan_batch([MessageInput.model_validate(m) for m in messages])
    assert [r["id"] for r in results] == [str(i) for i in range(1000)]
    assert results == json.loads(json.dumps([r.public() for r in expected]))


def test_check_rejects_more_than_1000_and_none(api: Api) -> None:
    too_many = [{"id": str(i), "text": "还款"} for i in range(1001)]
    error = error_of(api.client.post("/v1/check", json={"messages": too_many}, headers=api.auth))
    assert "messages" in error["message"] and "1000" in error["message"]
    error = error_of(api.client.post("/v1/check", json={"messages": []}, headers=api.auth))
    assert "messages" in error["message"] and "不能为空" in error["message"]


def test_malformed_check_bodies_are_422_naming_the_field(api: Api) -> None:
    response = api.client.post("/v1/check", json={"messages": [{"id": "1"}]}, headers=api.auth)
    assert response.status_code == 422
    assert error_of(response)["message"] == "请求内容有误：messages[0].text：缺少此字段"
    response = api.client.post(
        "/v1/check", json={"messages": [{"id": "1", "text": "x", "recipient": "boss"}]}, headers=api.auth
    )
    assert response.status_code == 422
    message = error_of(response)["message"]
    assert "messages[0].recipient" in message and "borrower" in message and "boss" not in message
    response = api.client.post(
        "/v1/check", content=b'{"messages": [', headers={**api.auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "不是有效的 JSON" in error_of(response)["message"]


def test_check_reads_its_body_as_fastapi_reads_a_json_body(api: Api) -> None:
    """/v1/check reads its body itself (the hot path); the answers are those of a FastAPI body."""
    body = json.dumps({"messages": [{"id": "1", "text": THREAT}]}, ensure_ascii=False).encode("utf-8")

    def post(content: bytes, content_type: str | None = "application/json") -> Any:
        headers = {**api.auth, **({"Content-Type": content_type} if content_type else {})}
        return api.client.post("/v1/check", content=content, headers=headers)

    assert post(body).status_code == 200
    assert post(body, "application/json; charset=utf-8").status_code == 200
    assert post("\ufeff".encode() + body).status_code == 200  # a byte-order mark
    assert post(json.dumps({"messages": [{"id": "1", "text": THREAT}]}).encode("utf-16")).status_code == 200
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = post(body, content_type)
        assert response.status_code == 422, content_type
        assert error_of(response)["message"] == "请求内容有误：请求体：应为 JSON 对象"
    response = post(b"")
    assert response.status_code == 422 and error_of(response)["message"] == "请求内容有误：请求体：缺少此字段"
    response = post(b'{"messages": [{"id": "1", "text": "\xff\xfe\xfa"}]}')
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


def test_half_an_emoji_is_scanned_not_refused(api: Api) -> None:
    """A split SMS can end in half a surrogate pair; JSON.stringify then writes a lone \\ud83d."""
    content = b'{"messages": [{"id": "1", "text": "' + THREAT.encode() + b'\\ud83d"}]}'
    response = api.client.post(
        "/v1/check", content=content, headers={**api.auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert "threat_to_contacts" in result["labels"]


def test_validation_errors_do_not_repeat_the_input(api: Api) -> None:
    response = api.client.post("/v1/check", json={"messages": [{"id": 7, "text": THREAT}]}, headers=api.auth)
    assert response.status_code == 422
    assert THREAT not in response.text and "messages[0].id" in response.text


def test_field_names() -> None:
    assert field_name(("body", "messages", 3, "text")) == "messages[3].text"
    assert field_name(("body",)) == "请求体"
    assert field_name(("body", 12)) == "请求体"
    assert field_name(("query", "format")) == "format"


def test_check_needs_a_valid_api_key(api: Api) -> None:
    body = {"messages": [{"id": "1", "text": THREAT}]}
    response = api.client.post("/v1/check", json=body)
    assert response.status_code == 401
    assert error_of(response)["code"] == "missing_api_key"
    assert response.headers["www-authenticate"] == "Bearer"
    for header in (f"Basic {api.key}", "Bearer", "Bearer txl_not-a-real-key"):
        response = api.client.post("/v1/check", json=body, headers={"Authorization": header})
        assert response.status_code == 401, header
        error_of(response)


def test_a_revoked_key_is_403(api: Api) -> None:
    info, key = api.store.create_api_key("将被吊销")
    body = {"messages": [{"id": "1", "text": "你好"}]}
    assert (
        api.client.post("/v1/check", json=body, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    api.store.revoke_api_key(info.id)
    response = api.client.post("/v1/check", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "revoked_api_key"


def test_keys_are_stored_hashed_and_their_use_is_recorded(api: Api) -> None:
    api.client.post("/v1/check", json={"messages": [{"id": "1", "text": "你好"}]}, headers=api.auth)
    deadline = time.monotonic() + 5  # the use is written in the background, off the request's path
    while (info := api.store.api_keys()[0]).last_used_at is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert info.last_used_at is not None
    assert api.key.startswith(info.prefix) and len(info.prefix) < len(api.key)
    with api.store.engine.connect() as connection:
        dumped = repr(connection.exec_driver_sql("SELECT * FROM api_keys").all())
    assert api.key not in dumped


@pytest.fixture
def strict_api(store: Store, blob_dir: Path) -> Iterator[Api]:
    yield from make_api(
        store, blob_dir, rate_limit_per_minute=3, anonymous_rate_limit_per_minute=2, max_json_bytes=4000
    )


def test_per_key_rate_limit_is_429(strict_api: Api) -> None:
    body = {"messages": [{"id": "1", "text": "你好"}]}
    statuses = [
        strict_api.client.post("/v1/check", json=body, headers=strict_api.auth).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = strict_api.client.post("/v1/check", json=body, headers=strict_api.auth)
    assert error_of(response)["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) >= 1
    _, other = strict_api.store.create_api_key("另一个系统")  # each key has its own allowance
    assert (
        strict_api.client.post(
            "/v1/check", json=body, headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 200
    )


def test_anonymous_endpoints_are_rate_limited_per_client(strict_api: Api) -> None:
    body = {"facts": {"contacts_contacted": True}}
    statuses = [strict_api.client.post("/v1/assess", json=body).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert strict_api.client.get("/v1/law/provisions/pipl-13").status_code == 200  # the law base is open


def test_oversized_json_is_413_before_and_while_reading(strict_api: Api) -> None:
    big = json.dumps({"messages": [{"id": "1", "text": "还" * 3000}]}).encode()
    response = strict_api.client.post(
        "/v1/check", content=big, headers={**strict_api.auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    response = strict_api.client.post(
        "/v1/check", content=chunks(), headers={**strict_api.auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "4000" in error_of(response)["message"]


# -- assess -----------------------------------------------------------------------------------
def test_assess_facts_and_narrative(api: Api) -> None:
    facts = {
        "facts": {
            "contacts_harvested": True,
            "no_separate_consent": True,
            "contacts_contacted": True,
            "debt_disclosed_to_contacts": True,
        },
        "details": {"start": "2025-06-10", "end": "2025-07-05"},
    }
    response = api.client.post("/v1/assess", json=facts)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] in ("unlawful", "likely_unlawful")
    assert body["facts"]["debt_disclosed_to_contacts"] is True
    assert any("pipl" in p for f in body["findings"] for p in f["provisions"])
    narrative = "逾期以后，他们给我通讯录里的同事、亲戚打电话发短信，说我欠钱不还是老赖。借款时App要求必须授权通讯录。"
    response = api.client.post("/v1/assess", json={"text": narrative})
    assert response.status_code == 200
    assert response.json()["facts"]["contacts_contacted"] is True


def test_assess_input_errors_are_422_in_chinese(api: Api) -> None:
    error = error_of(api.client.post("/v1/assess", json={}))
    assert "facts" in error["message"] and "text" in error["message"]
    error = error_of(api.client.post("/v1/assess", json={"facts": {"made_up": True}}))
    assert "facts.made_up" in error["message"]
    error = error_of(api.client.post("/v1/assess", json={"text": "   "}))
    assert "text" in error["message"]
    error = error_of(api.client.post("/v1/assess", json={"facts": {}, "as_of": "明天"}))
    assert "as_of" in error["message"]


# -- law --------------------------------------------------------------------------------------
def test_law_provisions(api: Api) -> None:
    listed = api.client.get("/v1/law/provisions", params={"instrument": "pipl"}).json()["provisions"]
    assert listed and {p["instrument"] for p in listed} == {"pipl"}
    searched = api.client.get("/v1/law/provisions", params={"q": "通讯录 同意"}).json()["provisions"]
    assert searched
    one = api.client.get("/v1/law/provisions/civil-code-1032").json()
    assert one["id"] == "civil-code-1032" and one["instrument_name_zh"]
    response = api.client.get("/v1/law/provisions/pipl-9999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "provision_not_found"
    dated = api.client.get("/v1/law/provisions", params={"as_of": "2020-01-01"}).json()["provisions"]
    assert all(p["id"] != "pipl-13" for p in dated)  # the PIPL took effect on 2021-11-01


def test_law_cases_and_channels(api: Api) -> None:
    cases = api.client.get("/v1/law/cases").json()["cases"]
    assert cases
    assert api.client.get(f"/v1/law/cases/{cases[0]['id']}").json() == cases[0]
    channels = api.client.get("/v1/law/channels").json()["channels"]
    assert channels
    assert api.client.get(f"/v1/law/channels/{channels[0]['id']}").json() == channels[0]
    for path in ("/v1/law/cases/nope", "/v1/law/channels/nope"):
        response = api.client.get(path)
        assert response.status_code == 404
        error_of(response)


def test_unknown_route_and_method_are_chinese_json(api: Api) -> None:
    response = api.client.get("/v1/nothing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    response = api.client.get("/v1/check")
    assert response.status_code == 405
    error_of(response)
