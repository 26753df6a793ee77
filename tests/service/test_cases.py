"""Case endpoints: tokens (401/403/404), uploads (stored unchanged; 413/422 store nothing), judge,
findings, reports and letters in every format; logs without message text."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from txlguard.store import Store

from .conftest import THREAT, Api, collection_sms, make_api
from .test_check_assess import error_of

ACCOUNT = (
    "我在速借宝借了3000元，到手只有2100元，7天后要还3000元。借款时App要求必须授权通讯录，不授权就不能借款。"
    "逾期以后，他们给我通讯录里的同事、亲戚打电话发短信，说我欠钱不还是老赖，我父亲也接到了电话。"
)


def test_case_tokens_guard_every_case_endpoint(api: Api) -> None:
    case_id, token = api.new_case()
    other_id, other_token = api.new_case("另一个案件")
    paths = [
        ("get", f"/v1/cases/{case_id}"),
        ("post", f"/v1/cases/{case_id}/judge"),
        ("get", f"/v1/cases/{case_id}/findings"),
        ("get", f"/v1/cases/{case_id}/report"),
        ("get", f"/v1/cases/{case_id}/letters"),
        ("get", f"/v1/cases/{case_id}/letters/x"),
        ("post", f"/v1/cases/{case_id}/evidence"),
    ]
    for method, path in paths:
        files = {"files": ("a.txt", b"hello")} if path.endswith("evidence") else None
        response = api.client.request(method, path, files=files)
        assert response.status_code == 401, path
        assert error_of(response)["code"] == "missing_case_token"
        response = api.client.request(method, path, headers=other_token, files=files)
        assert response.status_code == 403, path
        assert error_of(response)["code"] == "wrong_case_token"
    assert api.client.get(f"/v1/cases/{other_id}", headers=other_token).status_code == 200
    assert api.client.get(f"/v1/cases/{case_id.upper()}", headers=token).status_code == 200


def test_cases_from_the_command_line_are_not_reachable(api: Api) -> None:
    cli_case = api.store.create_case("命令行案件")
    _, token = api.new_case()
    response = api.client.get(f"/v1/cases/{cli_case.id}", headers=token)
    assert response.status_code == 404
    assert error_of(response)["code"] == "case_not_found"
    assert api.client.get("/v1/cases/doesnotexist", headers=token).status_code == 404


def test_creating_a_case_validates_the_title(api: Api) -> None:
    for body in ({}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}):
        response = api.client.post("/v1/cases", json=body)
        assert response.status_code == 422, body
        assert "title" in error_of(response)["message"]


def test_a_case_through_the_api(api: Api, screenshot_png: bytes) -> None:
    case_id, token = api.new_case()
    sms = collection_sms()
    files = [
        ("files", ("sms.xml", sms, "application/xml")),
        ("files", ("微信截图.png", screenshot_png, "image/png")),
        ("files", ("我的陈述.txt", ACCOUNT.encode(), "text/plain")),
    ]
    response = api.client.post(f"/v1/cases/{case_id}/evidence", headers=token, files=files)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["added"] * 3
    assert [r["name"] for r in results] == ["sms.xml", "微信截图.png", "我的陈述.txt"]
    # The originals land in the evidence store unchanged.
    for (_, (_, data, _)), result in zip(files, results, strict=True):
        assert api.store.read_original(result["evidence"]["sha256"]) == data
    again = api.client.post(f"/v1/cases/{case_id}/evidence", headers=token, files=files[:1]).json()
    assert again["results"][0]["status"] == "exists"

    detail = api.client.get(f"/v1/cases/{case_id}", headers=token).json()
    assert detail["case"]["evidence_count"] == 3 and len(detail["evidence"]) == 3

    response = api.client.get(f"/v1/cases/{case_id}/findings", headers=token)
    assert response.status_code == 404 and error_of(response)["code"] == "not_judged"
    judged = api.client.post(f"/v1/cases/{case_id}/judge", headers=token).json()
    assert judged["verdict"] in ("unlawful", "likely_unlawful")
    stored = api.client.get(f"/v1/cases/{case_id}/findings", headers=token).json()
    assert stored["verdict"] == judged["verdict"] and len(stored["evidence_sha256s"]) == 3

    report = api.client.get(f"/v1/cases/{case_id}/report", headers=token)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "<html" in report.text and "sms.xml" in report.text
    checks = {
        "pdf": lambda b: b.startswith(b"%PDF"),
        "docx": lambda b: zipfile.is_zipfile(io.BytesIO(b)),
        "md": lambda b: "sms.xml" in b.decode(),
        "json": lambda b: json.loads(b)["verdict"] == judged["verdict"],
    }
    for fmt, ok in checks.items():
        response = api.client.get(f"/v1/cases/{case_id}/report", params={"format": fmt}, headers=token)
        assert response.status_code == 200, fmt
        assert ok(response.content), fmt
        assert f".{fmt}" in response.headers["content-disposition"]
    response = api.client.get(f"/v1/cases/{case_id}/report", params={"format": "exe"}, headers=token)
    assert response.status_code == 422 and "format" in error_of(response)["message"]

    listed = api.client.get(f"/v1/cases/{case_id}/letters", headers=token).json()
    assert listed["letters"]
    bundle = api.client.get(f"/v1/cases/{case_id}/letters", params={"format": "zip"}, headers=token)
    assert bundle.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    first = listed["letters"][0]["name"]
    assert {f"{first}.docx", f"{first}.md"} <= set(names)
    docx = api.client.get(f"/v1/cases/{case_id}/letters/{first}", headers=token)
    assert docx.status_code == 200 and zipfile.is_zipfile(io.BytesIO(docx.content))
    md = api.client.get(f"/v1/cases/{case_id}/letters/{first}", params={"format": "md"}, headers=token)
    assert md.status_code == 200 and listed["letters"][0]["title_zh"] in md.text
    missing = api.client.get(f"/v1/cases/{case_id}/letters/不存在", headers=token)
    assert missing.status_code == 404 and error_of(missing)["code"] == "letter_not_found"


def test_an_empty_case_has_no_letters_to_bundle(api: Api) -> None:
    case_id, token = api.new_case()
    listed = api.client.get(f"/v1/cases/{case_id}/letters", headers=token).json()
    assert listed == {"verdict": "undetermined", "letters": []}
    response = api.client.get(f"/v1/cases/{case_id}/letters", params={"format": "zip"}, headers=token)
    assert response.status_code == 404 and error_of(response)["code"] == "no_letters"


# -- rejected uploads store nothing -------------------------------------------------------------
@pytest.fixture
def small_api(store: Store, blob_dir: Path) -> Iterator[Api]:
    yield from make_api(
        store, blob_dir, max_upload_files=2, max_upload_file_bytes=4000, max_upload_request_bytes=20000
    )


def test_rejected_uploads_store_nothing(small_api: Api) -> None:
    api = small_api
    case_id, token = api.new_case()
    sms = collection_sms()
    assert len(sms) < 4000
    url = f"/v1/cases/{case_id}/evidence"
    before = api.counts()
    rejected = [
        # too many files
        (
            413,
            "too_many_files",
            [("files", (f"{i}.txt", f"第{i}份".encode(), "text/plain")) for i in range(3)],
        ),
        # one file over the per-file limit, after a good one
        (
            413,
            "file_too_large",
            [("files", ("sms.xml", sms, "text/xml")), ("files", ("big.txt", b"a" * 5000, "text/plain"))],
        ),
        # the whole request over its limit
        (
            413,
            "too_large",
            [("files", ("sms.xml", sms, "text/xml")), ("files", ("huge.bin", b"a" * 30000, "text/plain"))],
        ),
        # a file no reader understands, after a good one
        (
            422,
            "unreadable_file",
            [
                ("files", ("sms.xml", sms, "text/xml")),
                ("files", ("x.bin", b"\x00\x01\x02\xff" * 50, "application/octet-stream")),
            ],
        ),
        # an empty file
        (422, "empty_file", [("files", ("empty.txt", b"", "text/plain"))]),
    ]
    for status, code, files in rejected:
        response = api.client.post(url, headers=token, files=files)
        assert response.status_code == status, (code, response.text)
        assert error_of(response)["code"] == code
        assert api.counts() == before, code
    for body in ({"data": {"note": "x"}}, {"content": b"not multipart"}):
        response = api.client.post(url, headers=token, **body)  # type: ignore[arg-type]
        assert response.status_code == 422
        assert "files" in error_of(response)["message"]
    assert api.counts() == before
    accepted = api.client.post(url, headers=token, files=[("files", ("sms.xml", sms, "text/xml"))])
    assert accepted.status_code == 200
    assert api.counts() != before


def test_unreadable_file_message_names_it(small_api: Api) -> None:
    case_id, token = small_api.new_case()
    files = [("files", ("坏文件.bin", b"\x00\x01\x02\xff" * 50, "application/octet-stream"))]
    response = small_api.client.post(f"/v1/cases/{case_id}/evidence", headers=token, files=files)
    assert "坏文件.bin" in error_of(response)["message"]


# -- logs -------------------------------------------------------------------------------------
def test_logs_hold_no_message_text_ids_or_file_names(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "张三欠款不还我们就去他单位闹" + THREAT
    api.client.post(
        "/v1/check", json={"messages": [{"id": "秘密编号", "text": secret_text}]}, headers=api.auth
    )
    api.client.post("/v1/check", json={"messages": [{"id": "1"}]}, headers=api.auth)
    api.client.post("/v1/assess", json={"text": "我叫李四，" + ACCOUNT})
    case_id, token = api.new_case("王五的案件")
    api.client.post(
        f"/v1/cases/{case_id}/evidence",
        headers=token,
        files=[("files", ("王五短信.xml", collection_sms(), "text/xml"))],
    )
    api.client.get(f"/v1/cases/{case_id}/report", params={"format": "md"}, headers=token)
    api.client.get("/v1/law/provisions?q=通讯录")
    # Everything the server side logged (the test's own HTTP client logs the URLs it calls).
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    for private in (
        secret_text,
        "张三",
        "秘密编号",
        "李四",
        "王五",
        case_id,
        token["X-Case-Token"],
        "通讯录",
        api.key,
    ):
        assert private not in logged, private
    access = [r.getMessage() for r in caplog.records if r.name == "txlguard.access"]
    assert "POST /v1/check 200" in access[0]
    assert any(m.startswith("GET /v1/cases/{case_id}/report 200") for m in access)
    assert any(m.startswith("POST /v1/check 422") for m in access)
