"""Where the case store lives: database URL and blob directory, from arguments or the environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy.engine import URL, make_url

ENV_DATABASE_URL = "TXLGUARD_DATABASE_URL"
"""SQLAlchemy URL of the case database, e.g. ``postgresql+psycopg://user@host/txlguard``."""

ENV_BLOB_DIR = "TXLGUARD_BLOB_DIR"
"""Directory of the original files (content-addressed); default: ``blobs/`` beside a SQLite file."""

DB_FILE_NAME = "txlguard.db"


def data_dir() -> Path:
    """The per-user data directory (e.g. ``~/.local/share/txlguard`` on Linux)."""
    return Path(user_data_dir("txlguard", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / DB_FILE_NAME}"


def resolve_database_url(url: str | URL | None = None) -> URL:
    """The URL to use: the argument, else ``$TXLGUARD_DATABASE_URL``, else the per-user SQLite file.

    ``postgresql://`` and ``postgres://`` without a driver mean psycopg 3 (the driver we ship).
    """
    raw = url if url is not None else (os.environ.get(ENV_DATABASE_URL) or default_database_url())
    parsed = make_url(raw) if isinstance(raw, str) else raw
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The database file of a file-backed SQLite URL, else None (in-memory or another database)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def resolve_blob_dir(url: URL, blob_dir: str | os.PathLike[str] | None = None) -> Path:
    """The argument, else ``$TXLGUARD_BLOB_DIR``, else ``blobs/`` beside the SQLite file, else the data dir."""
    if blob_dir is not None:
        return Path(blob_dir).expanduser()
    env = os.environ.get(ENV_BLOB_DIR)
    if env:
        return Path(env).expanduser()
    db_file = sqlite_file(url)
    if db_file is not None:
        return db_file.parent / "blobs"
    return data_dir() / "blobs"
