"""Counters: registering one, and the snapshot its station keeps for offline work.

A counter is registered with the participant of the same code (kind CHANNEL,
channel "counter") whose API key its station uses, and the ledger account of
its drawer. The snapshot is what a station needs to work without the switch:
its cashiers' password hashes (offline sign-in), the billers that take cash
at counters, the refunds owed to subscribers of its governorate (to pay them
out offline too; counters/use_cases/cash_refunds.py), and the unpaid bills of its
governorate, in pages by bill id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.counters.domain.counters import COUNTER_CHANNEL, Counter, UnpaidBill
from fawtara.counters.domain.staff import Action, StaffMember, check
from fawtara.counters.use_cases.staff import Actor, audit
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import CounterExists, LimitExceeded, UnknownCounter
from fawtara.kernel.ports import Clock
from fawtara.switch.domain import accounts
from fawtara.switch.domain.participants import Participant, ParticipantKind, hash_secret
from fawtara.switch.use_cases.ports import UnitOfWork, UnitOfWorkFactory


def register_counter(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    counter: Counter,
    by: Actor,
    secret: str | None = None,
) -> str:
    """Add the counter, its participant and drawer account; its API key, shown once.

    `secret` is for demo data only; otherwise 256 random bits are drawn.
    """
    check(by.role, Action.MANAGE_COUNTERS, own_counter=False)
    secret = secret or secrets.token_urlsafe(32)
    participant = Participant(
        counter.code, ParticipantKind.CHANNEL, counter.name_ar, counter.name_en, (COUNTER_CHANNEL,)
    )
    drawer = accounts.counter_cash(counter.code)
    now = clock.now()
    with uow_factory() as uow:
        if not uow.counters.add(counter, now):
            raise CounterExists(f"counter {counter.code} exists already; keys are shown once")
        if not uow.participants.add(participant, hash_secret(secret), now):
            raise CounterExists(f"a participant {counter.code} exists already; pick another code")
        if uow.ledger.account_by_code(drawer.code) is None:
            uow.ledger.add_account(
                drawer.code, drawer.name_en, drawer.name_ar, drawer.type.value, drawer.currency, now
            )
        audit(uow, now, by.username, by.role, "counter_added", counter.code, counter.code)
        uow.commit()
    return f"{counter.code}.{secret}"


def counter_billers(uow: UnitOfWork) -> list[Biller]:
    """The billers that take payments at counters (their channels include "counter")."""
    return [biller for biller in uow.billers.list() if COUNTER_CHANNEL in biller.channels]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One page. The first (after=None) also carries counter, cashiers, billers, refunds."""

    counter: Counter
    cashiers: list[tuple[StaffMember, str]]  # (member, password hash)
    billers: list[Biller]
    refunds: list[dict[str, Any]]  # owed in the governorate: payment_id, biller, customer_ref, …
    bills: list[UnpaidBill]
    next_after: str | None
    as_of: datetime
    first_page: bool


def snapshot(
    uow: UnitOfWork, clock: Clock, counter_code: str, after: str | None, limit: int
) -> Snapshot:
    if not 0 < limit <= limits.counter_snapshot_bills_max:
        raise LimitExceeded(f"a snapshot page holds 1..{limits.counter_snapshot_bills_max} bills")
    as_of = clock.now()  # read before the bills: what changes later is in the next snapshot
    with uow:
        counter = uow.counters.get(counter_code)
        if counter is None:
            raise UnknownCounter(f"{counter_code} is not a registered counter")
        billers = counter_billers(uow)
        bills = uow.counters.unpaid_bills(
            counter.governorate, [b.code for b in billers], after or "", limit + 1
        )
        first_page = after is None
        cashiers = uow.staff.of_counter(counter_code) if first_page else []
        refunds = (
            uow.cash.refunds_owed(counter.governorate, limits.counter_snapshot_refunds_max)
            if first_page
            else []
        )
    more = len(bills) > limit
    bills = bills[:limit]
    return Snapshot(
        counter=counter,
        cashiers=cashiers,
        billers=billers if first_page else [],
        refunds=refunds,
        bills=bills,
        next_after=bills[-1].bill_id if more else None,
        as_of=as_of,
        first_page=first_page,
    )
