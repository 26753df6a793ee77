"""The API-key cache of the service: one store look-up at a time per key, refreshes off the hot path.

Against a real SQLite store; its look-ups are counted (and slowed, so that requests overlap).
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from txlguard.service.deps import ApiKeys
from txlguard.store import ApiKeyInfo, Store, open_store


class CountedStore:
    """A real store whose API-key look-ups are counted and take ``delay`` seconds."""

    def __init__(self, store: Store, delay: float = 0.05) -> None:
        self.store = store
        self.delay = delay
        self.lookups = 0
        self.touches = 0
        self._lock = threading.Lock()

    def api_key(self, secret: str) -> ApiKeyInfo | None:
        with self._lock:
            self.lookups += 1
        time.sleep(self.delay)
        return self.store.api_key(secret)

    def touch_api_key(self, key_id: int) -> None:
        with self._lock:
            self.touches += 1
        self.store.touch_api_key(key_id)


@pytest.fixture
def counted(tmp_path: Path) -> CountedStore:
    store = open_store(f"sqlite:///{tmp_path / 'keys.db'}", blob_dir=tmp_path / "blobs")
    return CountedStore(store)


def test_requests_that_arrive_together_share_one_lookup(counted: CountedStore) -> None:
    _, secret = counted.store.create_api_key("并发")
    keys = ApiKeys(ttl_seconds=5)

    async def many() -> list[ApiKeyInfo | None]:
        return await asyncio.gather(*(keys.lookup(counted, secret) for _ in range(20)))  # type: ignore[arg-type]

    infos = asyncio.run(many())
    assert counted.lookups == 1
    assert all(info is not None and info.active for info in infos)


def test_an_unknown_key_is_asked_each_time_and_never_remembered(counted: CountedStore) -> None:
    keys = ApiKeys(ttl_seconds=5)

    async def twice() -> tuple[ApiKeyInfo | None, ApiKeyInfo | None]:
        first = await keys.lookup(counted, "txl_unknown")  # type: ignore[arg-type]
        return first, await keys.lookup(counted, "txl_unknown")  # type: ignore[arg-type]

    assert asyncio.run(twice()) == (None, None)
    assert counted.lookups == 2


def test_a_stale_key_is_served_at_once_while_one_refresh_sees_the_revocation(counted: CountedStore) -> None:
    info, secret = counted.store.create_api_key("将被吊销")
    keys = ApiKeys(ttl_seconds=0.6)

    async def scenario() -> tuple[list[bool], float, bool]:
        first = await keys.lookup(counted, secret)  # type: ignore[arg-type]
        assert first is not None and first.active and counted.lookups == 1
        counted.store.revoke_api_key(info.id)
        await asyncio.sleep(0.35)  # older than half the ttl, younger than the ttl
        started = time.perf_counter()
        stale = [await keys.lookup(counted, secret) for _ in range(10)]  # type: ignore[arg-type]
        waited = time.perf_counter() - started
        await asyncio.sleep(0.15)  # the one background refresh (0.05 s) is done, the ttl not over
        fresh = await keys.lookup(counted, secret)  # type: ignore[arg-type]
        return [s is not None and s.active for s in stale], waited, fresh is not None and fresh.active

    stale_active, waited, fresh_active = asyncio.run(scenario())
    assert stale_active == [True] * 10
    assert waited < counted.delay  # nobody waited for the store
    assert counted.lookups == 2  # one refresh for the ten
    assert not fresh_active


def test_a_key_older_than_the_ttl_is_asked_again_before_it_is_used(counted: CountedStore) -> None:
    info, secret = counted.store.create_api_key("久未使用")
    keys = ApiKeys(ttl_seconds=0.2)

    async def scenario() -> ApiKeyInfo | None:
        await keys.lookup(counted, secret)  # type: ignore[arg-type]
        counted.store.revoke_api_key(info.id)
        await asyncio.sleep(0.25)  # older than the ttl
        return await keys.lookup(counted, secret)  # type: ignore[arg-type]

    after = asyncio.run(scenario())
    assert after is not None and not after.active
    assert counted.lookups == 2


def test_use_is_recorded_in_the_background_once_a_minute(counted: CountedStore) -> None:
    _, secret = counted.store.create_api_key("记录使用")
    keys = ApiKeys(ttl_seconds=5)

    async def scenario() -> None:
        for _ in range(5):
            await keys.lookup(counted, secret)  # type: ignore[arg-type]
        await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert counted.touches == 1
    [listed] = counted.store.api_keys()
    assert listed.last_used_at is not None


def test_a_request_that_goes_away_does_not_take_the_lookup_from_the_others(counted: CountedStore) -> None:
    _, secret = counted.store.create_api_key("取消")
    keys = ApiKeys(ttl_seconds=5)

    async def scenario() -> tuple[bool, ApiKeyInfo | None]:
        first = asyncio.create_task(keys.lookup(counted, secret))  # type: ignore[arg-type]
        second = asyncio.create_task(keys.lookup(counted, secret))  # type: ignore[arg-type]
        await asyncio.sleep(0.01)  # both wait for the one look-up (0.05 s)
        first.cancel()
        answer = await second
        await asyncio.sleep(0)
        return first.cancelled(), answer

    first_cancelled, answer = asyncio.run(scenario())
    assert first_cancelled
    assert answer is not None and answer.active
    assert counted.lookups == 1
