"""A real server on loopback (Uvicorn in a thread) and Debian's Chromium driven by Playwright.

Chromium comes from Debian (``scripts/install-system-deps.sh test`` installs it); Playwright never
downloads a browser. Without Chromium the browser tests skip locally and fail under ``CI=true``.
Set ``TXLGUARD_SCREENSHOT_DIR`` to keep the phone-width screenshots the tests take.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from txlguard.ingest.testing import RECEIVED, sms_backup_xml
from txlguard.service.app import create_app
from txlguard.service.settings import ServiceSettings

PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app (API and pages) on a fresh SQLite store, served by Uvicorn on loopback."""
    import uvicorn

    root = tmp_path_factory.mktemp("web")
    settings = ServiceSettings(database_url=f"sqlite:///{root / 'cases.sqlite'}", blob_dir=root / "blobs")
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (scripts/install-system-deps.sh test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (its own cookies) that accepts downloads."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        accept_downloads=True,
        locale="zh-CN",  # type: ignore[arg-type]
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def keep_screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """A full-page screenshot, in TXLGUARD_SCREENSHOT_DIR when set (to look at), else in tmp_path."""
    folder = Path(os.environ.get("TXLGUARD_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sms_backup(messages: list[tuple[str, datetime, str]]) -> bytes:
    """An SMS backup of received messages: (address, time, body)."""
    return sms_backup_xml([(address, at, RECEIVED, body) for address, at, body in messages])
