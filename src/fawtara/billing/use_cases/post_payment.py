"""Posting a payment to the chosen bills at the biller (idempotent by payment id).

The switch calls this once the money is secured. The payment id is the one
the channel generated: the same id with the same request returns the stored
result and changes nothing; the same id with another request is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fawtara.billing.use_cases.lifecycle_hook import note_posting
from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.bills import BillStatus, plan_payment
from fawtara.kernel.errors import (
    ChannelNotAccepted,
    CurrencyMismatch,
    PaymentIdReused,
    UnknownBill,
    UnknownBiller,
    UnknownService,
    ValidationError,
)
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.kernel.references import compact_reference


def post_payment(uow: UnitOfWork, command: PostPayment, posted_at: datetime) -> PostingResult:
    if not 0 < len(command.payment_id) <= 64:
        raise ValidationError("payment_id must be 1..64 characters")
    with uow:
        stored = uow.postings.get(command.payment_id)
        if stored is not None:
            return _replay(uow, command, stored)
        # get_many reads each bill once, so plan_payment would never see the repeat.
        if len(set(command.bill_ids)) != len(command.bill_ids):
            raise ValidationError("a bill is chosen twice in one payment")
        biller = uow.billers.get(command.biller_code)
        if biller is None:
            raise UnknownBiller(f"unknown biller {command.biller_code!r}")
        if command.channel not in biller.channels:
            raise ChannelNotAccepted(f"{biller.code} does not accept the {command.channel} channel")
        if command.currency != biller.currency:
            raise CurrencyMismatch(f"{biller.code} bills in {biller.currency}")
        reference = compact_reference(command.customer_ref)
        service_id = uow.services.ids_by_reference(biller.code, [reference]).get(reference)
        if service_id is None:
            raise UnknownService(f"no service {command.customer_ref!r} at {biller.code}")
        bills = uow.bills.get_many(list(command.bill_ids), for_update=True)
        found = {bill.id for bill in bills}
        missing = [bill_id for bill_id in command.bill_ids if bill_id not in found]
        if missing or any(bill.service_id != service_id for bill in bills):
            raise UnknownBill(f"no such bills for {command.customer_ref}: {missing or 'mismatch'}")
        plan = plan_payment(biller, bills, command.amount_minor)
        amounts = {a.bill_id: a.amount_minor for a in plan.allocations}
        updated = [b.apply_payment(amounts[b.id]) for b in bills if b.id in amounts]
        uow.bills.save_status(updated)
        uow.postings.add(
            {
                "payment_id": command.payment_id,
                "biller_code": biller.code,
                "service_id": service_id,
                "request_hash": command.request_hash(),
                "amount_minor": command.amount_minor,
                "credit_minor": plan.credit_minor,
                "currency": command.currency,
                "channel": command.channel,
                "paid_at": command.paid_at,
                "posted_at": posted_at,
            },
            [(a.bill_id, a.amount_minor) for a in plan.allocations],
        )
        # A suspended service gets its reconnection (or apology) reviewed at once.
        note_posting(uow, service_id, biller.code, command.payment_id, posted_at)
        uow.commit()
        return PostingResult(
            command.payment_id,
            tuple((b.id, amounts[b.id], b.status.value) for b in updated),
            plan.credit_minor,
            replayed=False,
        )


def reverse_posting(uow: UnitOfWork, payment_id: str, reason: str, now: datetime) -> bool:
    """Reopen the bills a posting paid; once only. False when there was nothing to undo."""
    with uow:
        if uow.postings.get(payment_id) is None:
            return False
        if not uow.presentment.reverse_posting(payment_id, reason, now):
            return False  # reversed already: a retry
        allocations = dict(uow.postings.allocations(payment_id))
        bills = uow.bills.get_many(list(allocations), for_update=True)
        uow.bills.save_status([bill.reverse_payment(allocations[bill.id]) for bill in bills])
        uow.commit()
        return True


@dataclass(frozen=True, slots=True)
class NoticeStatus:
    result: PostingResult
    posted_at: datetime
    reversed: bool


def notice_status(uow: UnitOfWork, payment_id: str) -> NoticeStatus | None:
    """What the billing system answered a notice (for a switch whose answer was lost)."""
    with uow:
        stored = uow.postings.get(payment_id)
        if stored is None:
            return None
        allocations = uow.postings.allocations(payment_id)
        bills = {b.id: b for b in uow.bills.get_many([bill_id for bill_id, _ in allocations])}
        result = PostingResult(
            payment_id,
            tuple(
                (bill_id, amount, bills[bill_id].status.value) for bill_id, amount in allocations
            ),
            int(stored["credit_minor"]),
            replayed=True,
        )
        return NoticeStatus(result, stored["posted_at"], stored["reversed_at"] is not None)


def _replay(uow: UnitOfWork, command: PostPayment, stored: dict[str, object]) -> PostingResult:
    if stored["request_hash"] != command.request_hash():
        raise PaymentIdReused(f"payment id {command.payment_id} was used for another request")
    allocations = uow.postings.allocations(command.payment_id)
    bills = {b.id: b for b in uow.bills.get_many([bill_id for bill_id, _ in allocations])}
    return PostingResult(
        command.payment_id,
        tuple((bill_id, amount, bills[bill_id].status.value) for bill_id, amount in allocations),
        int(str(stored["credit_minor"])),
        replayed=True,
    )


__all__ = [
    "BillStatus",
    "NoticeStatus",
    "PostPayment",
    "PostingResult",
    "notice_status",
    "post_payment",
    "reverse_posting",
]
