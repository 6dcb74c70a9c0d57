"""`fawtara biller-check` as a subprocess against the simulated biller as a process."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fawtara.biller_api.conformance import CASES
from fawtara.simulators.biller.seed import API_KEY_DEFAULT, BILLER_DEFAULT
from tests.biller_sim_support import free_port

FAWTARA = str(Path(sys.executable).parent / "fawtara")
STARTUP_S_MAX = 20.0
CASE_LINE = re.compile(r"^(PASS (?P<passed>\S+) \(\d+ ms\)(: .*)?|FAIL (?P<failed>\S+): .+)$")


@contextmanager
def biller_process(fault: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "fawtara.simulators.biller", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--fault", fault, "--slow-s", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S_MAX
    while time.monotonic() < deadline:
        assert process.poll() is None, "the biller simulator exited"
        try:
            httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the biller simulator did not start")


def biller_check(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FAWTARA, "biller-check", url, "--key", API_KEY_DEFAULT, "--biller", BILLER_DEFAULT,
         "--customer-ref", "100001", *extra],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def case_lines(stdout: str) -> dict[str, bool]:
    lines = stdout.splitlines()
    matches = [CASE_LINE.match(line) for line in lines[:-1]]
    assert all(matches), stdout
    return {m["passed"] or m["failed"]: bool(m["passed"]) for m in matches if m}


def test_a_correct_biller_passes_and_the_command_exits_0() -> None:
    with biller_process("none") as url:
        done = biller_check(url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert case_lines(done.stdout) == {case.name: True for case in CASES}
    assert done.stdout.splitlines()[-1] == f"{len(CASES)} of {len(CASES)} cases passed, 0 failed"


def test_a_biller_that_answers_a_conflict_fails_that_case_and_exits_1() -> None:
    with biller_process("accepts-conflict") as url:
        done = biller_check(url)
    assert done.returncode == 1
    assert [name for name, ok in case_lines(done.stdout).items() if not ok] == [
        "notice-conflict-refused"
    ]
    assert "FAIL notice-conflict-refused: answered HTTP 200, expected 409 PAYMENT_ID_REUSED" in (
        done.stdout
    )
    assert done.stdout.splitlines()[-1].endswith("cases passed, 1 failed")


def test_a_slow_biller_fails_the_case_naming_the_bound() -> None:
    with biller_process("slow") as url:
        done = biller_check(url, "--timeout-s", "0.5")
    assert done.returncode == 1
    assert re.search(r"^FAIL notice-accepted: PUT \S+: no answer within 500 ms$", done.stdout, re.M)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["ftp://biller.example"], "must start with http:// or https://"),
        (["http://biller.example", "--timeout-s", "0"], "--timeout-s must be above 0"),
    ],
    ids=["url", "timeout"],
)
def test_bad_arguments_exit_2_with_one_line(arguments: list[str], words: str) -> None:
    done = biller_check(*arguments)
    assert done.returncode == 2
    assert words in done.stderr
