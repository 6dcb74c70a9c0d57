"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

`chromium` is a browser per test module (Playwright's sync API keeps an event
loop running in the main thread while it lives, which would break later tests
that call asyncio.run); `page` a fresh page per test. In CI a
missing Chromium fails the run; on a laptop without it these tests skip.
`serve(app)` runs an ASGI app with uvicorn on a free port in a thread and
returns its base URL. `counter` is a counter station's page, served, in front
of a seeded switch (tests/station_support.py), with the line between them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.station_support import SeededBill, StationLine, station_line

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str | None:
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        if IN_CI:
            pytest.fail("CI=true but Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("browser tests skipped: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="ar-SY", timezone_id="Asia/Damascus")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    """Start ASGI apps on free ports for the test; all stop at its end."""
    import uvicorn

    servers: list[tuple[Any, threading.Thread]] = []

    def start(app: Any) -> str:
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"server on {base} did not start")
        servers.append((server, thread))
        return base

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class CounterPage:
    base: str  # the station's page
    bill: SeededBill  # one subscriber's unpaid bill (a second subscriber has one too)
    line: StationLine  # the switch, the fault proxy a test may cut, the station


@pytest.fixture
def counter(tmp_path: Path, serve: Callable[[Any], str]) -> Iterator[CounterPage]:
    with station_line(f"sqlite:///{tmp_path / 'switch.db'}", tmp_path, meters=2) as line:
        yield CounterPage(serve(line.station.app), line.bills[0], line)
