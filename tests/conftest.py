"""Fixtures every test package shares: an isolated environment, a real store on SQLite and on
PostgreSQL, and the chat-screenshot renderer of benchmarks/ocr_accuracy.py.

The PostgreSQL variant of ``db_url``/``store`` needs ``TXLGUARD_TEST_DATABASE_URL``
(``scripts/start-test-postgres.sh`` prints one; ``make test`` sets it). Without it the variant is
skipped locally and fails in CI.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import URL

from txlguard.store import Store, open_store
from txlguard.store.testing import (
    BACKENDS,
    ENV_TEST_DATABASE_URL,
    postgres_required,
    scratch_database,
    server_url_from_env,
)

OCR_BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "ocr_accuracy.py"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's real case store."""
    monkeypatch.delenv("TXLGUARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("TXLGUARD_BLOB_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A fresh, empty database: a SQLite file, then a private schema on the PostgreSQL server."""
    backend = request.param
    if backend == "postgresql" and not server_url_from_env():
        message = f"{ENV_TEST_DATABASE_URL} is not set (scripts/start-test-postgres.sh starts a server)"
        if postgres_required():
            pytest.fail(f"CI requires the PostgreSQL tests: {message}")
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


@pytest.fixture(scope="session")
def screens() -> ModuleType:
    """benchmarks/ocr_accuracy.py: ``render_thread``, ``THREADS``, ``png_bytes``, ``char_accuracy``…
    (chat screenshots rendered with Debian's Noto CJK font, read back by the real OCR engine)."""
    spec = importlib.util.spec_from_file_location("txlguard_bench_ocr_accuracy", OCR_BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if module.find_cjk_font() is None:
        pytest.skip("Debian's fonts-noto-cjk is not installed (scripts/install-system-deps.sh installs it)")
    return module
