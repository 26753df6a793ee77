"""Request dependencies: the store, API-key and case-token checks, rate limits.

API keys travel as ``Authorization: Bearer <key>`` (DESIGN.md). A checked key is trusted for at
most ``key_cache_seconds`` so the hot path (``/v1/check``) does not ask the database each time (see
:class:`ApiKeys`); its ``last_used_at`` is written at most once a minute. Case tokens travel as
``X-Case-Token`` and are compared in constant time against the stored hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Awaitable
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from starlette.concurrency import run_in_threadpool

from txlguard.service.errors import ApiError
from txlguard.service.middleware import LOOKED_UP
from txlguard.service.ratelimit import RateLimiter
from txlguard.service.settings import ServiceSettings
from txlguard.store import ApiKeyInfo, Store

TOUCH_EVERY_SECONDS = 60.0

logger = logging.getLogger("txlguard.service")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


class ApiKeys:
    """Keys looked up by the SHA-256 of the secret, remembered for at most ``ttl`` seconds.

    The hot path does not queue behind the store: a remembered key older than half the ``ttl``
    is still used while one background look-up refreshes it, and requests that need a look-up at
    the same moment share one. The look-up runs as a task of its own, so a request that goes away
    does not take it from the others. (When every remembered key expired at once and each request
    asked the store itself, ``/v1/check`` stalled for tens of milliseconds every ``ttl``.) A key
    older than the ``ttl`` is never used unchecked, so a revoked key stops working within ``ttl``
    seconds; with ``ttl`` 0 at once. ``last_used_at`` is written in the background, at most once a
    minute per key.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._seen: dict[str, tuple[ApiKeyInfo, float]] = {}
        self._touched: dict[int, float] = {}
        self._lookups: dict[str, asyncio.Task[ApiKeyInfo | None]] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def lookup(self, store: Store, secret: str) -> ApiKeyInfo | None:
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        now = time.monotonic()
        cached = self._seen.get(digest)
        age = now - cached[1] if cached is not None else math.inf
        if cached is not None and age < self.ttl:
            info: ApiKeyInfo | None = cached[0]
            if age >= self.ttl / 2:
                self._look_up(store, secret, digest)  # refreshed in the background
        else:
            info = await asyncio.shield(self._look_up(store, secret, digest))
        if (
            info is not None
            and info.active
            and now - self._touched.get(info.id, -math.inf) >= TOUCH_EVERY_SECONDS
        ):
            self._touched[info.id] = now
            self._in_background(run_in_threadpool(store.touch_api_key, info.id))
        return info

    def _look_up(self, store: Store, secret: str, digest: str) -> asyncio.Task[ApiKeyInfo | None]:
        """The one look-up of this key in the store under way, started if there is none."""
        task = self._lookups.get(digest)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._ask_store(store, secret, digest))
            self._lookups[digest] = task
            task.add_done_callback(lambda done: self._looked_up(digest, done))
        return task

    async def _ask_store(self, store: Store, secret: str, digest: str) -> ApiKeyInfo | None:
        info = await run_in_threadpool(store.api_key, secret)
        if info is None:
            self._seen.pop(digest, None)
        elif self.ttl > 0:
            self._seen[digest] = (info, time.monotonic())
        return info

    def _looked_up(self, digest: str, task: asyncio.Task[ApiKeyInfo | None]) -> None:
        if self._lookups.get(digest) is task:
            del self._lookups[digest]
        if not task.cancelled() and (exc := task.exception()) is not None:  # the requests waiting get it too
            logger.warning("API key look-up failed: %s", type(exc).__name__)

    def _in_background(self, work: Awaitable[object]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as exc:  # the request went on; only the bookkeeping is lost
                logger.warning("API key bookkeeping failed: %s", type(exc).__name__)

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _limited(limiter: RateLimiter, who: str) -> None:
    wait = limiter.acquire(who)
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"请求过于频繁，请 {max(1, round(wait))} 秒后再试",
            headers={"Retry-After": str(max(1, round(wait)))},
        )


API_KEY_HEADER_DOC = "Bearer <API 密钥>（txlguard keys create 创建）"


async def require_api_key(
    request: Request,
    authorization: Annotated[str | None, Header(description=API_KEY_HEADER_DOC)] = None,
) -> ApiKeyInfo:
    """401 without a valid key, 403 for a revoked one, 429 over the key's rate."""
    if not authorization:
        raise ApiError(
            401,
            "missing_api_key",
            "缺少 API 密钥：请在请求头加入 Authorization: Bearer <密钥>（用 txlguard keys create 创建）",
            headers={"WWW-Authenticate": "Bearer"},
        )
    secret = bearer_secret(authorization)
    if secret is None:
        raise ApiError(
            401,
            "invalid_authorization",
            "Authorization 请求头格式应为 Bearer <密钥>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    looked_up = request.scope.get("state", {}).get(LOOKED_UP)  # by the short path of /v1/check
    info: ApiKeyInfo | None
    if looked_up is not None and looked_up[0] == secret:
        info = looked_up[1]
    else:
        keys: ApiKeys = request.app.state.api_keys
        info = await keys.lookup(get_store(request), secret)
    if info is None:
        raise ApiError(401, "invalid_api_key", "API 密钥无效", headers={"WWW-Authenticate": "Bearer"})
    if not info.active:
        raise ApiError(403, "revoked_api_key", "该 API 密钥已被吊销，请使用新的密钥")
    _limited(request.app.state.key_limiter, key_bucket(info))
    return info


def bearer_secret(authorization: str) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, or None when it is not that shape."""
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret and len(secret) <= 200 else None


def key_bucket(info: ApiKeyInfo) -> str:
    """The rate limiter's name for a key's requests."""
    return f"key:{info.id}"


def limit_client(request: Request) -> None:
    """The per-client-address rate of the endpoints that need no key (429 over it)."""
    client = request.client.host if request.client else "unknown"
    _limited(request.app.state.client_limiter, f"ip:{client}")


CaseId = Annotated[str, Path(min_length=1, max_length=32, description="案件编号（创建案件时返回）")]


def require_case(
    request: Request,
    case_id: CaseId,
    x_case_token: Annotated[
        str | None, Header(description="创建案件时返回的案件令牌；只有持有令牌者能访问该案件")
    ] = None,
) -> str:
    """The case id, if the token opens it: 401 without a token, 403 for a wrong one, 404 otherwise.

    Cases created on the command line have no token and are not reachable over HTTP at all.
    """
    if not x_case_token:
        raise ApiError(
            401, "missing_case_token", "缺少案件令牌：请在请求头加入 X-Case-Token（创建案件时返回）"
        )
    matches = get_store(request).case_token_matches(case_id, x_case_token[:200])
    if matches is None:
        raise ApiError(404, "case_not_found", "找不到这个案件")
    if not matches:
        raise ApiError(403, "wrong_case_token", "案件令牌不正确，无权访问这个案件")
    return case_id.strip().lower()


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
CaseDep = Annotated[str, Depends(require_case)]
