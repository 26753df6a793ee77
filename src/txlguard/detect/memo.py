"""A bounded, thread-safe memo keyed by a digest of a text: what the scanner and the learned tier
remember of recent messages (their text with digits read as 0), without keeping the text itself."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


def text_digest(text: str) -> bytes:
    """A 16-byte digest of ``text``: the key of a :class:`DigestMemo` (no message text kept)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class DigestMemo(Generic[V]):
    """Values by digest, least recently used out once more than ``limit`` are held; safe for the
    server's worker threads."""

    def __init__(self) -> None:
        self._items: OrderedDict[bytes, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: bytes, value: V, limit: int) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > limit:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
