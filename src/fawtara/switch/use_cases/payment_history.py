"""The whole history of a payment, for the operations console.

An operator finds payments by what a subscriber can read to them: the payment
id, the receipt number of the SMS, or the mobile number (any spelling that
normalises to a Syrian mobile). The history gathers, for one payment, every
state change, the ledger transfers with their legs, the exchanges with the
payer's bank, the biller posting (and its reversal), the SMS with the delivery
receipt of each part, and the outbox work the payment queued.

The switch does not keep the ISO 20022 XML it exchanged: each exchange ends in
a state change that records its outcome (the bank's answer, reason code and
reference). `BANK_EXCHANGES` names the messages behind each such change
(docs/BANKS.md), so the console shows them as bank exchanges.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError, UnknownPayment, ValidationError
from fawtara.kernel.references import normalise_mobile
from fawtara.sms.domain.sms import SmsKind
from fawtara.switch.domain.payments import Payment, PaymentState, transfer_ids
from fawtara.switch.use_cases.ports import UnitOfWork

RECEIPT_NO = re.compile(r"^\d{6}-[A-Z2-7]{10}$")  # domain.payments.receipt_number

# The outbox work a payment may queue at the switch, keyed by its id (a reconnection
# it causes is queued in the billing system's own outbox, not here).
PAYMENT_TOPICS = (
    f"sms.{SmsKind.PAYMENT_COMPLETED.value}",
    f"sms.{SmsKind.PAYMENT_REVERSED.value}",
)

# The ledger transfers of a payment, in the order they can happen.
PURPOSES = ("reserve", "post", "void", "reversal")

_S = PaymentState
_DEBIT = ("pain.001.001.09", "pain.002.001.10")
_INQUIRY = ("pacs.028.001.03", "pacs.002.001.10")
_RETURN = ("pacs.004.001.09", "pacs.002.001.10")
# (from, to) of a state change -> (request sent, answer read) that decided it.
BANK_EXCHANGES: dict[tuple[PaymentState, PaymentState], tuple[str, str]] = {
    (_S.RECEIVED, _S.DEBITED): _DEBIT,
    (_S.RECEIVED, _S.FAILED): _DEBIT,
    (_S.RECEIVED, _S.UNKNOWN): _DEBIT,
    (_S.UNKNOWN, _S.DEBITED): _INQUIRY,
    (_S.UNKNOWN, _S.FAILED): _INQUIRY,
    (_S.RETURNING, _S.RETURNED): _RETURN,
    (_S.RETURNING, _S.FAILED): _RETURN,
    (_S.REVERSING, _S.REVERSED): _RETURN,
}


class SearchKind(enum.Enum):
    PAYMENT_ID = "payment_id"
    RECEIPT_NO = "receipt_no"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Search:
    kind: SearchKind
    value: str


def parse_query(text: str) -> Search:
    """What the operator typed: a payment id, a receipt number or a mobile number."""
    query = text.strip()
    try:
        return Search(SearchKind.PAYMENT_ID, str(uuid.UUID(query)))
    except ValueError:
        pass
    if RECEIPT_NO.match(query.upper()):
        return Search(SearchKind.RECEIPT_NO, query.upper())
    try:
        return Search(SearchKind.PHONE, normalise_mobile(query))
    except FawtaraError:
        pass
    raise ValidationError(
        f"search by payment id, receipt number (like 261101-ABCDEFGHIJ) or Syrian mobile "
        f"number; {limits.clip(query, limits.quoted_input_length_max)!r} is none of them",
        "ابحث برقم الدفعة أو رقم الإيصال أو رقم الجوال",
    )


def spellings(e164: str) -> list[str]:
    """The ways a channel may have written a Syrian mobile number (+9639XXXXXXXX)."""
    national = e164.removeprefix("+963")
    return [e164, e164[1:], "00" + e164[1:], "0" + national, national]


def search_payments(
    uow: UnitOfWork, text: str, limit: int = limits.payment_search_results_max
) -> tuple[Search, list[Payment]]:
    """The payments matching the query, newest first, at most `limit`."""
    search = parse_query(text)
    limit = max(1, min(limit, limits.payment_search_results_max))
    with uow:
        if search.kind is SearchKind.PAYMENT_ID:
            ids = uow.history.search(payment_id=search.value, limit=limit)
        elif search.kind is SearchKind.RECEIPT_NO:
            ids = uow.history.search(receipt_no=search.value, limit=limit)
        else:
            ids = uow.history.search(msisdns=spellings(search.value), limit=limit)
        found = [uow.payments.get(payment_id) for payment_id in ids]
    return search, [payment for payment in found if payment is not None]


@dataclass(frozen=True, slots=True)
class StateChange:
    at: datetime
    from_state: str | None
    to_state: str
    reason_code: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class BankExchange:
    at: datetime
    request: str
    answer: str | None  # None: no answer came
    outcome: str
    reason_code: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class LedgerLeg:
    account_code: str
    account_name_en: str
    account_name_ar: str
    side: str  # D or C
    amount_minor: int


@dataclass(frozen=True, slots=True)
class LedgerTransfer:
    id: str
    purpose: str  # reserve, post, void or reversal
    kind: str
    pending_id: str | None
    amount_minor: int
    currency: str
    code: str
    reference: str
    created_at: datetime
    legs: tuple[LedgerLeg, ...]


@dataclass(frozen=True, slots=True)
class BillerPosting:
    biller_code: str
    amount_minor: int
    credit_minor: int
    currency: str
    posted_at: datetime
    bills: tuple[tuple[str, int], ...]
    reversed_at: datetime | None
    reversal_reason: str | None


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    smsc_message_id: str
    part_no: int | None
    stat: str | None  # None: no receipt yet
    accepted_at: datetime
    receipt_at: datetime | None


@dataclass(frozen=True, slots=True)
class SmsRecord:
    kind: str
    state: str
    msisdn: str | None
    language: str
    text: str
    parts: int
    attempts: int
    failure_reason: str | None
    created_at: datetime
    submitted_at: datetime | None
    delivered_at: datetime | None
    receipts: tuple[SmsReceipt, ...]


@dataclass(frozen=True, slots=True)
class QueuedWork:
    topic: str
    created_at: datetime
    attempts: int
    done_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    source: str  # state, bank, ledger, biller, outbox, sms
    summary: str


@dataclass(frozen=True, slots=True)
class PaymentHistory:
    payment: Payment
    states: tuple[StateChange, ...]
    bank: tuple[BankExchange, ...]
    transfers: tuple[LedgerTransfer, ...]
    posting: BillerPosting | None
    sms: tuple[SmsRecord, ...]
    outbox: tuple[QueuedWork, ...]

    @property
    def timeline(self) -> list[TimelineEntry]:
        """Everything that happened to the payment, oldest first."""
        entries = [
            TimelineEntry(s.at, "state", f"{s.from_state or '-'} → {s.to_state}")
            for s in self.states
        ]
        entries += [
            TimelineEntry(b.at, "bank", f"{b.request} → {b.answer or 'no answer'}")
            for b in self.bank
        ]
        entries += [
            TimelineEntry(tr.created_at, "ledger", f"{tr.purpose} ({tr.kind})")
            for tr in self.transfers
        ]
        if self.posting is not None:
            entries.append(TimelineEntry(self.posting.posted_at, "biller", "posted"))
            if self.posting.reversed_at is not None:
                entries.append(TimelineEntry(self.posting.reversed_at, "biller", "reversed"))
        entries += [TimelineEntry(w.created_at, "outbox", w.topic) for w in self.outbox]
        for message in self.sms:
            if message.submitted_at is not None:
                entries.append(TimelineEntry(message.submitted_at, "sms", f"{message.kind} sent"))
            entries += [
                TimelineEntry(r.receipt_at, "sms", f"{message.kind} receipt {r.stat}")
                for r in message.receipts
                if r.receipt_at is not None
            ]
        return sorted(entries, key=lambda entry: entry.at)


def payment_history(uow: UnitOfWork, payment_id: str) -> PaymentHistory:
    """Everything known of one payment; UnknownPayment when there is none."""
    with uow:
        payment = uow.payments.get(payment_id.strip().lower())
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id}")
        events = uow.payments.events(payment.payment_id)
        purposes = {id_: purpose for purpose, id_ in transfer_ids(payment.payment_id).items()}
        transfers = uow.history.transfers(list(purposes))
        posting = uow.history.posting(payment.payment_id)
        messages = uow.history.messages(payment.payment_id)
        outbox = uow.history.outbox(PAYMENT_TOPICS, payment.payment_id)
    states = tuple(_state_change(event) for event in events)
    return PaymentHistory(
        payment=payment,
        states=states,
        bank=tuple(exchange for s in states if (exchange := _bank_exchange(s)) is not None),
        transfers=tuple(
            sorted(
                (_transfer(row, purposes[row["id"]]) for row in transfers),
                key=lambda tr: (tr.created_at, PURPOSES.index(tr.purpose)),
            )
        ),
        posting=None if posting is None else _posting(posting),
        sms=tuple(_sms(row) for row in messages),
        outbox=tuple(
            QueuedWork(
                row["topic"], row["created_at"], row["attempts"], row["done_at"], row["last_error"]
            )
            for row in outbox
        ),
    )


def _state_change(event: dict[str, Any]) -> StateChange:
    return StateChange(
        event["at"], event["from_state"], event["to_state"], event["reason_code"], event["detail"]
    )


def _bank_exchange(change: StateChange) -> BankExchange | None:
    if change.from_state is None:
        return None
    messages = BANK_EXCHANGES.get((PaymentState(change.from_state), PaymentState(change.to_state)))
    if messages is None:
        return None
    no_answer = change.to_state == PaymentState.UNKNOWN.value
    return BankExchange(
        at=change.at,
        request=messages[0],
        answer=None if no_answer else messages[1],
        outcome=change.to_state,
        reason_code=change.reason_code,
        detail=change.detail,
    )


def _transfer(row: dict[str, Any], purpose: str) -> LedgerTransfer:
    return LedgerTransfer(
        id=row["id"],
        purpose=purpose,
        kind=row["kind"],
        pending_id=row["pending_id"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        code=row["code"],
        reference=row["reference"],
        created_at=row["created_at"],
        legs=tuple(
            LedgerLeg(
                leg["account_code"],
                leg["account_name_en"],
                leg["account_name_ar"],
                leg["side"],
                leg["amount_minor"],
            )
            for leg in row["legs"]
        ),
    )


def _posting(row: dict[str, Any]) -> BillerPosting:
    return BillerPosting(
        biller_code=row["biller_code"],
        amount_minor=row["amount_minor"],
        credit_minor=row["credit_minor"],
        currency=row["currency"],
        posted_at=row["posted_at"],
        bills=tuple((bill_id, amount) for bill_id, amount in row["bills"]),
        reversed_at=row["reversed_at"],
        reversal_reason=row["reversal_reason"],
    )


def _sms(row: dict[str, Any]) -> SmsRecord:
    return SmsRecord(
        kind=row["kind"],
        state=row["state"],
        msisdn=row["msisdn"],
        language=row["language"],
        text=row["text"],
        parts=row["parts"],
        attempts=row["attempts"],
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        delivered_at=row["delivered_at"],
        receipts=tuple(
            SmsReceipt(
                r["smsc_message_id"], r["part_no"], r["stat"], r["accepted_at"], r["receipt_at"]
            )
            for r in row["receipts"]
        ),
    )
