"""Scratch databases for tests: a SQLite file, or a private schema on a real PostgreSQL server.

The PostgreSQL server comes from ``$TXLGUARD_TEST_DATABASE_URL`` (``scripts/start-test-postgres.sh``
starts one); each scratch database is a fresh schema there, dropped afterwards, so tests can run
in parallel against one server and always migrate from an empty database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from txlguard.store.config import resolve_database_url

ENV_TEST_DATABASE_URL = "TXLGUARD_TEST_DATABASE_URL"
Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")


def server_url_from_env() -> str | None:
    return os.environ.get(ENV_TEST_DATABASE_URL) or None


def postgres_required() -> bool:
    """In CI the PostgreSQL variant must run: a missing server is a failure there, not a skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@contextmanager
def scratch_database(backend: Backend, directory: Path, server_url: str | None = None) -> Iterator[URL]:
    """A URL to an empty database of ``backend``; removed again when the block ends."""
    if backend == "sqlite":
        yield resolve_database_url(f"sqlite:///{directory / 'txlguard.db'}")
        return
    server = server_url or server_url_from_env()
    if not server:
        raise RuntimeError(f"{ENV_TEST_DATABASE_URL} is not set")
    base = resolve_database_url(server)
    schema = f"txlguard_test_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield base.update_query_dict({"options": f"-csearch_path={schema}"})
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
