"""The notification worker's use case: one SMS per completed or reversed payment.

Three stages, each its own transaction, so that a kill -9 anywhere loses
nothing and sends nothing twice:

1. Intake. Due outbox rows of the sms.* topics are claimed (PostgreSQL:
   FOR UPDATE SKIP LOCKED; SQLite: the single writer), each becomes one
   sms_messages row, and the outbox row is done, in one commit. The row is
   unique per (payment_id, kind): a replayed outbox row adds nothing. A
   missing, landline or invalid number, a malformed payload or a text UCS-2
   cannot carry makes the row `failed` with its reason, never retried.
2. Sending. Due `queued` rows are claimed and set `submitting` (commit); their
   parts are submitted; each row is then set `submitted` with the SMSC's
   message ids, or back to `queued` with a backoff for a transient refusal
   (throttled, SMSC unreachable) until the deadline, or `failed` (commit).
   Parts the SMSC accepted are recorded, and a retry sends only the others,
   with the same UDH reference.
3. Receipts. Delivery receipts set `delivered`, `undeliverable` or `expired`.

The exactly-once rule. A row found in `submitting` after its worker died
(older than the lease) may have reached the SMSC: the worker may have got the
submit_sm_resp and died before writing it down, and SMPP 3.4 offers no way to
ask (query_sm needs the message id that only the lost response carried). Such
a row is never submitted again. It becomes `unknown`; a delivery receipt from
the subscriber's number with an SMSC id we do not know resolves it (delivered,
undeliverable, expired); without one within `sms_unknown_resolution_s` it
becomes `failed` with reason `possibly_sent`, for an operator to decide. A
duplicate confirmation of a payment is the failure this rule refuses; a missing
one is visible and can be re-sent by hand.

        outbox ─▶ queued ─▶ submitting ─▶ submitted ─▶ delivered
                   ▲  │         │  │          │   └──▶ undeliverable / expired
          throttled│  │         │  └─crash──▶ unknown ─receipt─▶ delivered / …
          no SMSC  └──┘         │               └──no receipt──▶ failed (possibly_sent)
                      └─────────┴─▶ failed (bad number, rejected, deadline)
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.kernel.errors import InvalidPhoneNumber, LimitExceeded
from fawtara.kernel.log_context import payment_context
from fawtara.kernel.ports import Clock
from fawtara.sms.domain.sms import (
    TOPICS,
    DeliveryReceipt,
    InvalidNotice,
    SmsTextNotEncodable,
    notice_from_payload,
    part_count,
    recipient,
    render,
    split_into_parts,
)

log = logging.getLogger("fawtara.sms.worker")


class SmsState(enum.StrEnum):
    QUEUED = "queued"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    FAILED = "failed"


# Ports ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    topic: str
    key: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NewSms:
    payment_id: str
    kind: str
    msisdn: str | None
    language: str
    text: str
    parts: int
    state: SmsState
    failure_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredSms:
    id: int
    msisdn: str
    text: str
    parts: int
    smsc_message_ids: tuple[str, ...]
    attempts: int
    created_at: datetime
    payment_id: str  # the payment it tells about: every log line about it carries the id


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    message_id: int
    msisdn: str
    parts: tuple[bytes, ...]  # every part of the message
    first_part: int  # parts before this one were accepted on an earlier attempt


class SubmitStatus(enum.StrEnum):
    SENT = "sent"  # every part accepted
    RETRY = "retry"  # refused for now (throttled, no session): nothing unanswered left
    REJECTED = "rejected"  # refused for good (invalid destination, submit failed)


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    message_id: int
    status: SubmitStatus
    accepted_ids: tuple[str, ...]  # SMSC ids of the parts accepted in this attempt
    reason: str = ""


class SmsGatewayMisconfigured(Exception):
    """The SMSC refused our login: stop and tell an operator; nothing is lost."""


class SmsGateway(Protocol):
    def submit(self, messages: Sequence[OutgoingSms]) -> list[SubmitOutcome]:
        """Submit every part from first_part on; an outcome per message, in order."""
        ...

    def take_receipts(self) -> list[DeliveryReceipt]:
        """The delivery receipts read since the last call."""
        ...

    @property
    def login_error(self) -> str | None:
        """Set once the SMSC refused the bind for bad credentials."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one submission attempt of a message leads to (decided by `decide`)."""

    message: StoredSms
    new_smsc_ids: tuple[str, ...]
    state: SmsState
    reason: str | None
    next_attempt_at: datetime | None  # None: unchanged


class SmsRepository(Protocol):
    def claim_outbox(
        self, topics: Sequence[str], now: datetime, limit: int
    ) -> list[OutboxItem]: ...
    def finish_outbox(self, done: Sequence[tuple[int, str | None]], now: datetime) -> None: ...
    def add_messages(self, messages: Sequence[NewSms]) -> list[bool]: ...
    def claim_queued(self, now: datetime, limit: int) -> list[StoredSms]: ...
    def mark_submitting(self, message_ids: Sequence[int], now: datetime) -> None: ...
    def record_attempts(self, attempts: Sequence[Attempt], now: datetime) -> None: ...
    def stale_submitting(self, updated_before: datetime) -> list[int]: ...
    def mark_unknown(self, message_ids: Sequence[int], now: datetime) -> None: ...
    def apply_receipt(self, receipt: DeliveryReceipt, now: datetime) -> bool: ...
    def give_up_unknown(self, updated_before: datetime, now: datetime) -> int: ...


class SmsUnitOfWork(Protocol):
    @property
    def sms(self) -> SmsRepository: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


SmsUnitOfWorkFactory = Callable[[], SmsUnitOfWork]


@dataclass(frozen=True, slots=True)
class WorkerPolicy:
    batch_rows: int = limits.sms_batch_rows
    backoff_ms_min: int = limits.sms_retry_backoff_ms_min
    backoff_ms_max: int = limits.sms_retry_backoff_ms_max
    deadline_s: int = limits.sms_retry_deadline_s
    submitting_lease_s: float = limits.sms_submitting_lease_s
    unknown_resolution_s: int = limits.sms_unknown_resolution_s
    # A receipt may arrive before its submit is written down (another replica,
    # or a fast SMSC): it is tried again for this long before being dropped.
    receipt_match_grace_s: float = 30.0


def backoff(attempts: int, policy: WorkerPolicy) -> timedelta:
    """Exponential: min, 2·min, 4·min … capped at max."""
    delay_s = backoff_s(attempts, policy.backoff_ms_min / 1000, policy.backoff_ms_max / 1000)
    return timedelta(seconds=delay_s)


# Stage 1: intake --------------------------------------------------------------


def prepare(item: OutboxItem, now: datetime) -> NewSms:
    """The sms_messages row an outbox row becomes: queued, or failed with its reason."""
    kind = TOPICS[item.topic]

    def failed(reason: str, text: str = "", language: str = "ar") -> NewSms:
        msisdn = item.payload.get("msisdn")
        return NewSms(
            item.key,
            kind.value,
            msisdn if isinstance(msisdn, str) else None,
            language,
            text,
            0,
            SmsState.FAILED,
            limits.clip(reason, limits.detail_length_max),
            now,
        )

    try:
        notice = notice_from_payload(kind, item.payload)
    except InvalidNotice as error:
        return failed(f"{error.code}: {error}")
    text = render(notice)
    try:
        split_into_parts(text, 0)
        msisdn = recipient(notice.msisdn)
    except (SmsTextNotEncodable, LimitExceeded) as error:
        code = getattr(error, "code", "SMS_TEXT")
        return failed(f"{code}: {error}", text, notice.language)
    except InvalidPhoneNumber as error:
        return failed(error.message, text, notice.language)
    return NewSms(
        notice.payment_id,
        kind.value,
        msisdn,
        notice.language,
        text,
        part_count(text),
        SmsState.QUEUED,
        None,
        now,
    )


def take_in(uow_factory: SmsUnitOfWorkFactory, clock: Clock, policy: WorkerPolicy) -> int:
    """Turn due sms.* outbox rows into sms_messages rows; returns how many were taken."""
    now = clock.now()
    with uow_factory() as uow:
        items = uow.sms.claim_outbox(sorted(TOPICS), now, policy.batch_rows)
        messages = [prepare(item, now) for item in items]
        added = uow.sms.add_messages(messages)
        done: list[tuple[int, str | None]] = []
        for item, message, is_new in zip(items, messages, added, strict=True):
            note = None if is_new else "duplicate: an SMS for this payment exists"
            if message.state is SmsState.FAILED:
                with payment_context(item.key):
                    log.warning("no SMS for payment %s: %s", item.key, message.failure_reason)
                note = message.failure_reason
            done.append((item.id, note))
        uow.sms.finish_outbox(done, now)
        uow.commit()
    return len(items)


# Stage 2: sending -------------------------------------------------------------


def send_due(
    uow_factory: SmsUnitOfWorkFactory, gateway: SmsGateway, clock: Clock, policy: WorkerPolicy
) -> int:
    """Submit one batch of due messages; returns how many were tried."""
    with uow_factory() as uow:
        due = uow.sms.claim_queued(clock.now(), policy.batch_rows)
        uow.sms.mark_submitting([m.id for m in due], clock.now())
        uow.commit()
    if not due:
        return 0
    outgoing = [
        OutgoingSms(m.id, m.msisdn, split_into_parts(m.text, m.id % 256), len(m.smsc_message_ids))
        for m in due
    ]
    outcomes = gateway.submit(outgoing)
    assert [o.message_id for o in outcomes] == [m.id for m in due], "one outcome per message"
    now = clock.now()
    with uow_factory() as uow:
        uow.sms.record_attempts(
            [decide(m, o, now, policy) for m, o in zip(due, outcomes, strict=True)], now
        )
        uow.commit()
    if gateway.login_error:
        raise SmsGatewayMisconfigured(gateway.login_error)
    return len(due)


def decide(
    message: StoredSms, outcome: SubmitOutcome, now: datetime, policy: WorkerPolicy
) -> Attempt:
    """Submitted, failed for good, or queued again with a backoff until the deadline."""
    accepted = outcome.accepted_ids
    if outcome.status is SubmitStatus.SENT:
        return Attempt(message, accepted, SmsState.SUBMITTED, None, None)
    if outcome.status is SubmitStatus.REJECTED:
        with payment_context(message.payment_id):
            log.warning("SMS %s rejected: %s", message.id, outcome.reason)
        return Attempt(message, accepted, SmsState.FAILED, outcome.reason, None)
    if now >= message.created_at + timedelta(seconds=policy.deadline_s):
        reason = f"deadline_exceeded: {outcome.reason}"
        return Attempt(message, accepted, SmsState.FAILED, reason, None)
    retry_at = now + backoff(message.attempts + 1, policy)
    return Attempt(message, accepted, SmsState.QUEUED, outcome.reason, retry_at)


# Stage 3: receipts, and messages whose worker died ----------------------------


@dataclass
class ReceiptBacklog:
    """Receipts not matched yet, with when they were first seen."""

    waiting: list[tuple[DeliveryReceipt, datetime]] = field(default_factory=list)


def store_receipts(
    uow_factory: SmsUnitOfWorkFactory,
    gateway: SmsGateway,
    clock: Clock,
    backlog: ReceiptBacklog,
    policy: WorkerPolicy,
) -> int:
    """Apply the receipts read so far; returns how many changed a message."""
    now = clock.now()
    batch = backlog.waiting + [(receipt, now) for receipt in gateway.take_receipts()]
    if not batch:
        return 0
    applied, waiting = 0, []
    with uow_factory() as uow:
        for receipt, seen_at in batch:
            if uow.sms.apply_receipt(receipt, now):
                applied += 1
            elif now - seen_at < timedelta(seconds=policy.receipt_match_grace_s):
                waiting.append((receipt, seen_at))
            else:
                log.info("dropped a receipt for unknown SMSC id %s", receipt.smsc_message_id)
        uow.commit()
    backlog.waiting = waiting[: limits.smpp_receipts_buffered_max]
    return applied


def recover_interrupted(
    uow_factory: SmsUnitOfWorkFactory, clock: Clock, policy: WorkerPolicy
) -> int:
    """Rows left in `submitting` by a dead worker become `unknown`: never resubmitted."""
    now = clock.now()
    with uow_factory() as uow:
        stale = uow.sms.stale_submitting(now - timedelta(seconds=policy.submitting_lease_s))
        if stale:
            log.warning("SMS %s possibly sent by a worker that died: not resent", stale)
            uow.sms.mark_unknown(stale, now)
        given_up = uow.sms.give_up_unknown(
            now - timedelta(seconds=policy.unknown_resolution_s), now
        )
        uow.commit()
    return len(stale) + given_up


@dataclass(frozen=True, slots=True)
class Round:
    taken_in: int
    sent: int
    receipts: int
    recovered: int

    @property
    def idle(self) -> bool:
        return not (self.taken_in or self.sent or self.receipts or self.recovered)


def work_once(
    uow_factory: SmsUnitOfWorkFactory,
    gateway: SmsGateway,
    clock: Clock,
    policy: WorkerPolicy,
    backlog: ReceiptBacklog,
) -> Round:
    """One round of every stage; the worker loop repeats it."""
    recovered = recover_interrupted(uow_factory, clock, policy)
    taken_in = take_in(uow_factory, clock, policy)
    sent = send_due(uow_factory, gateway, clock, policy)
    receipts = store_receipts(uow_factory, gateway, clock, backlog, policy)
    return Round(taken_in, sent, receipts, recovered)
