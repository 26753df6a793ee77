"""The API against a real store, on SQLite and on PostgreSQL (like tests/store), with real evidence.

The PostgreSQL variant needs ``TXLGUARD_TEST_DATABASE_URL``; without it it is skipped locally and
fails in CI. Evidence: an SMS backup XML built here and a chat screenshot rendered with Debian's Noto
CJK font by benchmarks/ocr_accuracy.py (as tests/report does), read back by the real OCR engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from txlguard.ingest.testing import sms_backup_xml
from txlguard.service import ServiceSettings, create_app
from txlguard.store import Store
from txlguard.store.models import CaseEvidenceRow, CommunicationRow, EvidenceRow

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"
THREAT = "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道你是老赖"


def collection_sms() -> bytes:
    messages = [
        (COLLECTOR, datetime(2025, 6, day, hour, 5, tzinfo=CHINA), 1, "您的借款已逾期，请今天18点前还款。")
        for day in range(10, 14)
        for hour in (9, 23)
    ]
    messages.append((COLLECTOR, datetime(2025, 6, 11, 23, 40, tzinfo=CHINA), 1, THREAT))
    messages.append(
        (COLLECTOR, datetime(2025, 6, 12, 9, 0, tzinfo=CHINA), 1, "我是XX市公安局经侦大队的，你已涉嫌诈骗罪")
    )
    return sms_backup_xml(messages)


@pytest.fixture(scope="session")
def screenshot_png(screens: ModuleType) -> bytes:
    image, _ = screens.render_thread(screens.THREADS[1])
    data: bytes = screens.png_bytes(image)
    return data


@dataclass
class Api:
    """A test client on an app over ``store``, with an API key ready."""

    client: TestClient
    store: Store
    key: str
    blob_dir: Path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def new_case(self, title: str = "速借宝 爆通讯录") -> tuple[str, dict[str, str]]:
        response = self.client.post("/v1/cases", json={"title": title})
        assert response.status_code == 201, response.text
        body = response.json()
        return body["case"]["id"], {"X-Case-Token": body["token"]}

    def counts(self) -> tuple[int, int, int, int]:
        """Evidence rows, case links, communications and blob files: what an upload may add."""
        with self.store.reading() as session:
            rows = tuple(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (EvidenceRow, CaseEvidenceRow, CommunicationRow)
            )
        blobs = sum(1 for p in self.blob_dir.rglob("*") if p.is_file()) if self.blob_dir.exists() else 0
        return (*rows, blobs)


def make_api(store: Store, blob_dir: Path, **limits: object) -> Iterator[Api]:
    settings = ServiceSettings.model_validate({"key_cache_seconds": 0, **limits})
    _, key = store.create_api_key("测试")
    with TestClient(create_app(settings, store=store)) as client:
        yield Api(client=client, store=store, key=key, blob_dir=blob_dir)


@pytest.fixture
def api(store: Store, blob_dir: Path) -> Iterator[Api]:
    yield from make_api(store, blob_dir)
