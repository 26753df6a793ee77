"""A 100 MB, corrupt, bomb-like or slow APK ends with a clear Chinese error (exit 2), in bounded time
and memory. Measured in a fresh interpreter so that the peak memory is that of one `txlguard app`."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from txlguard.apps import ApkError, ApkLimits, check_apk

from .conftest import Apks

MB = 1024 * 1024

_MEASURE = """
import json, resource, sys, time
from txlguard.cli import app
started = time.monotonic()
try:
    result = app(sys.argv[1:], standalone_mode=False)  # returns the exit code of typer.Exit
    code = result if isinstance(result, int) else 0
except SystemExit as exc:
    code = exc.code or 0
except Exception as exc:  # typer raises click's Exit as an exception in non-standalone mode
    code = getattr(exc, "exit_code", 1)
# This process's own high-water mark (VmHWM, kB): ru_maxrss of RUSAGE_SELF keeps that of the pytest
# process it was forked from, whatever this command used.
own = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write("\\nMEASURE " + json.dumps({"code": code, "seconds": time.monotonic() - started, "peak_mb": peak / 1024}))
"""


@dataclass(frozen=True)
class Run:
    code: int
    seconds: float
    peak_mb: float
    stderr: str


def run_app(*args: str, cwd: Path | None = None) -> Run:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, "app", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )
    head, _, tail = done.stderr.rpartition("\nMEASURE ")
    m = json.loads(tail)
    return Run(m["code"], m["seconds"], m["peak_mb"], head)


@pytest.fixture(scope="module")
def sparse_100mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "huge.apk"
    with path.open("wb") as handle:
        handle.truncate(100 * MB)  # sparse: 100 MB of zeros, no disk blocks
    return path


def test_100mb_file_over_the_limit_is_refused_at_once(sparse_100mb: Path) -> None:
    run = run_app(str(sparse_100mb))  # the default limit is 64 MB
    assert run.code == 2
    assert "超过上限 64.0 MB" in run.stderr and "--max-size" in run.stderr
    assert run.seconds < 2 and run.peak_mb < 400


def test_100mb_of_zeros_within_the_limit_is_no_zip(sparse_100mb: Path) -> None:
    run = run_app(str(sparse_100mb), "--max-size", "200")
    assert run.code == 2
    assert "不是有效的 APK" in run.stderr
    assert run.seconds < 5 and run.peak_mb < 400


def test_100mb_zip_with_a_broken_manifest_ends_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = tmp_path / "blob.apk"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00" + os.urandom(2000))
        archive.writestr("assets/blob.bin", os.urandom(100 * MB))
    run = run_app(str(path), "--max-size", "200", "--timeout", "120", "--memory", "2048")
    assert run.code == 2
    assert "无法解析" in run.stderr or "超过" in run.stderr
    assert run.seconds < 120 and run.peak_mb < 1024


def test_truncated_apk_is_reported_as_corrupt(apks: Apks, tmp_path: Path) -> None:
    data = apks.contacts_code.read_bytes()
    path = tmp_path / "truncated.apk"
    path.write_bytes(data[: len(data) // 2])
    run = run_app(str(path))
    assert run.code == 2 and "ZIP 结构损坏" in run.stderr
    assert run.seconds < 5


def test_random_bytes_and_a_zip_without_manifest(tmp_path: Path) -> None:
    noise = tmp_path / "noise.apk"
    noise.write_bytes(os.urandom(4096))
    with pytest.raises(ApkError, match="不是有效的 APK"):
        check_apk(noise, ApkLimits())
    plain = tmp_path / "plain.apk"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ApkError, match=r"AndroidManifest\.xml"):
        check_apk(plain, ApkLimits())
    empty = tmp_path / "empty.apk"
    empty.write_bytes(b"")
    with pytest.raises(ApkError, match="空文件"):
        check_apk(empty, ApkLimits())


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.apk"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", b"x")
        archive.writestr("classes.dex", bytes(64 * MB))
    assert path.stat().st_size < MB
    with pytest.raises(ApkError, match="压缩炸弹"):
        check_apk(path, ApkLimits())
    with pytest.raises(ApkError, match="压缩炸弹"):
        check_apk(path, ApkLimits(max_uncompressed=32 * MB, max_ratio=10_000))


def _lying_bomb(path: Path, inflated: int, declared: int) -> Path:
    """A deflated classes.dex of ``inflated`` zeros whose central-directory entry declares
    ``declared`` bytes, so that every check of the directory passes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00" + bytes(100))
        archive.writestr("classes.dex", bytes(inflated))
    data = bytearray(path.read_bytes())
    entry = data.index(b"classes.dex", data.index(b"PK\x01\x02")) - 46  # its central-directory entry
    assert data[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<L", data, entry + 24, declared)  # uncompressed size
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("classes.dex").file_size == declared
    return path


def test_a_bomb_lying_in_its_central_directory_is_refused_quickly(tmp_path: Path) -> None:
    path = _lying_bomb(tmp_path / "lying.apk", 256 * MB, 1000)
    assert path.stat().st_size < MB
    started = time.monotonic()
    with pytest.raises(ApkError, match=r"classes\.dex 解压后超过其声明的大小.*疑似压缩炸弹"):
        check_apk(path, ApkLimits())
    assert time.monotonic() - started < 5  # stopped after 1000 bytes and one chunk, not 256 MB
    run = run_app(str(path))
    assert run.code == 2 and "疑似压缩炸弹" in run.stderr
    assert run.seconds < 10 and run.peak_mb < 400
    honest = _lying_bomb(tmp_path / "honest.apk", 300_000, 300_000)
    check_apk(honest, ApkLimits())  # an entry as large as it says passes


def test_the_default_memory_limit_is_2_gb() -> None:
    assert ApkLimits().memory_bytes == 2048 * MB


def test_analysis_past_its_timeout_is_stopped(apks: Apks) -> None:
    run = run_app(str(apks.contacts_code), "--timeout", "0.2")
    assert run.code == 2 and "超过 0.2 秒" in run.stderr
    assert run.seconds < 5


def test_analysis_past_its_memory_limit_is_stopped(apks: Apks) -> None:
    run = run_app(str(apks.contacts_code), "--memory", "64")
    # too little for the interpreter and androguard to load: said so, not called a corrupt file
    assert run.code == 2 and "在内存上限 64 MB 内无法启动" in run.stderr and "--memory" in run.stderr
    assert "损坏" not in run.stderr
    tiny = run_app(str(apks.contacts_code), "--memory", "1")
    assert tiny.code == 2 and "在内存上限 1 MB 内无法启动" in tiny.stderr


def test_a_module_in_the_working_directory_is_not_imported_by_the_analysis(
    apks: Apks, tmp_path: Path
) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "loguru.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nraise SystemExit('poisoned loguru')\n", encoding="utf-8"
    )
    (tmp_path / "androguard.py").write_text("raise SystemExit('poisoned androguard')\n", encoding="utf-8")
    run = run_app(str(apks.contacts_code), "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert not marker.exists()
