"""The switch's API for counter stations: snapshot, journal, shift view.

A station authenticates as its counter's participant (`X-Api-Key: CODE.SECRET`,
a CHANNEL participant with the channel "counter") and sees only its own counter.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from fawtara.counters.bootstrap import counter_desk
from fawtara.counters.domain.counters import COUNTER_CHANNEL
from fawtara.counters.use_cases import counter_journal, counter_journal_shifts, counters
from fawtara.kernel import limits
from fawtara.switch.domain.participants import Participant
from fawtara.switch.entrypoints.api.payments import (
    UUID_PATTERN,
    Caller,
    Strict,
    platform_of,
    switch_of,
)

router = APIRouter(tags=["counters"])

Kind = Annotated[
    str,
    Field(
        pattern="^(sign_in|sign_in_failed|sign_out|shift_open|payment|void|shift_close"
        "|close_approved|refund_paid)$"
    ),
]


def counter_of(caller: Participant) -> str:
    """The caller's counter code; NotAllowed unless it is a counter's participant."""
    caller.check_channel(COUNTER_CHANNEL)
    return caller.code


class SnapshotOut(BaseModel):
    counter: dict[str, str] | None
    denominations_minor: list[int] | None
    cashiers: list[dict[str, Any]] | None
    billers: list[dict[str, str]] | None
    refunds: list[dict[str, Any]] | None
    bills: list[dict[str, Any]]
    next: str | None
    as_of: str


@router.get("/v1/counter/snapshot", response_model=SnapshotOut, summary="Offline copy, paged")
def snapshot(
    request: Request,
    caller: Caller,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=limits.counter_snapshot_bills_max)] = 1000,
) -> SnapshotOut:
    platform = platform_of(request)
    page = counters.snapshot(
        platform.uow(readonly=True), platform.clock, counter_of(caller), after, limit
    )
    first = page.first_page
    return SnapshotOut(
        counter={
            "code": page.counter.code,
            "name_ar": page.counter.name_ar,
            "name_en": page.counter.name_en,
            "governorate": page.counter.governorate,
        }
        if first
        else None,
        denominations_minor=list(platform.settings.cash_denominations_minor) if first else None,
        cashiers=[
            {
                "username": member.username,
                "name_ar": member.name_ar,
                "role": member.role.value,
                "password_hash": password_hash,
                "active": member.active,
                "locked_until": None
                if member.locked_until is None
                else member.locked_until.isoformat(),
            }
            for member, password_hash in page.cashiers
        ]
        if first
        else None,
        billers=[
            {
                "code": b.code,
                "name_ar": b.name_ar,
                "name_en": b.name_en,
                "payment_rule": b.payment_rule.kind.value,
            }
            for b in page.billers
        ]
        if first
        else None,
        refunds=[
            {**refund, "created_at": refund["created_at"].isoformat()} for refund in page.refunds
        ]
        if first
        else None,
        bills=[
            {
                "bill_id": bill.bill_id,
                "biller": bill.biller,
                "customer_ref": bill.customer_ref,
                "customer_name_ar": bill.customer_name_ar,
                "msisdn": bill.msisdn,
                "period": bill.period,
                "amount_due_minor": bill.amount_due_minor,
                "due_on": bill.due_on.isoformat(),
            }
            for bill in page.bills
        ],
        next=page.next_after,
        as_of=page.as_of.isoformat(),
    )


class EntryIn(Strict):
    entry_id: str = Field(pattern=UUID_PATTERN, description="a UUID made at the station")
    kind: Kind
    at: AwareDatetime = Field(description="when it happened at the counter")
    cashier: str = Field(min_length=1, max_length=limits.username_length_max)
    shift_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    data: dict[str, Any] = Field(default_factory=dict)


class JournalIn(Strict):
    entries: list[EntryIn] = Field(max_length=limits.counter_journal_entries_max)
    synced_through: AwareDatetime | None = Field(
        default=None,
        description="the oldest entry still unsent at the station, or now when none is",
    )


class EntryOut(BaseModel):
    entry_id: str
    status: str = Field(description="applied | duplicate | rejected")
    error: dict[str, str] | None
    outcome: dict[str, Any] | None
    shift: dict[str, Any] | None


class JournalOut(BaseModel):
    results: list[EntryOut]


@router.post("/v1/counter/journal", response_model=JournalOut, summary="Push journal entries")
def journal(body: JournalIn, request: Request, caller: Caller) -> JournalOut:
    journal = counter_desk(platform_of(request), switch_of(request))
    entries = [
        counter_journal.JournalEntry(e.entry_id, e.kind, e.at, e.cashier, e.shift_id, e.data)
        for e in body.entries
    ]
    results = counter_journal.apply_journal(
        journal, counter_of(caller), entries, body.synced_through
    )
    return JournalOut(
        results=[
            EntryOut(
                entry_id=r.entry_id,
                status=r.status,
                error=r.error,
                outcome=r.outcome,
                shift=r.shift,
            )
            for r in results
        ]
    )


@router.get("/v1/counter/shifts/{shift_id}", summary="A shift of this counter and its figures")
def shift(shift_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    return counter_journal_shifts.view_shift(
        platform_of(request).uow(readonly=True), counter_of(caller), shift_id
    )
