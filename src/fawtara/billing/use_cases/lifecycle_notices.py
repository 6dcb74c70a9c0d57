"""The lifecycle's SMS: reminders, suspensions, reconnections, apologies.

Each notice goes through the SMS outbox (topic `sms.<kind>`), keyed by its
cause, so a rerun of a job queues nothing twice; the payload follows the
service notice contract of docs/SMS.md, checked by `domain.sms`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from fawtara.billing.domain.lifecycle import (
    BillStanding,
    ReminderKind,
    reminder_due,
    reminder_due_dates,
)
from fawtara.billing.use_cases.in_flight_check import ask_switch, with_in_flight
from fawtara.billing.use_cases.ports import ServiceHolder, SwitchLink, UnitOfWork
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.errors import FawtaraError, UnknownBiller
from fawtara.kernel.references import normalise_mobile
from fawtara.sms.domain.sms import SmsKind

NOTICE_KEY_LENGTH_MAX = 64  # outbox.key and sms_messages.payment_id
REMINDER_KINDS = {
    ReminderKind.DUE_SOON: SmsKind.BILL_DUE_SOON,
    ReminderKind.OVERDUE: SmsKind.BILL_OVERDUE,
}


def notice_key(prefix: str, subject: str) -> str:
    """`prefix:subject`, or the prefix and a digest of the subject when that is too long."""
    key = f"{prefix}:{subject}"
    if len(key) <= NOTICE_KEY_LENGTH_MAX:
        return key
    return f"{prefix}:{hashlib.sha256(subject.encode()).hexdigest()[:40]}"


def service_notice(
    kind: SmsKind,
    key: str,
    biller: Biller,
    holder: ServiceHolder,
    standings: Sequence[BillStanding],
    at: datetime,
) -> tuple[str, dict[str, Any]]:
    """(outbox key, payload) of a notice about these bills of a service."""
    assert standings, "a notice is about at least one bill"
    bills = [s.bill for s in standings]
    msisdn = holder.msisdn
    # A number that does not normalise is kept as given: the SMS worker
    # records why it cannot send to it.
    with contextlib.suppress(FawtaraError):
        msisdn = None if msisdn is None else normalise_mobile(msisdn)
    return key, {
        "notice_id": key,
        "msisdn": msisdn,
        "language": holder.language or "ar",
        "biller_code": biller.code,
        "biller_name_ar": biller.name_ar,
        "biller_name_en": biller.name_en,
        "service_ref": holder.reference,
        "periods": sorted({bill.cycle_id for bill in bills})[: limits.bills_per_payment_max],
        "bill_ids": [bill.id for bill in bills],
        "amount_minor": sum(bill.outstanding_minor for bill in bills),
        "currency": bills[0].currency,
        "due_on": min(bill.due_on for bill in bills).isoformat(),
        "at": at.isoformat(),
    }


def send_reminders(
    uow_factory: Callable[[], UnitOfWork],
    biller_code: str,
    day: date,
    days_before: int,
    now: datetime,
    switch: SwitchLink | None = None,
) -> dict[str, int]:
    """Queue the reminders of `day`: bills due in `days_before` days, and newly overdue ones.

    A bill whose payment the switch has accepted but not yet delivered (the
    switch's in-flight answer, when `switch` is given) is not reminded.
    """
    with uow_factory() as uow:
        biller = uow.billers.get(biller_code)
    if biller is None:
        raise UnknownBiller(f"unknown biller {biller_code!r}")
    counts = {"due_soon": 0, "overdue": 0, "skipped_accepted": 0, "already_queued": 0}
    for due in reminder_due_dates(day, days_before):
        after = ""
        while True:
            with uow_factory() as uow:
                standings = uow.lifecycle.bills_due_on(
                    biller.code, due, after, limits.lifecycle_batch_rows
                )
                holders = uow.lifecycle.holders([s.bill.service_id for s in standings])
            if not standings:
                break
            standings = _with_switch_answer(switch, biller.code, standings, holders, now)
            with uow_factory() as uow:
                for standing in standings:
                    kind = reminder_due(standing, day, days_before)
                    if kind is None:
                        counts["skipped_accepted"] += 1
                        continue
                    sms_kind = REMINDER_KINDS[kind]
                    key, payload = service_notice(
                        sms_kind,
                        notice_key(kind.value, standing.bill.id),
                        biller,
                        holders[standing.bill.service_id],
                        [standing],
                        now,
                    )
                    if uow.outbox.add(f"sms.{sms_kind.value}", key, payload, now):
                        counts[kind.value] += 1
                    else:
                        counts["already_queued"] += 1
                uow.commit()
            after = standings[-1].bill.id
    return counts


def _with_switch_answer(
    switch: SwitchLink | None,
    biller_code: str,
    standings: list[BillStanding],
    holders: dict[int, ServiceHolder],
    now: datetime,
) -> list[BillStanding]:
    """The standings with the payments in flight at the switch counted, when it answers.

    Without an answer a reminder still goes: a reminder to someone who has just
    paid is a nuisance, not a harm, unlike a suspension.
    """
    references = sorted({holders[s.bill.service_id].reference for s in standings})
    answer = ask_switch(switch, biller_code, references, now)
    if answer is None:
        return standings
    by_service: dict[int, list[BillStanding]] = {}
    for standing in standings:
        by_service.setdefault(standing.bill.service_id, []).append(standing)
    counted = {s.bill.id: s for found in with_in_flight(by_service, answer).values() for s in found}
    return [counted[s.bill.id] for s in standings]
