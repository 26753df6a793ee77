"""The API against a real store, on SQLite and on PostgreSQL (like tests/store), with real evidence.

The PostgreSQL variant needs ``TXLGUARD_TEST_DATABASE_URL``; without it it is skipped locally and
fails in CI. Evidence: an SMS backup XML built here and a chat screenshot rendered with Debian's Noto
CJK font by benchmarks/ocr_accuracy.py (as tests/report does), read back by the real OCR engine.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from xml.sax.saxutils import quoteattr

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from txlguard.service import ServiceSettings, create_app
from txlguard.store import Store, open_store
from txlguard.store.models import CaseEvidenceRow, CommunicationRow, EvidenceRow
from txlguard.store.testing import (
    BACKENDS,
    ENV_TEST_DATABASE_URL,
    postgres_required,
    scratch_database,
    server_url_from_env,
)

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"
BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "ocr_accuracy.py"
THREAT = "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道你是老赖"


def sms_backup(messages: list[tuple[str, datetime, int, str]]) -> bytes:
    rows = "\n".join(
        f'  <sms protocol="0" address={quoteattr(address)} date="{int(at.timestamp() * 1000)}" '
        f'type="{kind}" body={quoteattr(body)} read="1" status="-1" contact_name="(Unknown)" />'
        for address, at, kind, body in messages
    )
    return f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses>\n{rows}\n</smses>\n".encode()


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
    return sms_backup(messages)


def load_screens() -> ModuleType:
    spec = importlib.util.spec_from_file_location("txlguard_bench_ocr_accuracy", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def screenshot_png() -> bytes:
    screens = load_screens()
    if screens.find_cjk_font() is None:
        pytest.skip("Debian's fonts-noto-cjk is not installed (scripts/install-system-deps.sh installs it)")
    image, _ = screens.render_thread(screens.THREADS[1])
    data: bytes = screens.png_bytes(image)
    return data


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's real case store."""
    monkeypatch.delenv("TXLGUARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TXLGUARD_BLOB_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    backend = request.param
    if backend == "postgresql" and not server_url_from_env():
        message = f"{ENV_TEST_DATABASE_URL} is not set (scripts/start-test-postgres.sh starts a server)"
        if postgres_required():
            pytest.fail(f"CI requires the PostgreSQL service tests: {message}")
        pytest.skip(message)
    with scratch_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def store(db_url: URL, blob_dir: Path) -> Iterator[Store]:
    opened = open_store(db_url, blob_dir=blob_dir)
    try:
        yield opened
    finally:
        opened.close()


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
