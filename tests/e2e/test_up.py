"""`fawtara up` as `make run` starts it (schema, billing schema, demo seed, up), on free
ports and SQLite files of its own: the switch and the billing system bind to the
simulated SMSC with logins of their own (and so does a bank texting a one-time code),
and each one's SMS end delivered in its own store, with no receipt reaching another's
worker.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fawtara.storage import tables as t
from fawtara.storage.engine import make_engine
from tests.e2e.chaos_support import FAWTARA, LOOPBACK, Service, free_port

SETTLED_WITHIN_S = 90.0  # the demo's first reminders and payment SMS, sent and receipted
DROPPED = "dropped a receipt for unknown SMSC id"
DEMO_HOLDER_ACCOUNT = "1100000371"  # a Bemo account of the demo (README, "a subscriber")


def demo_environment(workdir: Path) -> dict[str, str]:
    """The demo's settings, on ports and files no other instance uses."""
    var = workdir / "var"
    billing_port, smsc_port = free_port(), free_port()
    switch_port = free_port()
    return {
        "FAWTARA_VAR_DIR": str(var),
        "FAWTARA_KEYS_DIR": str(var / "keys"),
        "FAWTARA_DATABASE_URL": f"sqlite:///{var / 'fawtara.db'}",
        "FAWTARA_BILLING_DATABASE_URL": f"sqlite:///{var / 'billing.db'}",
        "FAWTARA_HOST": LOOPBACK,
        "FAWTARA_PORT": str(switch_port),
        "FAWTARA_SWITCH_URL": f"http://{LOOPBACK}:{switch_port}",
        "FAWTARA_BILLING_PORT": str(billing_port),
        "FAWTARA_BILLER_LINKS": (
            f"ELEC=http://{LOOPBACK}:{billing_port},STE=http://{LOOPBACK}:{billing_port},"
            "WATER=upload"
        ),
        "FAWTARA_BANKS": (
            f"BEMO=http://{LOOPBACK}:{free_port()},CBSY=http://{LOOPBACK}:{free_port()}"
        ),
        "FAWTARA_SMSC_PORT": str(smsc_port),
        "FAWTARA_SMSC_HTTP_PORT": str(free_port()),
        "FAWTARA_STATION_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Service, dict[str, str]]]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FAWTARA_SMSC_", "FAWTARA_BILLING_SMSC_", "FAWTARA_BANK_SMSC_"))
    }
    env.update(demo_environment(tmp_path))
    (tmp_path / "var").mkdir()
    for step in (["db", "upgrade"], ["billing", "db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run(
            [FAWTARA, *step], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    up = Service(
        "up",
        [FAWTARA, "up"],
        env,
        tmp_path / "up.log",
        f"http://{LOOPBACK}:{env['FAWTARA_PORT']}/healthz",
    )
    up.start()
    try:
        up.wait_healthy(timeout_s=60)
        yield up, env
    finally:
        up.stop()


def sms_states(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            s = t.sms_messages.c
            rows = connection.execute(select(s.state, func.count()).group_by(s.state)).all()
            return {str(state): int(count) for state, count in rows}
    finally:
        engine.dispose()


def settled(env: dict[str, str]) -> bool:
    """Both stores have delivered SMS and none waits for its receipt."""
    stores = (env["FAWTARA_DATABASE_URL"], env["FAWTARA_BILLING_DATABASE_URL"])
    return all(
        states.get("delivered", 0) > 0 and states.get("submitted", 0) == 0
        for states in map(sms_states, stores)
    )


def smsc(env: dict[str, str], path: str) -> Any:
    return httpx.get(f"http://{LOOPBACK}:{env['FAWTARA_SMSC_HTTP_PORT']}{path}", timeout=10).json()


def test_the_demos_switch_and_billing_each_get_their_own_receipts(
    demo: tuple[Service, dict[str, str]],
) -> None:
    up, env = demo
    bemo = env["FAWTARA_BANKS"].split(",")[0].removeprefix("BEMO=")
    consent = {"payment_id": str(uuid.uuid4()), "account": DEMO_HOLDER_ACCOUNT, "amount_minor": 1}
    asked = httpx.post(f"{bemo}/consents", json=consent, timeout=10)  # the bank texts a code
    assert asked.status_code == 201, asked.text
    deadline = time.monotonic() + SETTLED_WITHIN_S
    while not settled(env):
        assert up.running, up.log_tail()
        assert time.monotonic() < deadline, (
            f"not settled in {SETTLED_WITHIN_S} s: switch {sms_states(env['FAWTARA_DATABASE_URL'])}"
            f", billing {sms_states(env['FAWTARA_BILLING_DATABASE_URL'])}\n{up.log_tail()}"
        )
        time.sleep(0.5)
    logins = {"fawtara", "fawtara-billing", "fawtara-banks"}
    assert smsc(env, "/healthz")["bound_by_account"] == dict.fromkeys(logins, 1)
    assert {message["system_id"] for message in smsc(env, "/messages")} == logins
    dropped = [line for line in up.log_text().splitlines() if DROPPED in line]
    assert dropped == [], f"{len(dropped)} receipts reached the wrong worker: {dropped[:3]}"
