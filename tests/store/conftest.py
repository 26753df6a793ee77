"""Every store test runs twice: on a SQLite file and on a real PostgreSQL server.

The PostgreSQL variant needs ``TXLGUARD_TEST_DATABASE_URL`` (``scripts/start-test-postgres.sh``
prints one; ``make test`` sets it). Without it the variant is skipped locally and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
            pytest.fail(f"CI requires the PostgreSQL store tests: {message}")
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
