"""Analyse an APK within bounds: cheap ZIP checks first, then androguard in a child process with a
timeout and an address-space limit, so a huge, corrupt or hostile file ends with a clear error."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError

from txlguard.apps.limits import ApkError, ApkLimits, check_apk
from txlguard.apps.models import ApkFacts
from txlguard.apps.worker import READY

#: What a child that hit the address-space limit prints (Python, the loader, C++ code).
_OUT_OF_MEMORY = (b"MemoryError", b"failed to map segment", b"Cannot allocate memory", b"bad_alloc")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _import_path() -> list[str]:
    """Where the child finds txlguard and its dependencies: this process's path without the
    current directory (``python -m`` puts it first), the package's own root first."""
    cwd = Path.cwd().resolve()
    root = str(Path(__file__).resolve().parents[2])
    entries = [p for p in sys.path if p and Path(p).resolve() != cwd]
    return list(dict.fromkeys([root, *entries]))


def analyse_apk(path: Path, limits: ApkLimits | None = None) -> ApkFacts:
    """Facts of one APK; :class:`ApkError` (Chinese) when it is not one or is out of bounds."""
    limits = limits or ApkLimits()
    size = check_apk(path, limits)

    def bound() -> None:  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))

    mb = limits.memory_bytes // (1024 * 1024)
    try:
        with tempfile.TemporaryDirectory(prefix="txlguard-apk-") as workdir:
            # -P and a fresh working directory: no module beside the user's files (a loguru.py in
            # the current directory) is imported in place of a dependency
            done = subprocess.run(
                [sys.executable, "-P", "-m", "txlguard.apps.worker", str(path.resolve())],
                capture_output=True,
                timeout=limits.timeout_seconds,
                preexec_fn=bound,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(_import_path())},
                cwd=workdir,
                check=False,
            )
    except subprocess.TimeoutExpired as exc:
        raise ApkError(
            f"分析 {path.name} 超过 {limits.timeout_seconds:g} 秒仍未完成，已中止（可用 --timeout 调整）"
        ) from exc
    except OSError as exc:  # the interpreter could not even be loaded under the limit
        raise ApkError(f"分析程序在内存上限 {mb} MB 内无法启动，请用 --memory 调大上限") from exc
    if done.returncode != 0:
        started = READY.encode() in done.stderr
        lines = [x for x in done.stderr.decode("utf-8", "replace").strip().splitlines() if x != READY]
        tail = lines[-1:] or [""]
        if not started and (done.returncode < 0 or any(s in done.stderr for s in _OUT_OF_MEMORY)):
            raise ApkError(f"分析程序在内存上限 {mb} MB 内无法启动，请用 --memory 调大上限")
        if not started:
            raise ApkError(f"分析程序无法启动：{tail[0][:200]}")
        if any(sign in done.stderr for sign in _OUT_OF_MEMORY) or done.returncode == -9:
            raise ApkError(f"分析 {path.name} 所需内存超过上限 {mb} MB，已中止（可用 --memory 调整）")
        raise ApkError(f"无法解析 {path.name}（文件可能已损坏或不是安卓安装包）：{tail[0][:200]}")
    try:
        raw = json.loads(done.stdout)
        return ApkFacts.model_validate({**raw, "file": path.name, "sha256": _sha256(path), "size": size})
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ApkError(f"分析 {path.name} 的结果无法读取：{exc}") from exc
