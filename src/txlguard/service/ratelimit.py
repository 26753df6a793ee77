"""Per-key and per-client request rates: a token bucket each, in process memory.

Each bucket holds up to a minute's allowance and refills continuously, so a client may burst to
its per-minute limit and then goes at the steady rate. With several server workers, each worker
keeps its own buckets (the limit applies per worker).
"""

from __future__ import annotations

import threading
import time

_MAX_BUCKETS = 100_000


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, who: str) -> float | None:
        """Take one request from ``who``'s bucket: None if allowed, else seconds until it would be."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[who] = (tokens, now)
                return (1.0 - tokens) / self.rate
            if len(self._buckets) >= _MAX_BUCKETS and who not in self._buckets:
                self._prune(now)
            self._buckets[who] = (tokens - 1.0, now)
            return None

    def would_wait(self, who: str) -> bool:
        """Whether ``who``'s bucket is empty now (nothing is taken)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            return min(self.capacity, tokens + (now - last) * self.rate) < 1.0

    def _prune(self, now: float) -> None:
        """Forget clients whose buckets have refilled (they are as if new)."""
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]
