"""The switch's use cases: present bills, take a payment, tell its status, reverse it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fawtara.counters.domain.cash import split_cash
from fawtara.counters.use_cases import cash_books
from fawtara.counters.use_cases.cash_books import CashTerms
from fawtara.kernel import limits
from fawtara.kernel.billers import Biller
from fawtara.kernel.bills import Bill, plan_payment
from fawtara.kernel.errors import (
    BillerUnavailable,
    BillPaymentInProgress,
    ChannelNotAccepted,
    ChannelNotAllowed,
    CurrencyMismatch,
    FawtaraError,
    InvalidCustomerReference,
    NotAllowed,
    PayerBankMismatch,
    PaymentIdReused,
    PaymentNotReversible,
    ReversalNotAllowed,
    UnknownBank,
    UnknownBill,
    UnknownBiller,
    UnknownPayment,
    UnknownService,
)
from fawtara.kernel.presentment import copy_is_fresh
from fawtara.kernel.references import compact_reference, normalise_reference
from fawtara.switch.domain.accounts import bank_settlement, biller_payable
from fawtara.switch.domain.ledger import Transfer, TransferKind
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import (
    Payment,
    PaymentModel,
    PaymentRequest,
    PaymentState,
    transfer_ids,
)
from fawtara.switch.use_cases import ledger
from fawtara.switch.use_cases.payment_steps import (
    Switch,
    drive,
    move_payment,
    record_ledger,
    sms_payload,
)
from fawtara.switch.use_cases.ports import BillerUnreachable, UnitOfWork

WAIT_POLL_S = 0.05
BILLS_PRESENTED_MAX = 12


@dataclass(frozen=True)
class Presentment:
    biller_code: str
    customer_ref: str
    customer_name_ar: str
    customer_name_en: str
    bills: list[Bill]


def fetch_bills(switch: Switch, biller_code: str, customer_ref: str) -> Presentment:
    """A subscriber's recent bills at a biller, newest first (a Biller API inquiry).

    The switch keeps the answer as its copy; when the biller does not answer,
    a copy younger than `limits.presented_copy_age_s_max` is shown instead,
    else BILLER_UNAVAILABLE.
    """
    with switch.reader() as uow:
        biller = uow.billers.get(biller_code)
    if biller is None:
        raise UnknownBiller(f"unknown biller {biller_code!r}")
    errors: list[FawtaraError] = []
    for kind in biller.service_kinds:
        try:
            reference = normalise_reference(kind, customer_ref)
        except FawtaraError as error:
            errors.append(error)
            continue
        found = refresh_copy(switch, biller, reference, limits.presented_copy_age_s_max)
        if found is not None:
            return found
    if len(errors) == len(biller.service_kinds):
        raise errors[-1]
    raise UnknownService(
        f"no service {customer_ref!r} at {biller.code}",
        f"لا توجد خدمة بالرقم {customer_ref} لدى {biller.name_ar}",
    )


def refresh_copy(
    switch: Switch, biller: Biller, reference: str, age_s_max: int
) -> Presentment | None:
    """Ask the biller for the customer's bills and keep them; None if it has no such service.

    When the biller does not answer, the copy stands in while younger than `age_s_max`.
    An upload-mode biller is never asked: its uploaded bills are the copy, whatever its age.
    """
    if biller.code in switch.upload_billers:
        uploaded = _copy(switch, biller.code, reference)
        return None if uploaded is None else uploaded[0]
    now = switch.clock.now()
    try:
        customer = switch.biller.inquire(biller.code, reference)
    except UnknownService:
        return None
    except BillerUnreachable as error:
        copy = _copy(switch, biller.code, reference)
        if copy is not None and copy_is_fresh(copy[1], now, age_s_max):
            return copy[0]
        raise BillerUnavailable(
            f"{biller.code} does not answer and the switch has no recent copy: {error}",
            f"تعذر الوصول إلى {biller.name_ar}؛ حاول بعد قليل",
        ) from error
    with switch.uow_factory() as uow:
        uow.presentment.store(replace(customer, biller_code=biller.code), "inquiry", now)
        uow.commit()
    found = _copy(switch, biller.code, customer.reference)
    assert found is not None, "the copy was just stored"
    return found[0]


def _copy(switch: Switch, biller_code: str, reference: str) -> tuple[Presentment, datetime] | None:
    with switch.reader() as uow:
        service = uow.presentment.service(biller_code, reference)
        if service is None:
            return None
        bills = sorted(uow.bills.for_service(service["id"]), key=lambda b: b.due_on, reverse=True)
    presentment = Presentment(
        biller_code, reference, service["name_ar"], service["name_en"], bills[:BILLS_PRESENTED_MAX]
    )
    return presentment, service["refreshed_at"]


def _ensure_copy(switch: Switch, request: PaymentRequest) -> None:
    """Before a payment is checked: the copy holds its bills and is recent, when the biller
    answers (a payment is still taken on the copy while an online biller is down)."""
    reference = compact_reference(request.customer_ref)
    with switch.reader() as uow:
        biller = uow.billers.get(request.biller_code)
        service = uow.presentment.service(request.biller_code, reference)
        known = {bill.id for bill in uow.bills.get_many(list(request.bill_ids))}
    if biller is None:
        return  # _receive names the error
    recent = service is not None and copy_is_fresh(
        service["refreshed_at"], switch.clock.now(), limits.presented_copy_refresh_s
    )
    if recent and known >= set(request.bill_ids):
        return
    try:
        refresh_copy(switch, biller, reference, limits.presented_copy_age_s_max)
    except InvalidCustomerReference:
        return  # no such service at the biller: _receive names it UNKNOWN_SERVICE
    except BillerUnavailable:
        if service is None or not known >= set(request.bill_ids):
            raise


def submit_payment(
    switch: Switch,
    participant: Participant,
    request: PaymentRequest,
    wait_s: float = limits.payment_wait_s_default,
    cash: CashTerms | None = None,
) -> Payment:
    """Take a payment: receive it, drive it, and wait (bounded) for a final state.

    A cash payment (channel `counter`) comes with the drawer's side, `cash`
    (counters/use_cases/cash_payments.py is its use case).
    """
    _check_participant(participant, request)
    if (request.model is PaymentModel.CASH) != (cash is not None):
        raise NotAllowed("cash payments are taken through the counter journal")
    _ensure_copy(switch, request)
    created = _receive(switch, participant, request, cash)
    if created:
        drive(switch, request.payment_id)
    return wait_for_final(switch, participant, request.payment_id, wait_s)


def _check_participant(participant: Participant, request: PaymentRequest) -> None:
    if request.channel not in participant.channels:
        raise ChannelNotAllowed(f"{participant.code} may not use the {request.channel} channel")
    if participant.kind is ParticipantKind.BANK and request.payer_bank != participant.code:
        raise PayerBankMismatch(
            f"{participant.code} cannot debit an account at {request.payer_bank}"
        )
    if request.bank_reference is not None and participant.kind is not ParticipantKind.BANK:
        raise NotAllowed("only the payer's bank sends a bank_reference")
    if request.model is PaymentModel.CASH and request.payer_bank != participant.code:
        raise PayerBankMismatch(f"{participant.code} takes cash only into its own drawer")


def _receive(
    switch: Switch, participant: Participant, request: PaymentRequest, cash: CashTerms | None
) -> bool:
    """Validate and store the payment with its ledger reservation; False if it existed."""
    with switch.uow_factory() as uow:
        existing = uow.payments.get(request.payment_id)
        if existing is not None:
            _same_request(existing, participant, request)
            return False
        biller = uow.billers.get(request.biller_code)
        if biller is None:
            raise UnknownBiller(f"unknown biller {request.biller_code!r}")
        if request.channel not in biller.channels:
            raise ChannelNotAccepted(f"{biller.code} does not take payments by {request.channel}")
        if request.currency != biller.currency:
            raise CurrencyMismatch(f"{biller.code} bills in {biller.currency}")
        reference = compact_reference(request.customer_ref)
        service = uow.presentment.service(biller.code, reference)
        if service is None:
            raise UnknownService(f"no service {request.customer_ref!r} at {biller.code}")
        bank = uow.participants.get(request.payer_bank)
        if cash is None and (bank is None or bank[0].kind is not ParticipantKind.BANK):
            raise UnknownBank(f"{request.payer_bank!r} is not a bank of the network")
        bills = uow.bills.get_many(list(request.bill_ids), for_update=True)
        existing = uow.payments.get(request.payment_id)
        if existing is not None:  # a concurrent duplicate stored it while we waited
            _same_request(existing, participant, request)
            return False
        if len(bills) != len(request.bill_ids) or any(b.service_id != service["id"] for b in bills):
            raise UnknownBill(
                f"the bills {', '.join(request.bill_ids)} are not all bills of "
                f"{request.customer_ref} at {biller.code}"
            )
        # Cash is in the drawer already: bills paid meanwhile make a surplus, not a refusal.
        split = None if cash is None else split_cash(biller, bills, request.amount_minor)
        if split is None:
            plan_payment(biller, bills, request.amount_minor)
        now = switch.clock.now()
        state = (
            PaymentState.RECEIVED if request.model is PaymentModel.PULL else PaymentState.DEBITED
        )
        if not uow.payments.add(
            payment_row(request, participant, reference, state, now, switch.lease_until())
        ):
            uow.rollback()
            return _receive_duplicate(switch, participant, request)
        taken = request.bill_ids if split is None else split.bill_ids
        if not uow.payments.reserve_bills(request.payment_id, taken, now):
            raise BillPaymentInProgress("another payment of these bills is in progress")
        _reserve_in_ledger(uow, request, reference, now)
        if cash is not None and split is not None:
            cash_books.receive(uow, request, cash, split, now)
        uow.payments.add_event(
            request.payment_id,
            None,
            state,
            None,
            f"{request.model.value} payment from {participant.code} by {request.channel}",
            now,
        )
        uow.commit()
        return True


def _receive_duplicate(switch: Switch, participant: Participant, request: PaymentRequest) -> bool:
    with switch.uow_factory() as uow:
        existing = uow.payments.get(request.payment_id)
    assert existing is not None, "a conflicting insert means the row exists"
    _same_request(existing, participant, request)
    return False


def _same_request(existing: Payment, participant: Participant, request: PaymentRequest) -> None:
    if existing.initiator != participant.code or existing.request_hash != request.request_hash():
        raise PaymentIdReused(f"payment id {request.payment_id} was used for another request")


def payment_row(
    request: PaymentRequest,
    participant: Participant,
    reference: str,
    state: PaymentState,
    now: datetime,
    lease: datetime,
) -> dict[str, object]:
    return {
        "payment_id": request.payment_id,
        "request_hash": request.request_hash(),
        "initiator": participant.code,
        "channel": request.channel,
        "model": request.model.value,
        "biller_code": request.biller_code,
        "customer_ref": reference,
        "bill_ids": list(request.bill_ids),
        "amount_minor": request.amount_minor,
        "currency": request.currency,
        "payer_bank": request.payer_bank,
        "payer_account": request.payer_account,
        "msisdn": request.msisdn,
        "bank_reference": request.bank_reference,
        "state": state.value,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
        "next_attempt_at": lease,
    }


def _reserve_in_ledger(
    uow: UnitOfWork, request: PaymentRequest, reference: str, now: datetime
) -> None:
    debit = (
        cash_books.drawer(uow, request.payer_bank, now)
        if request.model is PaymentModel.CASH
        else uow.ledger.account_by_code(bank_settlement(request.payer_bank).code)
    )
    credit = uow.ledger.account_by_code(biller_payable(request.biller_code).code)
    assert debit is not None and credit is not None, "participants open their accounts"
    ledger.record(
        uow,
        Transfer(
            id=transfer_ids(request.payment_id)["reserve"],
            kind=TransferKind.PENDING,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount_minor=request.amount_minor,
            currency=request.currency,
            code="bill_payment",
            reference=limits.clip(
                f"{request.biller_code} {reference}", limits.transfer_reference_length_max
            ),
            created_at=now,
        ),
    )


def wait_for_final(
    switch: Switch, participant: Participant, payment_id: str, wait_s: float
) -> Payment:
    """The payment once final, or as it stands when `wait_s` runs out."""
    wait_s = min(max(wait_s, 0.0), float(limits.payment_wait_s_max))
    deadline = switch.clock.now().timestamp() + wait_s
    while True:
        payment = get_payment(switch.reader(), participant, payment_id)
        if payment.is_final or switch.clock.now().timestamp() >= deadline:
            return payment
        if payment.state is PaymentState.DEBITED and payment.biller_code in switch.upload_billers:
            return payment  # it waits for its payments file, minutes away: no use waiting
        switch.sleep(WAIT_POLL_S)


def get_payment(uow: UnitOfWork, participant: Participant, payment_id: str) -> Payment:
    with uow:
        payment = uow.payments.get(payment_id.lower())
    if payment is None or not participant.may_see(payment.initiator):
        raise UnknownPayment(f"no payment {payment_id} for {participant.code}")
    return payment


def reverse_payment(
    switch: Switch, participant: Participant, payment_id: str, reason: str
) -> Payment:
    """Give a completed payment back: reopen the bills, reverse the ledger, return the money."""
    payment = get_payment(switch.uow_factory(), participant, payment_id)
    if not participant.can_reverse:
        raise ReversalNotAllowed(f"{participant.code} may not reverse payments")
    return reverse_completed(switch, payment, participant.code, reason, switch.clock.now())


def reverse_completed(
    switch: Switch, payment: Payment, by: str, reason: str, at: datetime
) -> Payment:
    """The reversal itself, once the caller may reverse: a retry finds it under way."""
    if payment.state in (PaymentState.REVERSING, PaymentState.REVERSED):
        return payment
    if payment.state is not PaymentState.COMPLETED:
        raise PaymentNotReversible(
            f"payment {payment.payment_id} is {payment.state.value}, not completed"
        )
    if payment.biller_code in switch.upload_billers:
        # The Biller API v1 has no reversal for an upload-mode biller (its files carry
        # payments only): reversing here would leave its books paid behind its back.
        raise PaymentNotReversible(
            f"{payment.biller_code} is in upload mode: a reversal is agreed with the biller"
        )
    switch.biller.reverse(payment.biller_code, payment.payment_id, reason)
    with switch.uow_factory() as uow:
        now = switch.clock.now()
        if move_payment(
            uow,
            switch,
            payment,
            PaymentState.REVERSING,
            "REVERSED_BY_REQUEST",
            f"reversal by {by}: {reason}"[:400],
            next_attempt_at=now,
        ):
            record_ledger(uow, switch, payment, "reversal")
            _reopen_copy(uow, payment.payment_id)
            uow.biller_links.record_reversal(payment.payment_id, reason, now)
            if payment.model is PaymentModel.CASH:
                cash_books.reverse(uow, payment, by, reason, at, now)
            uow.outbox.add(
                "sms.payment_reversed",
                payment.payment_id,
                sms_payload(uow, payment, payment.receipt_no, now),
                now,
            )
            uow.commit()
    return drive(switch, payment.payment_id)


@dataclass(frozen=True)
class BillLine:
    bill_id: str
    amount_minor: int | None
    status: str


def acknowledged_allocations(uow: UnitOfWork, payment_id: str) -> dict[str, int]:
    """What the biller's answer to the notice put on each bill (empty before it answered)."""
    acknowledgement = uow.biller_links.acknowledgement(payment_id)
    if acknowledgement is None:
        return {}
    return {str(bill_id): int(amount) for bill_id, amount, _ in acknowledgement["answer"]["bills"]}


def _reopen_copy(uow: UnitOfWork, payment_id: str) -> None:
    """The biller reopened the bills of a reversed payment: so does the switch's copy."""
    allocations = acknowledged_allocations(uow, payment_id)
    bills = uow.bills.get_many(list(allocations), for_update=True)
    uow.bills.save_status(
        [
            bill.reverse_payment(allocations[bill.id])
            for bill in bills
            if 0 < allocations[bill.id] <= bill.paid_minor
        ]
    )


def payment_bills(uow: UnitOfWork, payment: Payment) -> list[BillLine]:
    """The chosen bills with what this payment put on each and their status now."""
    with uow:
        allocations = acknowledged_allocations(uow, payment.payment_id)
        bills = {bill.id: bill for bill in uow.bills.get_many(list(payment.bill_ids))}
    return [
        BillLine(
            bill_id,
            allocations.get(bill_id),
            bills[bill_id].status.value if bill_id in bills else "unknown",
        )
        for bill_id in payment.bill_ids
    ]


def payment_messages(uow: UnitOfWork, payment: Payment) -> list[dict[str, Any]]:
    """The SMS that the payment triggered (confirmation, reversal) and their state."""
    with uow:
        return list(uow.presentment.messages_of(payment.payment_id))
