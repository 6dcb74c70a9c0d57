"""The billing service as a process of its own, seen from the switch and from a vendor.

The switch (`fawtara serve`, `fawtara worker`) reaches the biller only over the Biller
API of `fawtara billing serve`. Killing the billing process leaves payments accepted;
their notices wait at the switch and reach billing in acceptance order when it is back,
and the subscriber's SMS is queued only once the biller has acknowledged.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from random import Random

import httpx
import pytest
from sqlalchemy import select

from fawtara.config import DEFAULT_BILLER_API_KEY
from fawtara.storage import tables as t
from fawtara.storage.engine import make_engine
from tests.e2e.chaos_support import (
    BILLER,
    FAWTARA,
    PORTAL_KEY,
    Stack,
    SwitchClient,
    payment_body,
    seed_world,
)
from tests.support import meter

BILLS = 5
SMS_TOPIC = "sms.payment_completed"
ACKNOWLEDGED_WITHIN_S = 60.0  # the oldest waiting notice is retried with backoff (≤ 60 s)


@pytest.fixture
def stack(tmp_path: Path, database_url: str, billing_database_url: str) -> Iterator[Stack]:
    running = Stack(tmp_path, database_url, 2.0, billing_database_url)
    try:
        yield running
    finally:
        running.close()


def test_the_billing_service_passes_the_conformance_kit_of_fawtara_biller_check(
    stack: Stack,
) -> None:
    world = seed_world(stack, BILLS, Random(12))
    stack.start_with(world)
    done = subprocess.run(
        [FAWTARA, "biller-check", stack.billing_url, "--key", DEFAULT_BILLER_API_KEY,
         "--biller", BILLER, "--customer-ref", world.bills[0].meter,
         "--unknown-ref", meter(199_999_999)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr + stack.logs()
    assert done.stdout.splitlines()[-1].endswith("passed, 0 failed")


def notices_at_billing(stack: Stack) -> list[str]:
    """The payment ids of the notices billing recorded, in the order it received them."""
    engine = make_engine(stack.billing_database_url)
    try:
        with engine.connect() as connection:
            p = t.biller_postings.c
            query = select(p.payment_id).order_by(p.posted_at, p.payment_id)
            return list(connection.execute(query).scalars())
    finally:
        engine.dispose()


def sms_queued_for(stack: Stack, payment_ids: list[str]) -> set[str]:
    """The payments whose confirmation SMS the switch has queued (its outbox)."""
    engine = make_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            o = t.outbox.c
            query = select(o.key).where(o.topic == SMS_TOPIC, o.key.in_(payment_ids))
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


def test_payments_accepted_while_billing_is_down_reach_it_in_order_with_their_sms_after(
    stack: Stack,
) -> None:
    world = seed_world(stack, BILLS, Random(21))
    stack.start_with(world)
    client = SwitchClient(stack.api_url, timeout_s=15.0)
    try:
        first = payment_body(world.bills[0], world.bills[0].amount_minor, world.accounts[0])
        assert client.pay(first, wait_s=10.0).state == "completed", stack.logs()
        for bill in world.bills[1:4]:  # the subscribers look at their bills (a portal would)
            fetched = httpx.post(
                f"{stack.api_url}/v1/bills/fetch",
                headers={"X-Api-Key": PORTAL_KEY},
                json={"biller": BILLER, "customer_ref": bill.meter},
                timeout=10.0,
            )
            assert fetched.status_code == 200, fetched.text

        stack.billing.kill9()
        bodies = [
            payment_body(bill, bill.amount_minor, world.accounts[n])
            for n, bill in enumerate(world.bills[1:4], start=1)
        ]
        for body in bodies:  # accepted in this order while billing is down
            answer = client.pay(body, wait_s=0)
            assert answer.status == 200, (answer.status, answer.body, stack.logs())
            time.sleep(0.3)
        ids = [body["payment_id"] for body in bodies]
        time.sleep(3.0)  # the worker tries the oldest notice, finds billing down, backs off
        waiting = [client.get(payment_id).state for payment_id in ids]
        assert "completed" not in waiting and "failed" not in waiting, waiting
        assert sms_queued_for(stack, ids) == set(), "an SMS before the biller acknowledged"
        assert notices_at_billing(stack) == [first["payment_id"]]

        stack.restart(stack.billing)
        deadline = time.monotonic() + ACKNOWLEDGED_WITHIN_S
        states = waiting
        while time.monotonic() < deadline:
            states = [client.get(payment_id).state for payment_id in ids]
            if all(state == "completed" for state in states):
                break
            time.sleep(0.5)
        assert states == ["completed"] * len(ids), (states, stack.logs())
        assert notices_at_billing(stack) == [first["payment_id"], *ids], "acceptance order"
        assert sms_queued_for(stack, ids) == set(ids)
    finally:
        client.close()
