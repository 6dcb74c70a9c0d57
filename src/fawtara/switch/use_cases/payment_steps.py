"""Driving a payment through its states, one transaction per move.

`drive` looks at where a payment stands and takes the next step: a call to
the bank or the biller *between* transactions, then a compare-and-set of the
state *in* a transaction. Every step is idempotent (the bank by payment id,
the biller by payment id, the ledger by transfer id, the state by CAS), so a
payment driven twice, or picked up by a worker after a crash, is never
debited, posted or returned twice. See switch/domain/payments.py for the diagram.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.counters.domain.cash import DEFAULT_DENOMINATIONS, parse_denominations
from fawtara.counters.use_cases import cash_books
from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError
from fawtara.kernel.log_context import payment_context
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.kernel.ports import Clock
from fawtara.kernel.references import normalise_mobile
from fawtara.switch.domain.payments import (
    DRIVEN_STATES,
    Payment,
    PaymentModel,
    PaymentState,
    receipt_number,
    retry_delay_s,
    return_id_of,
    transfer_ids,
)
from fawtara.switch.use_cases import ledger
from fawtara.switch.use_cases.ports import (
    BankGateway,
    BankUnreachable,
    BillerGateway,
    BillerUnreachable,
    UnitOfWork,
)

DRIVE_STEPS_MAX = 12  # more moves than any path has: a loop would be a bug

log = logging.getLogger("fawtara.payments")


@dataclass
class Switch:
    """What the payment use cases need, wired once by bootstrap."""

    uow_factory: Callable[[], UnitOfWork]
    bank: BankGateway
    biller: BillerGateway
    clock: Clock
    sleep: Callable[[float], None] = field(default=time.sleep)
    # Units of work for reads only (ends with COMMIT, no write lock on SQLite).
    read_uow_factory: Callable[[], UnitOfWork] | None = None
    # Notes and coins in circulation (FAWTARA_CASH_DENOMINATIONS), minor units ascending.
    cash_denominations_minor: tuple[int, ...] = parse_denominations(DEFAULT_DENOMINATIONS)
    # Billers in upload mode: never called; their payments wait for a payments file.
    upload_billers: frozenset[str] = frozenset()

    def reader(self) -> UnitOfWork:
        return (self.read_uow_factory or self.uow_factory)()

    def lease_until(self) -> datetime:
        return self.clock.now() + timedelta(seconds=limits.payment_lease_s)


def drive(switch: Switch, payment_id: str) -> Payment:
    """Take steps until the payment is final or waits for a later retry."""
    with payment_context(payment_id):
        for _ in range(DRIVE_STEPS_MAX):
            with switch.reader() as uow:
                payment = uow.payments.get(payment_id)
            assert payment is not None, f"driving an unknown payment {payment_id}"
            steps = CASH_STEPS if payment.model is PaymentModel.CASH else STEPS
            if payment.state not in DRIVEN_STATES or not steps[payment.state](switch, payment):
                return payment
    raise AssertionError(f"payment {payment_id} did not settle in {DRIVE_STEPS_MAX} steps")


def process_due(switch: Switch, limit: int = limits.worker_batch_rows) -> int:
    """One worker round: claim due payments (leased, SKIP LOCKED) and drive each."""
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        due = uow.payments.due(DRIVEN_STATES, now, limit)
        uow.payments.lease(due, switch.lease_until())
        uow.commit()
    for payment_id in due:
        try:
            drive(switch, payment_id)
        except Exception:  # one payment's fault must not hold back the others of the round
            log.exception("payment %s: step failed; retried when its lease runs out", payment_id)
    return len(due)


# --- Moves (each one transaction) --------------------------------------------


def move_payment(
    uow: UnitOfWork,
    switch: Switch,
    payment: Payment,
    target: PaymentState,
    reason: str | None,
    detail: str,
    **fields: Any,
) -> bool:
    now = switch.clock.now()
    fields.setdefault("next_attempt_at", switch.lease_until())
    moved = uow.payments.move(
        payment.payment_id, payment.state, target, updated_at=now, attempts=0, **fields
    )
    if moved:
        uow.payments.add_event(payment.payment_id, payment.state, target, reason, detail, now)
        log.info(
            "payment %s %s -> %s%s: %s",
            payment.payment_id,
            payment.state.value,
            target.value,
            f" ({reason})" if reason else "",
            detail,
            extra={"payment_id": payment.payment_id},
        )
    return moved


def record_ledger(uow: UnitOfWork, switch: Switch, payment: Payment, kind: str) -> None:
    """The payment's ledger transfer of `kind` (void / post / reversal), once."""
    ids = transfer_ids(payment.payment_id)
    if uow.ledger.transfer(ids[kind]) is not None:
        return
    reserve = uow.ledger.transfer(ids["reserve"])
    assert reserve is not None, "every payment reserved in the ledger when received"
    now = switch.clock.now()
    if kind == "reversal":
        ledger.reverse_within(
            uow, reserve, reversal_id=ids[kind], now=now, amount_minor=payment.amount_minor
        )
    else:
        ledger.resolve_within(uow, reserve, resolution_id=ids[kind], post=kind == "post", now=now)


def _reschedule(switch: Switch, payment: Payment) -> bool:
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        later = now + timedelta(seconds=retry_delay_s(payment.attempts))
        uow.payments.reschedule(payment.payment_id, payment.state, later, now)
        uow.commit()
    return False


def _fail(switch: Switch, payment: Payment, reason: str, detail: str) -> bool:
    """Nothing was debited: void the reservation, free the bills."""
    with switch.uow_factory() as uow:
        if move_payment(
            uow, switch, payment, PaymentState.FAILED, reason, detail, reason_code=reason
        ):
            record_ledger(uow, switch, payment, "void")
            uow.payments.release_bills(payment.payment_id)
            uow.commit()
    return True


def _start_return(switch: Switch, payment: Payment, reason: str, detail: str) -> bool:
    """The bank may hold the subscriber's money but the biller will not get it."""
    with switch.uow_factory() as uow:
        moved = move_payment(
            uow,
            switch,
            payment,
            PaymentState.RETURNING,
            reason,
            detail,
            reason_code=reason,
            next_attempt_at=switch.clock.now(),
        )
        if moved:
            record_ledger(uow, switch, payment, "void")
            uow.payments.release_bills(payment.payment_id)
            uow.commit()
    return True


def _debited(switch: Switch, payment: Payment, answer: BankAnswer) -> bool:
    with switch.uow_factory() as uow:
        detail = f"bank {payment.payer_bank} debited, reference {answer.bank_reference}"
        if move_payment(
            uow,
            switch,
            payment,
            PaymentState.DEBITED,
            None,
            detail,
            bank_reference=answer.bank_reference,
        ):
            uow.commit()
    return True


# --- Steps (a call outside, then a move) ---------------------------------------


def _debit_instruction(switch: Switch, payment: Payment) -> DebitInstruction:
    remittance = f"{payment.biller_code} {payment.customer_ref} {' '.join(payment.bill_ids)}"
    return DebitInstruction(
        payment_id=payment.payment_id,
        bank_code=payment.payer_bank,
        account=payment.payer_account,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        biller_code=payment.biller_code,
        remittance=remittance[:140],
        created_at=switch.clock.now(),
        initiator=payment.initiator,
    )


def _step_received(switch: Switch, payment: Payment) -> bool:
    try:
        answer = switch.bank.debit(_debit_instruction(switch, payment))
    except BankUnreachable as error:
        return _to_unknown(switch, payment, str(error))
    if answer.status is BankStatus.ACCEPTED:
        return _debited(switch, payment, answer)
    if answer.status is BankStatus.REJECTED:
        return _fail(switch, payment, answer.error_code or "BANK_REJECTED", answer.detail)
    return _to_unknown(switch, payment, f"bank answered {answer.status.value}")


def _to_unknown(switch: Switch, payment: Payment, detail: str) -> bool:
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        if move_payment(
            uow,
            switch,
            payment,
            PaymentState.UNKNOWN,
            "BANK_NO_ANSWER",
            detail,
            unknown_since=now,
            next_attempt_at=now + timedelta(seconds=1),
        ):
            uow.commit()
    return False  # the worker resolves it by status inquiry


def _step_unknown(switch: Switch, payment: Payment) -> bool:
    request = StatusRequest(payment.payment_id, payment.payer_bank, switch.clock.now())
    try:
        answer: BankAnswer | None = switch.bank.status(request)
    except BankUnreachable:
        answer = None
    if answer is not None and answer.status is BankStatus.ACCEPTED:
        return _debited(switch, payment, answer)
    if answer is not None and answer.status is BankStatus.REJECTED:
        return _fail(switch, payment, answer.error_code or "BANK_REJECTED", answer.detail)
    if answer is not None and answer.status is BankStatus.NOT_FOUND:
        # "Not found" may only mean the bank has not booked it yet: a debit still
        # on its way would be booked later and the money kept from a failed
        # payment. So the same debit is sent again (the bank books a payment id
        # once) and its answer decides.
        try:
            answer = switch.bank.debit(_debit_instruction(switch, payment))
        except BankUnreachable:
            answer = None
        if answer is not None and answer.status is BankStatus.ACCEPTED:
            return _debited(switch, payment, answer)
        if answer is not None and answer.status is BankStatus.REJECTED:
            return _fail(switch, payment, answer.error_code or "BANK_REJECTED", answer.detail)
    assert payment.unknown_since is not None
    waited = switch.clock.now() - payment.unknown_since
    if waited >= timedelta(seconds=limits.unknown_resolution_s):
        return _start_return(
            switch, payment, "BANK_TIMEOUT", f"no answer from bank {payment.payer_bank} in {waited}"
        )
    return _reschedule(switch, payment)


def _posting(switch: Switch, payment: Payment) -> PostPayment | None:
    """What the biller is asked to post; None for cash that found every bill paid."""
    command = PostPayment(
        payment_id=payment.payment_id,
        biller_code=payment.biller_code,
        customer_ref=payment.customer_ref,
        bill_ids=payment.bill_ids,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        channel=payment.channel,
        paid_at=payment.created_at,
    )
    if payment.model is not PaymentModel.CASH:
        return command
    with switch.reader() as uow:
        row = uow.cash.get(payment.payment_id)
    assert row is not None, "a cash payment has its counter row from receive on"
    if not row["posted_minor"]:
        return None
    # What the bills still owe, paid at the instant the cash was taken (the 30-day rule).
    return replace(
        command,
        bill_ids=tuple(row["posted_bill_ids"]),
        amount_minor=int(row["posted_minor"]),
        paid_at=row["accepted_at"],
    )


def _step_debited(switch: Switch, payment: Payment) -> bool:
    """Notify the biller (the Biller API's payment notice); complete on its answer."""
    command = _posting(switch, payment)
    if command is not None and payment.biller_code in switch.upload_billers:
        return _wait_for_payments_file(switch, payment)
    if command is not None and not _link_allows(switch, payment):
        return _wait_for_link(switch, payment)
    try:
        result = switch.biller.post(command) if command is not None else None
    except BillerUnreachable as error:
        _link_down(switch, payment.biller_code, str(error))
        return _wait_for_link(switch, payment)
    except FawtaraError as refusal:
        _link_up(switch, payment.biller_code)
        return _start_return(
            switch, payment, "BILLER_REFUSED", f"{refusal.code}: {refusal.message}"
        )
    _link_up(switch, payment.biller_code)
    return _complete(switch, payment, result)


def _wait_for_payments_file(switch: Switch, payment: Payment) -> bool:
    """An upload-mode biller is never called: the payment waits until the biller
    acknowledges the payments file it is in (switch/use_cases/payment_files.py)."""
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        later = now + timedelta(seconds=limits.upload_payment_recheck_s)
        uow.payments.reschedule(payment.payment_id, payment.state, later, now)
        uow.commit()
    return False


def complete_acknowledged(switch: Switch, payment: Payment, result: PostingResult) -> bool:
    """The biller has the payment (its payments file acknowledged with this receipt):
    complete it exactly as a 200 answer to its notice does."""
    return _complete(switch, payment, result)


def return_refused(switch: Switch, payment: Payment, detail: str) -> bool:
    """The biller did not post the payment (its payments file acknowledged without a
    receipt for it): give the money back, as for a refused notice."""
    return _start_return(switch, payment, "BILLER_REFUSED", detail)


def _link_allows(switch: Switch, payment: Payment) -> bool:
    """While a biller is down only its oldest waiting notice is tried, when its time comes:
    the others keep their place, so notices reach it in acceptance order."""
    with switch.reader() as uow:
        link = uow.biller_links.state(payment.biller_code)
        if link is None or link["state"] == "up":
            return True
        oldest = uow.biller_links.oldest_waiting(payment.biller_code)
    due: datetime = link["next_attempt_at"]
    return oldest == payment.payment_id and due <= switch.clock.now()


def _wait_for_link(switch: Switch, payment: Payment) -> bool:
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        link = uow.biller_links.state(payment.biller_code)
        later = now + timedelta(seconds=limits.biller_retry_backoff_s_first)
        if link is not None and link["state"] == "down":
            later = max(later, link["next_attempt_at"])
        uow.payments.reschedule(payment.payment_id, payment.state, later, now)
        uow.commit()
    return False


def _link_down(switch: Switch, biller_code: str, error: str) -> None:
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        found = uow.biller_links.state(biller_code)
        failures = 0 if found is None or found["state"] == "up" else int(found["failures"])
        delay_s = min(
            limits.biller_retry_backoff_s_first * 2**failures, limits.biller_retry_backoff_s_max
        )
        uow.biller_links.mark_down(biller_code, error, now, now + timedelta(seconds=delay_s))
        uow.commit()
    log.warning("biller %s unreachable: %s", biller_code, error)


def _link_up(switch: Switch, biller_code: str) -> None:
    with switch.reader() as uow:
        link = uow.biller_links.state(biller_code)
    if link is not None and link["state"] == "up":
        return
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        if uow.biller_links.mark_up(biller_code, now):
            uow.biller_links.wake_waiting(biller_code, now)
            log.info("biller %s answers again", biller_code)
        uow.commit()


def _complete(switch: Switch, payment: Payment, result: PostingResult | None = None) -> bool:
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        receipt = receipt_number(payment.payment_id, now)
        if move_payment(
            uow,
            switch,
            payment,
            PaymentState.COMPLETED,
            None,
            f"posted to {payment.biller_code}, receipt {receipt}",
            receipt_no=receipt,
            completed_at=now,
        ):
            record_ledger(uow, switch, payment, "post")
            if payment.model is PaymentModel.CASH:
                cash_books.complete(uow, payment, now)
            uow.payments.release_bills(payment.payment_id)
            if result is not None:
                _record_acknowledgement(uow, payment, result, now)
            uow.outbox.add(
                "sms.payment_completed",
                payment.payment_id,
                sms_payload(uow, payment, receipt, now),
                now,
            )
            uow.commit()
    return True


def _record_acknowledgement(
    uow: UnitOfWork, payment: Payment, result: PostingResult, now: datetime
) -> None:
    """The biller has the payment: its receipt, and the bills' standing after it."""
    answer = {
        "bills": [list(bill) for bill in result.bills],
        "credit_minor": result.credit_minor,
    }
    uow.biller_links.acknowledge(
        payment.payment_id, payment.biller_code, result.receipt_id, answer, now
    )
    paid = {bill_id: amount for bill_id, amount, _status in result.bills}
    copies = uow.bills.get_many(list(paid))
    uow.bills.save_status(
        [
            bill.apply_payment(paid[bill.id])
            for bill in copies
            if 0 < paid[bill.id] <= bill.outstanding_minor
        ]
    )


def _step_returning(switch: Switch, payment: Payment) -> bool:
    reversing = payment.state is PaymentState.REVERSING
    instruction = ReturnInstruction(
        payment_id=payment.payment_id,
        return_id=return_id_of(payment.payment_id),
        bank_code=payment.payer_bank,
        account=payment.payer_account,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        reason="CUST" if reversing else "NARR",
        created_at=switch.clock.now(),
    )
    try:
        answer = switch.bank.return_payment(instruction)
    except BankUnreachable:
        return _reschedule(switch, payment)
    target = PaymentState.REVERSED if reversing else PaymentState.RETURNED
    if answer.status is BankStatus.ACCEPTED:
        with switch.uow_factory() as uow:
            if move_payment(
                uow,
                switch,
                payment,
                target,
                payment.reason_code,
                f"bank {payment.payer_bank} credited the payer back, "
                f"reference {answer.bank_reference}",
            ):
                uow.commit()
        return True
    if answer.status is BankStatus.NOT_FOUND and not reversing:
        with switch.uow_factory() as uow:
            if move_payment(
                uow,
                switch,
                payment,
                PaymentState.FAILED,
                payment.reason_code,
                "the bank never debited: nothing to return",
            ):
                uow.commit()
        return True
    return _reschedule(switch, payment)  # a refused return is retried and visible


def _step_cash_back(switch: Switch, payment: Payment) -> bool:
    """Cash needs no bank: a return is owed to the subscriber, a void was handed back."""
    reversing = payment.state is PaymentState.REVERSING
    with switch.uow_factory() as uow:
        if move_payment(
            uow,
            switch,
            payment,
            PaymentState.REVERSED if reversing else PaymentState.RETURNED,
            payment.reason_code,
            "the cash was handed back at the counter"
            if reversing
            else "the cash is owed back to the subscriber (switch:refunds_due)",
        ):
            if not reversing:
                cash_books.refund_all(uow, payment, switch.clock.now())
            uow.commit()
    return True


STEPS: dict[PaymentState, Callable[[Switch, Payment], bool]] = {
    PaymentState.RECEIVED: _step_received,
    PaymentState.UNKNOWN: _step_unknown,
    PaymentState.DEBITED: _step_debited,
    PaymentState.RETURNING: _step_returning,
    PaymentState.REVERSING: _step_returning,
}
# A cash payment starts `debited` (the cash is in the drawer) and never meets a bank.
CASH_STEPS: dict[PaymentState, Callable[[Switch, Payment], bool]] = {
    PaymentState.DEBITED: _step_debited,
    PaymentState.RETURNING: _step_cash_back,
    PaymentState.REVERSING: _step_cash_back,
}


def sms_payload(
    uow: UnitOfWork, payment: Payment, receipt: str | None, at: datetime
) -> dict[str, Any]:
    """What the notification worker needs to write the subscriber's SMS."""
    biller = uow.billers.get(payment.biller_code)
    assert biller is not None
    holder = uow.presentment.service(payment.biller_code, payment.customer_ref) or {}
    bills = uow.bills.get_many(list(payment.bill_ids))
    msisdn = payment.msisdn or holder.get("msisdn")
    # A number that does not normalise is kept as given: the notification
    # worker records why it cannot send to it.
    with contextlib.suppress(FawtaraError):
        msisdn = None if msisdn is None else normalise_mobile(msisdn)
    return {
        "payment_id": payment.payment_id,
        "channel": payment.channel,
        "msisdn": msisdn,
        "language": holder.get("language") or "ar",
        "biller_code": biller.code,
        "biller_name_ar": biller.name_ar,
        "biller_name_en": biller.name_en,
        "periods": sorted({bill.cycle_id for bill in bills}),
        "bill_ids": list(payment.bill_ids),
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "receipt_no": receipt,
        "completed_at": at.isoformat(),
        **(cash_books.sms_fields(uow, payment) if payment.model is PaymentModel.CASH else {}),
    }
