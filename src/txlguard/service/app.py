"""The FastAPI application: one store opened at start-up, limits, Chinese errors, the routers.

The HTML pages (``web.py``: self-check, compliance, law browser; ``web_cases.py``: the case
workspace) are routers beside the API's, with their CSS and the vendored htmx under ``/static``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from txlguard import __version__
from txlguard.service import api, schemas, web, web_cases
from txlguard.service.deps import ApiKeys
from txlguard.service.errors import install_error_handlers
from txlguard.service.fastpath import CheckFastPath
from txlguard.service.middleware import AccessLogMiddleware, BodyLimitMiddleware
from txlguard.service.ratelimit import RateLimiter
from txlguard.service.settings import ServiceSettings
from txlguard.store import Store, open_store

ROUTERS: tuple[APIRouter, ...] = (*api.ROUTERS, web.router, web_cases.router)
"""Everything the app serves: the HTTP API and the web pages."""

DESCRIPTION = """通讯录卫士 HTTP API：判断网贷催收（爆通讯录、威胁、侮辱、冒充公检法）是否违法，并给出法律依据。

* `POST /v1/check` 检查催收消息（需要 API 密钥：`Authorization: Bearer <密钥>`，用 `txlguard keys create` 创建）；
* `POST /v1/assess` 根据事实或自述判断；
* `/v1/cases` 案件：上传证据、研判、报告和文书（只有持有案件令牌 `X-Case-Token` 的人能访问）；
* `/v1/law` 法律库：条文、案例、投诉渠道。

错误统一为 `{"error": {"code": ..., "message": <中文说明>}}`。
"""


def create_app(
    settings: ServiceSettings | None = None, *, store: Store | None = None, freeze_heap: bool = False
) -> FastAPI:
    """The app; the store is opened (and migrated) when it starts, unless one is passed in.

    ``settings`` default to :class:`ServiceSettings` from the environment. A ``store`` passed in is
    used as is and left open when the app stops (the caller owns it). ``freeze_heap`` is for a
    server process that runs one app for its life (see :func:`_freeze_startup_heap`).
    """
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from txlguard.detect import default_scanner
        from txlguard.law import default_law_base

        opened = store or open_store(settings.database_url, blob_dir=settings.blob_dir)
        app.state.store = opened
        default_scanner()  # built once here, not on the first request
        default_law_base()
        if freeze_heap:
            _freeze_startup_heap()
        try:
            yield
        finally:
            if store is None:
                opened.close()

    app = FastAPI(
        title="txlguard 通讯录卫士",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.api_keys = ApiKeys(settings.key_cache_seconds)
    app.state.key_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.client_limiter = RateLimiter(settings.anonymous_rate_limit_per_minute)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(AccessLogMiddleware)  # logs the 413s of the limit too
    if settings.check_fast_path:
        app.add_middleware(CheckFastPath, settings=settings)  # outermost: answers or passes on
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("txlguard.service", "static")]), name="static")
    _document_raw_bodies(app)
    return app


def _document_raw_bodies(app: FastAPI) -> None:
    """Add the schemas of the bodies that endpoints read themselves (``/v1/check``) to the OpenAPI
    components, so that clients generated from it name them as they would any other body."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = app.openapi_schema
        if document is None:  # FastAPI builds it once and keeps it; so do the additions
            document = build()
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in schemas.raw_body_components().items():
                components.setdefault(name, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _freeze_startup_heap() -> None:
    """Keep the scanner's and law base's objects out of the garbage collector's full passes.

    They live as long as the process; without this, every full collection walks them all and
    stalls the event loop for tens of milliseconds (the p99 of ``/v1/check`` under load).
    """
    gc.collect()
    gc.freeze()


def app_from_environment() -> FastAPI:
    """The factory ``txlguard serve`` hands to Uvicorn (settings from ``TXLGUARD_*``; one per worker)."""
    return create_app(freeze_heap=True)
