"""Content-addressed storage of original files: ``<root>/<ab>/<cd>/<sha256>``.

A blob's name is the SHA-256 of its bytes, so a blob can only ever hold those bytes. Blobs are
written once, atomically (a temporary file in the same directory, flushed to disk, then linked
into place), made read-only, and never modified or deleted by normal operations. The one
exception is :meth:`BlobStore.discard_new`, which the store uses to take back a blob that *this*
call created when the database transaction that was to reference it failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from enum import StrEnum
from pathlib import Path

_HEX = frozenset("0123456789abcdef")


class BlobStatus(StrEnum):
    ok = "ok"
    missing = "missing"
    corrupt = "corrupt"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Original bytes by SHA-256 in a directory tree."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not set(sha256) <= _HEX:
            raise ValueError(f"not a lower-case SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return its SHA-256 and whether this call created the blob."""
        sha256 = sha256_hex(data)
        target = self.path(sha256)
        if target.is_file():
            return sha256, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.chmod(0o444)
            try:
                # link() never replaces: if another writer got there first, its (identical) blob stays.
                os.link(tmp, target)
                created = True
            except FileExistsError:
                created = False
            except OSError:  # a filesystem without hard links
                if target.exists():
                    created = False
                else:
                    os.replace(tmp, target)
                    created = True
            _fsync_dir(target.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return sha256, created

    def read(self, sha256: str) -> bytes:
        """The original bytes; raises ``FileNotFoundError`` if the blob is missing."""
        return self.path(sha256).read_bytes()

    def status(self, sha256: str) -> BlobStatus:
        """Whether the blob is present and still hashes to its name."""
        path = self.path(sha256)
        if not path.is_file():
            return BlobStatus.missing
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return BlobStatus.ok if digest.hexdigest() == sha256 else BlobStatus.corrupt

    def discard_new(self, sha256: str) -> None:
        """Remove a blob this process just created and that nothing references (rollback only)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(sha256).unlink()


def _fsync_dir(directory: Path) -> None:
    """Make a new directory entry durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
