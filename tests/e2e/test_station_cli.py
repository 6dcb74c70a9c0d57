"""`fawtara counter-station` as an operator starts it: before the switch was ever reached."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.station_support import free_port, wait_until

FAWTARA = str(Path(sys.executable).parent / "fawtara")


def test_a_station_starts_and_serves_its_page_with_the_switch_unreachable(
    tmp_path: Path,
) -> None:
    port, nowhere = free_port(), free_port()
    argv = [FAWTARA, "counter-station", "--counter", "DAM01", "--switch",
            f"http://127.0.0.1:{nowhere}", "--api-key", "DAM01.some-secret",
            "--db", str(tmp_path / "station.db"), "--port", str(port)]  # fmt: skip
    station = subprocess.Popen(argv, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/healthz"), "the station's page")
        wait_until(lambda: httpx.get(f"{base}/healthz").json()["link_up"] is False, "a sync")
        page = httpx.get(f"{base}/", follow_redirects=True)  # not signed in: sign in first
        assert page.status_code == 200 and 'dir="rtl"' in page.text
        assert "لا توجد نسخة من بيانات المقسم بعد" in page.text
        assert (tmp_path / "station.db").exists()
    finally:
        station.terminate()
        station.wait(timeout=15)


def test_a_key_of_another_counter_is_refused_at_start(tmp_path: Path) -> None:
    argv = [FAWTARA, "counter-station", "--counter", "DAM01", "--api-key", "ALP01.secret",
            "--db", str(tmp_path / "station.db")]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "DAM01.SECRET" in done.stderr


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
