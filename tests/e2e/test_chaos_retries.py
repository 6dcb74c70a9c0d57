"""Chaos: many clients retrying the same payments while the bank loses and delays replies.

Real processes on one database: `fawtara bank-sim`, `fawtara serve`, `fawtara
worker`. Sixteen client threads send about sixty payments over thirty bills
(some bills paid in parts, some fought over by two payers); every payment is
sent one to four times with the same id and body, some of the sends at the
same instant. Meanwhile a background thread switches the bank's faults:
replies dropped after booking (HTTP 504), replies late past the switch's
timeout, short delays. Then the faults stop, the worker finishes, and the
books are checked from the outside (chaos_support.check_invariants):

- rule 3: no payment debited twice, the bank keeps money only for completed
  payments, a retry after the end gets the same answer, the same id with
  another body is refused;
- rule 5: every payment ends final within a bounded time, and a final
  answer, once given, never changes;
- rule 8: every payment acknowledged with a 200 is in the switch;
- money conserved per account and in the collection account, bills paid
  exactly by their completed payments and never beyond their amount, no
  reservation left, the ledger balanced (`fawtara ledger verify`).

The seed is printed; FAWTARA_CHAOS_SEED=<n> replays the same plan (thread
timing still varies).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from random import Random
from typing import Any

import pytest

from tests.e2e.chaos_support import (
    FINAL_STATES,
    Journal,
    Stack,
    SwitchClient,
    bank_core_stalled,
    check_invariants,
    payment_body,
    plan_payments,
    read_books,
    replay_stored,
    seed_of,
    seed_world,
    start_balances,
    summary,
    wait_until_final,
)

CLIENTS = 16
BILLS = 30
BANK_TIMEOUT_S = 1.5  # the switch's timeout on each bank call
FINAL_WITHIN_S = 90.0  # after the faults stop (rule 5 asks for a bounded time)


@pytest.fixture
def stack(tmp_path: Path, database_url: str, billing_database_url: str) -> Iterator[Stack]:
    running = Stack(tmp_path, database_url, BANK_TIMEOUT_S, billing_database_url)
    try:
        yield running
    finally:
        running.close()


def toggle_faults(stack: Stack, rng: Random, stop: threading.Event) -> None:
    """Lost and late replies, on and off, until `stop`: a share of the bank's requests."""
    late = int(BANK_TIMEOUT_S * 1000) + 700
    choices: list[tuple[str, int]] = [
        ("drop_reply", 0),  # booked, then HTTP 504 at once
        ("drop_reply", late),  # booked, the switch times out first
        ("delay", late),  # booked, the answer comes after the switch gave up
        ("delay", 300),  # late but in time
        ("http_500", 0),  # refused before booking: the inquiry finds nothing, the payment fails
        ("none", 0),
    ]
    while not stop.is_set():
        mode, delay_ms = rng.choice(choices)
        messages = rng.choice([None, ["pain.001"], ["pain.001", "pacs.028"]])
        count = rng.choice([None, rng.randint(1, 8)])  # None: until the next switch
        stack.bank_admin.set_fault(mode, delay_ms, count, messages)
        stop.wait(rng.uniform(0.2, 0.8))
        if rng.random() < 0.5:
            stack.bank_admin.set_fault("none")
            stop.wait(rng.uniform(0.2, 0.8))
    stack.bank_admin.set_fault("none")


def fault_counts(stack: Stack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _at, body in stack.bank_admin.fault_log:
        key = f"{body['mode']}/{body['delay_ms']}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def test_concurrent_retries_under_bank_faults_never_charge_twice_nor_lose_a_payment(
    stack: Stack, database_url: str
) -> None:
    seed = seed_of("chaos retries", 3_006)
    rng = Random(seed)
    world = seed_world(stack, BILLS, rng)
    stack.start_with(world)

    journal = Journal()
    bodies = plan_payments(world, rng)
    # body, concurrent copies, wait, pause before
    sends: list[tuple[dict[str, Any], int, float, float]] = []
    for body in bodies:
        journal.plan(body)
        for _ in range(rng.randint(1, 4)):
            copies = rng.choices([1, 2, 3], [6, 3, 1])[0]
            wait_s = rng.choice([0.0, 0.5, 2.0, 5.0])
            sends.append((body, copies, wait_s, rng.uniform(0.0, 2.0)))
    rng.shuffle(sends)
    print(f"{len(bodies)} payments, {len(sends)} sends, {CLIENTS} clients", flush=True)

    client = SwitchClient(stack.api_url, timeout_s=12.0)
    barrier_pool = ThreadPoolExecutor(max_workers=3 * CLIENTS)

    def send(job: tuple[dict[str, Any], int, float, float]) -> None:
        body, copies, wait_s, pause_s = job
        time.sleep(pause_s)  # spread the sends over the faults
        if copies == 1:
            journal.record(body["payment_id"], client.pay(body, wait_s))
            return
        barrier = threading.Barrier(copies)

        def one() -> None:
            barrier.wait(timeout=30)
            journal.record(body["payment_id"], client.pay(body, wait_s))

        for future in [barrier_pool.submit(one) for _ in range(copies)]:
            future.result()

    stop_faults = threading.Event()
    faults = threading.Thread(
        target=toggle_faults, args=(stack, Random(seed + 1), stop_faults), daemon=True
    )
    started = time.monotonic()
    faults.start()
    try:
        with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
            list(clients.map(send, sends))
    finally:
        stop_faults.set()
        faults.join(timeout=30)
        barrier_pool.shutdown(wait=True)
    print(
        f"clients done in {time.monotonic() - started:.1f} s; answers {journal.statuses()}; "
        f"faults {fault_counts(stack)}",
        flush=True,
    )

    acknowledged = journal.acknowledged()
    assert acknowledged, f"no payment was acknowledged at all:\n{stack.logs()}"
    wait_until_final(client, journal, acknowledged, FINAL_WITHIN_S)
    # Payments stored but never acknowledged (the client gave up) must end too.
    deadline = time.monotonic() + FINAL_WITHIN_S
    while True:
        books = read_books(stack.database_url, stack.billing_database_url)
        open_ = {p for p, r in books.payments.items() if r["state"] not in FINAL_STATES}
        if not open_ or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"settled in {time.monotonic() - started:.1f} s: {summary(books.payments)}", flush=True)

    # Retries after the end first: the books checked next must not have moved.
    problems = replay_stored(client, journal, books.payments)
    problems += check_invariants(stack, world, journal, start_balances(world))
    client.close()
    assert stack.api.running and stack.worker.running, stack.logs()
    assert not problems, "\n".join(sorted(set(problems))[:40]) + "\n" + stack.logs()


STALL_S = 6.0  # how long the bank's core books nothing (its lock wait is 30 s)


def test_a_debit_the_bank_books_after_an_empty_inquiry_is_not_kept_from_a_failed_payment(
    tmp_path: Path,
) -> None:
    """The bank's core is slow: the debit is booked only after the switch timed out and its
    status inquiry found nothing. The payment must still end in a state that matches the
    money: completed (the debit is found and posted) or returned/failed with the money given
    back; never failed with the subscriber's money kept by the bank (rules 3 and 5)."""
    seed = seed_of("chaos late booking", 5_005)
    database_url = f"sqlite:///{tmp_path / 'switch.db'}"
    stack = Stack(tmp_path, database_url, bank_timeout_s=BANK_TIMEOUT_S)
    client = SwitchClient(stack.api_url, timeout_s=12.0)
    try:
        world = seed_world(stack, 2, Random(seed))
        stack.start_with(world)
        journal = Journal()
        bill, account = world.bills[0], world.accounts[0]
        body = payment_body(bill, bill.amount_minor, account)
        journal.plan(body)
        payment_id = body["payment_id"]

        with bank_core_stalled(stack):
            first = client.pay(body, wait_s=0)  # the debit waits on the bank's core
            journal.record(payment_id, first)
            assert first.status == 200, (first.status, first.body, stack.logs())
            stalled_until = time.monotonic() + STALL_S
            while time.monotonic() < stalled_until:  # the worker asks; the bank has nothing
                answer = client.get(payment_id)
                journal.record(payment_id, answer)
                if answer.state in FINAL_STATES:
                    break
                time.sleep(0.2)
        told = [a.state for a in journal.answers[payment_id] if a.state]
        print(f"while the bank's core stalled the switch said {sorted(set(told))}", flush=True)

        deadline = time.monotonic() + 15
        while not any(
            row["kind"] == "debit" and row["payment_id"] == payment_id
            for row in stack.bank_admin.transactions(account)
        ):
            assert time.monotonic() < deadline, "the bank never booked the late debit"
            time.sleep(0.2)
        wait_until_final(client, journal, {payment_id}, FINAL_WITHIN_S)
        time.sleep(2.0)  # a worker round or two more: nothing may change a final state
        wait_until_final(client, journal, {payment_id}, FINAL_WITHIN_S)
        problems = check_invariants(stack, world, journal, start_balances(world))
        assert not problems, "\n".join(problems) + "\n" + stack.logs()
    finally:
        client.close()
        stack.close()
