"""`fawtara simulate` run as a subprocess: a quarter on scratch stores, never the configured ones.

The simulation drives both systems in one process on copies of their two
stores (or on scratch stores it seeds): the configured files must come out
of it as they went in, or not exist at all if they did not before.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

FAWTARA = str(Path(sys.executable).parent / "fawtara")
# Forty days cover a cycle's due date and grace, so reminders and the sweep's
# suspensions happen; thirty subscribers a biller keep a run within seconds.
DAYS, SUBSCRIBERS = "40", "30"
VIOLATIONS_NONE = "protection-rule violations: 0;"


def configured(tmp_path: Path) -> tuple[Path, Path]:
    """The stores FAWTARA_DATABASE_URL and FAWTARA_BILLING_DATABASE_URL name."""
    folder = tmp_path / "configured"
    return folder / "fawtara.db", folder / "billing.db"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    switch, billing = configured(tmp_path)
    env = {
        **os.environ,
        "FAWTARA_DATABASE_URL": f"sqlite:///{switch}",
        "FAWTARA_BILLING_DATABASE_URL": f"sqlite:///{billing}",
        "FAWTARA_SWITCH_URL": "",
        "FAWTARA_BILLER_LINKS": "",
        "FAWTARA_KEYS_DIR": str(tmp_path / "keys"),
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [FAWTARA, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def simulate(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    scratch = tmp_path / "scratch" / "sim.db"
    return run(tmp_path, "simulate", "--days", DAYS, "--database", str(scratch), *extra)


def table_rows(stdout: str) -> dict[str, list[int]]:
    """The quarter table's rows: name -> the count of each biller (blank cells are left out)."""
    rows: dict[str, list[int]] = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.replace("|", "│").split("│")[1:-1]]
        if len(cells) > 1 and cells[1].isdigit():
            rows[cells[0]] = [int(cell) for cell in cells[1:] if cell.isdigit()]
    return rows


def assert_a_quarter_happened(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert VIOLATIONS_NONE in result.stdout
    rows = table_rows(result.stdout)
    paid = sum(sum(counts) for name, counts in rows.items() if name.startswith("paid by"))
    assert paid > 0, result.stdout
    lifecycle = [
        sum(rows.get(name, [0]))
        for name in ("suspensions", "outbox sms.bill_due_soon", "outbox sms.service_suspended")
    ]
    assert max(lifecycle) > 0, result.stdout
    assert rows["protection-rule violations"] == [0]
    # The weak network is part of the quarter: what it deferred is counted.
    assert "suspensions deferred (switch unreachable)" in rows, result.stdout
    assert "the link between the systems was down" in result.stdout


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_an_unseeded_configuration_is_simulated_on_scratch_stores_it_seeds(
    tmp_path: Path,
) -> None:
    result = simulate(tmp_path, "--subscribers", SUBSCRIBERS)

    assert_a_quarter_happened(result)
    assert "scratch stores at" in result.stderr
    assert (tmp_path / "scratch" / "sim.db").exists()
    assert (tmp_path / "scratch" / "sim-billing.db").exists()
    for store in configured(tmp_path):
        assert not store.exists(), f"{store} was created"


def test_a_seeded_demo_is_simulated_on_copies_and_left_unchanged(tmp_path: Path) -> None:
    for command in (
        ("db", "upgrade"),
        ("billing", "db", "upgrade"),
        ("demo", "seed", "--subscribers", SUBSCRIBERS),
    ):
        assert run(tmp_path, *command).returncode == 0, command
    before = {store: fingerprint(store) for store in configured(tmp_path)}

    result = simulate(tmp_path)

    assert_a_quarter_happened(result)
    assert "copies of" in result.stderr
    assert {store: fingerprint(store) for store in configured(tmp_path)} == before


def test_a_scratch_file_that_is_a_configured_store_is_refused(tmp_path: Path) -> None:
    _, billing = configured(tmp_path)

    result = run(tmp_path, "simulate", "--days", "1", "--database", str(billing))

    assert result.returncode == 2
    assert "VALIDATION_ERROR" in result.stderr
    assert not billing.exists()
