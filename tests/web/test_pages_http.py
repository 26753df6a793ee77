"""The pages over plain HTTP: bad input gets a Chinese message and a 4xx; nothing hostile is echoed raw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from txlguard.service.app import create_app
from txlguard.service.settings import ServiceSettings
from txlguard.service.web import MAX_PASTE_CHARS


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path / 'c.sqlite'}", blob_dir=tmp_path / "blobs")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_pages_render_in_chinese(client: TestClient) -> None:
    for path, words in [
        ("/", "催收信息违法吗"),
        ("/compliance", "发送前合规检查"),
        ("/law", "法律库"),
        ("/cases", "新建案件"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="zh-CN">' in response.text and words in response.text
    assert client.get("/static/htmx.min.js").status_code == 200


def test_self_check_bad_input(client: TestClient) -> None:
    empty = client.post("/check", data={"text": "  \n "})
    assert empty.status_code == 422 and "请粘贴" in empty.text
    huge = client.post("/check", data={"text": "催" * (MAX_PASTE_CHARS + 1)}, headers={"HX-Request": "true"})
    assert huge.status_code == 413 and "太长" in huge.text and "<html" not in huge.text


def test_hostile_text_is_escaped(client: TestClient) -> None:
    hostile = "<script>alert(1)</script>你再不还钱就给你通讯录所有人发信息"
    response = client.post("/check", data={"text": hostile})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_unknown_provision_and_closed_case(client: TestClient) -> None:
    assert client.get("/law/no-such-law").status_code == 404
    assert client.get("/cases/abcdefabcdef").status_code == 403
    bad = client.post("/cases/open", data={"case_id": "abcdefabcdef", "token": "x"})
    assert bad.status_code == 403 and "不正确" in bad.text


def test_wrong_answers_are_explained(client: TestClient) -> None:
    made = client.post("/cases", data={"title": "测试"}, follow_redirects=False)
    assert made.status_code == 303
    case_path = made.headers["location"].split("?")[0]
    answer = client.post(f"{case_path}/answer", data={"key": "annual_rate", "value": "很多"})
    assert answer.status_code == 422 and 'class="alert error"' in answer.text
    unknown = client.post(f"{case_path}/answer", data={"key": "no_such_question", "value": "是"})
    assert unknown.status_code == 422 and "没有这个问题" in unknown.text
