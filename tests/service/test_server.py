"""A real Uvicorn server on loopback, and the `txlguard keys` commands whose keys it accepts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from txlguard.cli import app as cli
from txlguard.service import ServiceSettings, create_app

from .conftest import THREAT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", url)
    monkeypatch.setenv("TXLGUARD_BLOB_DIR", str(tmp_path / "blobs"))
    return url


@pytest.fixture
def server(sqlite_env: str) -> Iterator[str]:
    """The app from the environment's settings, served by Uvicorn in a thread."""
    port = free_port()
    config = uvicorn.Config(
        create_app(ServiceSettings(key_cache_seconds=0)),
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="warning",
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if served.started:
                break
            thread.join(0.02)
        assert served.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(10)


def test_keys_from_the_cli_work_on_a_real_server(server: str) -> None:
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--name", "质检系统"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("txl_") and "\n" not in key  # the key alone on stdout
    listed = runner.invoke(cli, ["keys", "list", "--format", "json"])
    assert '"name": "质检系统"' in listed.stdout and key not in listed.stdout

    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        body = {"messages": [{"id": "1", "text": THREAT}]}
        response = client.post("/v1/check", json=body, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
        assert "threat_to_contacts" in response.json()["results"][0]["labels"]
        assert client.post("/v1/check", json=body).status_code == 401
        too_big = client.post(
            "/v1/check", content=b"x" * (5 * 1024 * 1024), headers={"Authorization": f"Bearer {key}"}
        )
        assert too_big.status_code == 413

        revoked = runner.invoke(cli, ["keys", "revoke", "1"])
        assert revoked.exit_code == 0, revoked.output
        response = client.post("/v1/check", json=body, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 403
    assert runner.invoke(cli, ["keys", "revoke", "99"]).exit_code == 2
    assert runner.invoke(cli, ["keys", "create", "--name", " "]).exit_code == 2


def test_serve_refuses_a_database_it_cannot_open(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--database-url", "nosuchdb://x"])
    assert result.exit_code == 2
    assert "无法打开案件数据库" in result.output


def test_the_served_app_keeps_its_startup_heap_out_of_full_collections(tmp_path: Path) -> None:
    """`txlguard serve`'s app freezes the scanner and law base after start-up (no full-GC stalls);
    an app made in a test process does not (frozen cyclic garbage would never be freed there)."""
    script = (
        "import gc\n"
        "from fastapi.testclient import TestClient\n"
        "from txlguard.service.app import app_from_environment, create_app\n"
        "with TestClient(create_app()) as c:\n"
        "    plain = gc.get_freeze_count()\n"
        "with TestClient(app_from_environment()) as c:\n"
        "    assert c.get('/healthz').status_code == 200\n"
        "    print(plain, gc.get_freeze_count())\n"
    )
    env = {
        **os.environ,
        "TXLGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'freeze.db'}",
        "TXLGUARD_BLOB_DIR": str(tmp_path / "blobs"),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    plain, frozen = map(int, done.stdout.split())
    assert plain == 0
    assert frozen > 10_000  # the scanner's automata and lexicons, the law base
