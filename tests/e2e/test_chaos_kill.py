"""Chaos: kill -9 of the switch's API and worker at random moments during a stream of payments.

Real processes on one database: `fawtara bank-sim`, `fawtara serve`, `fawtara
worker`. Three client threads stream about forty-five payments over twenty-four bills
(some paid in parts, some fought over); the bank answers debits late (so a
kill often lands between the bank's booking and the switch's commit). A
killer thread sends SIGKILL 3 to 5 times, at random moments, to the API, the
worker or both, and restarts them on the same database and port. Clients
retry every unanswered payment with the same id and body until it is
answered, and resend some answered ones. Then the worker finishes, and:

- rule 8: every payment the clients ever got a 200 for is in the switch, and
  final; nothing half-posted (bank, bills, ledger and states agree);
- rule 3: no account debited twice for a payment; a retry after the end gets
  the same answer;
- rule 5: all payments end final within a bounded time after the last kill;
- money conserved per account; bills paid exactly by completed payments; no
  bill reservation left; `fawtara ledger verify` exits 0.

The seed is printed; FAWTARA_CHAOS_SEED=<n> replays the same plan and kill
schedule (thread timing still varies).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from random import Random
from typing import Any

import pytest

from tests.e2e.chaos_support import (
    FINAL_STATES,
    Journal,
    Stack,
    SwitchClient,
    check_invariants,
    orphans,
    plan_payments,
    read_books,
    replay_stored,
    seed_of,
    seed_world,
    start_balances,
    summary,
    wait_until_final,
)

CLIENTS = 3
BILLS = 24
BANK_TIMEOUT_S = 2.0
BANK_DELAY_MS = 400  # every debit answered this late: a wider window to be killed in
STREAM_S_MAX = 120.0
FINAL_WITHIN_S = 90.0  # after the last restart; the worker's lease is 15 s


@pytest.fixture
def stack(tmp_path: Path, database_url: str, billing_database_url: str) -> Iterator[Stack]:
    running = Stack(tmp_path, database_url, BANK_TIMEOUT_S, billing_database_url)
    try:
        yield running
    finally:
        running.close()


def kill_and_restart(stack: Stack, rng: Random, done: threading.Event, log: list[str]) -> None:
    """3 to 5 times: wait a random moment, SIGKILL the API and/or the worker, restart them."""
    try:
        for n in range(rng.randint(3, 5)):
            time.sleep(rng.uniform(0.5, 2.5))
            target = rng.choices(["api", "worker", "both"], [5, 2, 3])[0]
            victims = {
                "api": [stack.api],
                "worker": [stack.worker],
                "both": [stack.api, stack.worker],
            }[target]
            for service in victims:
                service.kill9()
            log.append(f"kill {n + 1}: {target} at {time.monotonic():.1f}")
            time.sleep(rng.uniform(0.0, 0.7))
            for service in victims:
                stack.restart(service)
    finally:
        done.set()


def stream(
    client: SwitchClient,
    journal: Journal,
    todo: collections.deque[tuple[dict[str, Any], bool]],
    lock: threading.Lock,
    killer_done: threading.Event,
    rng: Random,
) -> None:
    """Send payments; an unanswered one goes back in the queue (same id, same body)."""
    deadline = time.monotonic() + STREAM_S_MAX
    while time.monotonic() < deadline:
        with lock:
            job = todo.popleft() if todo else None
            wait_s = rng.choice([0.5, 1.0, 3.0])
            pause_s = rng.uniform(0.0, 0.5)
            resend = rng.random() < 0.3
        if job is None:
            if killer_done.is_set():
                return
            time.sleep(0.1)
            continue
        body, resent = job
        answer = client.pay(body, wait_s)
        journal.record(body["payment_id"], answer)
        with lock:
            if answer.status is None or answer.status >= 500:
                todo.append((body, resent))  # no answer: retry later, same id and body
            elif answer.status == 200 and resend and not resent:
                todo.append((body, True))  # a channel that retries anyway
        time.sleep(pause_s)


def test_kill_9_of_the_switch_loses_no_acknowledged_payment_and_charges_none_twice(
    stack: Stack, database_url: str
) -> None:
    seed = seed_of("chaos kill", 8_008)
    rng = Random(seed)
    world = seed_world(stack, BILLS, rng)
    stack.start_with(world)
    stack.bank_admin.set_fault("delay", BANK_DELAY_MS, None, ["pain.001"])

    journal = Journal()
    bodies = plan_payments(world, rng)
    rng.shuffle(bodies)
    for body in bodies:
        journal.plan(body)
    todo: collections.deque[tuple[dict[str, Any], bool]] = collections.deque(
        (body, False) for body in bodies
    )
    lock = threading.Lock()
    killer_done = threading.Event()
    kills: list[str] = []
    client = SwitchClient(stack.api_url, timeout_s=6.0)
    started = time.monotonic()
    killer = threading.Thread(
        target=kill_and_restart, args=(stack, Random(seed + 1), killer_done, kills), daemon=True
    )
    streams = [
        threading.Thread(
            target=stream,
            args=(client, journal, todo, lock, killer_done, Random(seed + 2 + n)),
            daemon=True,
        )
        for n in range(CLIENTS)
    ]
    killer.start()
    for thread in streams:
        thread.start()
    killer.join(timeout=STREAM_S_MAX)
    for thread in streams:
        thread.join(timeout=STREAM_S_MAX)
    assert killer_done.is_set() and not any(t.is_alive() for t in streams), stack.logs()
    stack.bank_admin.set_fault("none")
    unanswered = [b["payment_id"] for b in bodies if not journal.settled(b["payment_id"])]
    print(
        f"{len(bodies)} payments streamed in {time.monotonic() - started:.1f} s; "
        f"{'; '.join(kills)}; answers {journal.statuses()}",
        flush=True,
    )
    assert not unanswered, f"payments never answered: {unanswered}\n{stack.logs()}"
    assert len(kills) >= 3 and stack.api.kills + stack.worker.kills >= 3

    acknowledged = journal.acknowledged()
    assert acknowledged, f"no payment was acknowledged at all:\n{stack.logs()}"
    last_restart = time.monotonic()
    wait_until_final(client, journal, acknowledged, FINAL_WITHIN_S)
    deadline = time.monotonic() + FINAL_WITHIN_S
    while True:
        books = read_books(stack.database_url, stack.billing_database_url)
        open_ = {p for p, r in books.payments.items() if r["state"] not in FINAL_STATES}
        if not open_ or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(
        f"final {time.monotonic() - last_restart:.1f} s after the last restart: "
        f"{summary(books.payments)}; {orphans(database_url)} left mid-way by a kill",
        flush=True,
    )

    # Retries after the end first: the books checked next must not have moved.
    problems = replay_stored(client, journal, books.payments)
    problems += check_invariants(stack, world, journal, start_balances(world))
    client.close()
    assert stack.api.running and stack.worker.running, stack.logs()
    assert not problems, "\n".join(sorted(set(problems))[:40]) + "\n" + stack.logs()
