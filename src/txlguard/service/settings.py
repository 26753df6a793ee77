"""Service settings: where the store is and the limits, from arguments or ``TXLGUARD_*`` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from txlguard.ingest.readers.base import MAX_FILE_BYTES

MIB = 1024 * 1024


class ServiceSettings(BaseSettings):
    """Every limit has a default safe for a public server; each can be set as ``TXLGUARD_<NAME>``.

    ``database_url`` and ``blob_dir`` are the store's own variables (``TXLGUARD_DATABASE_URL``,
    ``TXLGUARD_BLOB_DIR``); unset, the store's defaults apply (SQLite in the user data directory).
    """

    model_config = SettingsConfigDict(env_prefix="TXLGUARD_", extra="ignore")

    database_url: str | None = Field(default=None, description="SQLAlchemy URL of the case store")
    blob_dir: Path | None = Field(default=None, description="directory of the original evidence files")
    max_json_bytes: int = Field(default=4 * MIB, gt=0, description="largest JSON request body")
    max_upload_file_bytes: int = Field(default=MAX_FILE_BYTES, gt=0, description="largest uploaded file")
    max_upload_request_bytes: int = Field(default=100 * MIB, gt=0, description="largest upload request")
    max_upload_files: int = Field(default=20, gt=0, description="most files in one upload request")
    rate_limit_per_minute: int = Field(default=6000, gt=0, description="requests per API key per minute")
    anonymous_rate_limit_per_minute: int = Field(
        default=120, gt=0, description="requests per client address per minute on endpoints without a key"
    )
    check_fast_path: bool = Field(
        default=True,
        description="answer valid single checks of POST /v1/check without the router (txlguard.service.fastpath)",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="how long a checked API key is trusted before the store is asked again (a revoked key stops working within this time)",
    )
