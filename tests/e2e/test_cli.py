"""The `fawtara` command run as a subprocess, as an operator would."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fawtara.config import Settings
from fawtara.kernel.clock import ManualClock
from fawtara.wiring import bootstrap
from tests.support import build_world

FAWTARA = str(Path(sys.executable).parent / "fawtara")


def billing_store(database: Path) -> Path:
    """The billing system's SQLite file beside the switch's."""
    return database.with_name(f"{database.stem}-billing.db")


def run(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FAWTARA_DATABASE_URL": f"sqlite:///{database}",
        "FAWTARA_BILLING_DATABASE_URL": f"sqlite:///{billing_store(database)}",
        "FAWTARA_SWITCH_URL": "",
        "FAWTARA_BILLER_LINKS": "",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [FAWTARA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    assert run(path, "db", "upgrade").returncode == 0
    assert run(path, "billing", "db", "upgrade").returncode == 0
    settings = Settings(
        f"sqlite:///{path}",
        "127.0.0.1",
        8000,
        billing_database_url=f"sqlite:///{billing_store(path)}",
    )
    platform = bootstrap(settings, ManualClock(datetime(2026, 11, 1, tzinfo=UTC)))
    world = build_world(platform, electricity_services=3)
    csv = tmp_path / "usage.csv"
    csv.write_text(
        "biller,cycle,service_ref,quantity\n"
        + "".join(f"ELEC,2026-B5,{meter},{100 * (n + 1)}\n" for n, meter in enumerate(world.meters))
        + "ELEC,2026-B5,0000000000,5\n",
        encoding="utf-8",
    )
    platform.engine.dispose()
    assert platform.billing_engine is not None
    platform.billing_engine.dispose()
    return path


def test_every_subcommand_has_help(tmp_path: Path) -> None:
    for command in (
        ["--help"],
        ["db", "upgrade", "--help"],
        ["ledger", "verify", "--help"],
        ["billing", "usage", "import", "--help"],
        ["billing", "bill-run", "--help"],
        ["billing", "jobs", "--help"],
        ["billing", "scheduler", "--help"],
        ["billing", "serve", "--help"],
        ["billing", "db", "upgrade", "--help"],
        ["serve", "--help"],
        ["demo", "seed", "--help"],
        ["billers", "--help"],
        ["db", "current", "--help"],
    ):
        result = run(tmp_path / "x.db", *command)
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage:" in result.stdout


def test_import_then_bill_run_then_verify(database: Path) -> None:
    imported = run(database, "billing", "usage", "import", str(database.parent / "usage.csv"))
    assert imported.returncode == 1  # one bad row: reported, the good rows kept
    assert "4 rows: 3 added, 0 already there, 1 rejected" in imported.stdout
    assert "usage.csv:5: UNKNOWN_SERVICE" in imported.stderr
    again = run(database, "billing", "usage", "import", str(database.parent / "usage.csv"))
    assert "0 added, 3 already there, 1 rejected" in again.stdout

    billed = run(database, "billing", "bill-run", "--biller", "ELEC", "--cycle", "2026-B5")
    assert billed.returncode == 0, billed.stderr
    assert "3 bills issued for ELEC 2026-B5" in billed.stdout
    assert "3 bill row(s) published to the switch" in billed.stdout
    with sqlite3.connect(database) as switch_store:  # the switch presents them from its copy
        (presented,) = switch_store.execute(
            "SELECT count(*) FROM presented_bills WHERE biller_code = 'ELEC'"
        ).fetchone()
    assert presented == 3
    rerun = run(database, "billing", "bill-run", "--biller", "elec", "--cycle", "2026-B5")
    assert "0 bills issued" in rerun.stdout
    assert "3 bill row(s) published to the switch" in rerun.stdout  # the same file, same answer
    jobs = run(database, "billing", "jobs")
    assert jobs.returncode == 0 and "bills issued" not in jobs.stderr, jobs.stderr

    verified = run(database, "ledger", "verify")
    assert verified.returncode == 0 and "ledger balanced" in verified.stdout
    listed = run(database, "billers")
    assert "ELEC" in listed.stdout and "STE" in listed.stdout


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["billing", "bill-run", "--biller", "NOPE", "--cycle", "2026-B5"], "UNKNOWN_BILLER", 1),
        (["billing", "bill-run", "--biller", "ELEC", "--cycle", "2026-11"], "INVALID_CYCLE", 2),
        (["billing", "usage", "import", "/nonexistent.csv"], "INVALID_USAGE", 2),
        (["billing", "jobs", "--limit", "0"], "VALIDATION_ERROR", 2),
    ],
)
def test_errors_are_one_line_on_stderr_with_a_stable_code(
    database: Path,
    args: list[str],
    code: str,
    exit_code: int,
) -> None:
    result = run(database, *args)
    assert result.returncode == exit_code
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and code in errors[0], result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("FAWTARA_PORT", "abc", ["billers"]),
        ("FAWTARA_BANKS", "BEMO=ftp://x", ["billers"]),
        ("FAWTARA_REMINDER_DAYS_BEFORE", "99", ["billing", "jobs"]),
        ("FAWTARA_CASH_DENOMINATIONS", "x", ["billers"]),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_not_a_traceback(
    database: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, command: list[str]
) -> None:
    monkeypatch.setenv(variable, value)
    result = run(database, *command)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and variable in errors[0], result.stderr


def test_a_usage_file_without_the_header_is_refused_whole(database: Path) -> None:
    bad = database.parent / "bad.csv"
    bad.write_text("meter,kwh\n1,2\n", encoding="utf-8")
    result = run(database, "billing", "usage", "import", str(bad))
    assert result.returncode == 2
    assert "lacks the column(s) biller, cycle, service_ref, quantity" in result.stderr


def test_commands_refuse_a_database_whose_schema_is_behind(tmp_path: Path) -> None:
    result = run(tmp_path / "empty.db", "ledger", "verify")
    assert result.returncode == 1
    assert "SCHEMA_BEHIND" in result.stderr and "fawtara db upgrade" in result.stderr
    billing = run(
        tmp_path / "empty.db", "billing", "bill-run", "--biller", "ELEC", "--cycle", "2026-B5"
    )
    assert billing.returncode == 1
    assert "SCHEMA_BEHIND" in billing.stderr and "fawtara billing db upgrade" in billing.stderr
