"""Alembic, run from inside the package so migrations work from an installed wheel.

``open_store`` calls :func:`upgrade` on every open. When the database is already at
:data:`HEAD_REVISION` that is one query and Alembic is not even imported (it costs about a second
of start-up on a cold disk). To write a new migration after changing ``models.py``::

    from alembic import command
    from txlguard.store.migrate import alembic_config
    command.revision(alembic_config("sqlite:///scratch.db"), "add x", autogenerate=True)

(on a scratch database upgraded to head first), review the generated file by hand, and set
:data:`HEAD_REVISION` to its revision id (``tests/store`` checks that the two agree).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

HEAD_REVISION = "0002"
"""The newest revision in ``migrations/versions``."""

VERSION_TABLE = "alembic_version"

# Any constant: serialises concurrent upgrades of one PostgreSQL database.
_PG_LOCK_KEY = 0x7478_6C67  # "txlg"


def alembic_config(url: str | URL | None = None, connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The head according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _revision(connection)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest schema) in one transaction."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        command.upgrade(alembic_config(connection=connection), revision)
