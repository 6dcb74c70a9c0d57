"""The SMS messages and the sms.* outbox rows, over SQLAlchemy Core.

Claims lock rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so worker
replicas never take the same row; SQLite ignores the clause and relies on its
single writer (every write transaction is BEGIN IMMEDIATE, see engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Connection, Engine, and_, bindparam, func, insert, select, update

from fawtara.kernel import limits
from fawtara.sms.domain.sms import FINAL_STATES, DeliveryReceipt, ReceiptStat
from fawtara.sms.use_cases.notifications import (
    Attempt,
    NewSms,
    OutboxItem,
    SmsState,
    SmsUnitOfWork,
    StoredSms,
)
from fawtara.storage import tables as t
from fawtara.storage.uow import SqlUnitOfWork

POSSIBLY_SENT = (
    "possibly_sent: the worker stopped between submit_sm and its response; "
    "not resent (exactly-once rule)"
)
NO_RECEIPT = "possibly_sent: no delivery receipt came; an operator decides whether to resend"
_BAD = {"undeliverable", "expired"}


def _e164(msisdn: str) -> str:
    return "+" + msisdn.lstrip("+")


class SqlSmsRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # Outbox --------------------------------------------------------------------

    def claim_outbox(self, topics: Sequence[str], now: datetime, limit: int) -> list[OutboxItem]:
        box = t.outbox.c
        rows = self.connection.execute(
            select(box.id, box.topic, box.key, box.payload)
            .where(box.topic.in_(topics), box.done_at.is_(None), box.available_at <= now)
            .order_by(box.available_at, box.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [OutboxItem(row.id, row.topic, row.key, row.payload) for row in rows]

    def finish_outbox(self, done: Sequence[tuple[int, str | None]], now: datetime) -> None:
        if not done:
            return
        box = t.outbox.c
        self.connection.execute(
            update(t.outbox)
            .where(box.id == bindparam("b_id"))
            .values(done_at=now, attempts=box.attempts + 1, last_error=bindparam("b_note")),
            [
                {
                    "b_id": outbox_id,
                    "b_note": limits.clip(note, limits.detail_length_max) if note else None,
                }
                for outbox_id, note in done
            ],
        )

    # Messages ------------------------------------------------------------------

    def add_messages(self, messages: Sequence[NewSms]) -> list[bool]:
        """Insert the messages not there yet; True for each one added."""
        if not messages:
            return []
        sms = t.sms_messages.c
        existing = {
            (row.payment_id, row.kind)
            for row in self.connection.execute(
                select(sms.payment_id, sms.kind).where(
                    sms.payment_id.in_({m.payment_id for m in messages})
                )
            )
        }
        added: list[bool] = []
        rows: list[dict[str, object]] = []
        for m in messages:
            key = (m.payment_id, m.kind)
            added.append(key not in existing)
            if key not in existing:
                existing.add(key)
                rows.append(
                    {
                        "payment_id": m.payment_id,
                        "kind": m.kind,
                        "msisdn": m.msisdn,
                        "language": m.language,
                        "text": m.text,
                        "parts": m.parts,
                        "state": m.state.value,
                        "smsc_message_ids": [],
                        "failure_reason": m.failure_reason,
                        "attempts": 0,
                        "next_attempt_at": m.created_at,
                        "created_at": m.created_at,
                        "updated_at": m.created_at,
                    }
                )
        if rows:
            self.connection.execute(insert(t.sms_messages), rows)
        return added

    def claim_queued(self, now: datetime, limit: int) -> list[StoredSms]:
        sms = t.sms_messages.c
        rows = self.connection.execute(
            select(
                sms.id,
                sms.msisdn,
                sms.text,
                sms.parts,
                sms.smsc_message_ids,
                sms.attempts,
                sms.created_at,
                sms.payment_id,
            )
            .where(sms.state == SmsState.QUEUED.value, sms.next_attempt_at <= now)
            .order_by(sms.next_attempt_at, sms.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            StoredSms(
                row.id,
                row.msisdn,
                row.text,
                row.parts,
                tuple(row.smsc_message_ids),
                row.attempts,
                row.created_at,
                row.payment_id,
            )
            for row in rows
        ]

    def mark_submitting(self, message_ids: Sequence[int], now: datetime) -> None:
        if message_ids:
            self.connection.execute(
                update(t.sms_messages)
                .where(t.sms_messages.c.id.in_(message_ids))
                .values(state=SmsState.SUBMITTING.value, updated_at=now)
            )

    def record_attempts(self, attempts: Sequence[Attempt], now: datetime) -> None:
        """Write down the outcome of each message's attempt, and each part the SMSC took."""
        if not attempts:
            return
        accepted = [
            {
                "smsc_message_id": smsc_id,
                "sms_message_id": a.message.id,
                "part_no": len(a.message.smsc_message_ids) + index,
                "accepted_at": now,
            }
            for a in attempts
            for index, smsc_id in enumerate(a.new_smsc_ids, start=1)
        ]
        if accepted:
            self.connection.execute(insert(t.sms_submissions), accepted)
        sms = t.sms_messages.c
        self.connection.execute(
            update(t.sms_messages)
            .where(sms.id == bindparam("b_id"))
            .values(
                state=bindparam("b_state"),
                smsc_message_ids=bindparam("b_ids", type_=JSON),
                failure_reason=bindparam("b_reason"),
                attempts=sms.attempts + 1,
                next_attempt_at=func.coalesce(
                    bindparam("b_next", type_=t.Timestamp), sms.next_attempt_at
                ),
                submitted_at=bindparam("b_submitted", type_=t.Timestamp),
                updated_at=now,
            ),
            [
                {
                    "b_id": a.message.id,
                    "b_state": a.state.value,
                    "b_ids": [*a.message.smsc_message_ids, *a.new_smsc_ids],
                    "b_reason": limits.clip(a.reason, limits.detail_length_max)
                    if a.reason
                    else None,
                    "b_next": a.next_attempt_at,
                    "b_submitted": now if a.state is SmsState.SUBMITTED else None,
                }
                for a in attempts
            ],
        )

    # Receipts ------------------------------------------------------------------

    def apply_receipt(self, receipt: DeliveryReceipt, now: datetime) -> bool:
        """True when the receipt belongs to a message we know (and was applied)."""
        sub = t.sms_submissions.c
        message_id = self.connection.execute(
            select(sub.sms_message_id).where(sub.smsc_message_id == receipt.smsc_message_id)
        ).scalar_one_or_none()
        if message_id is not None:
            self.connection.execute(
                update(t.sms_submissions)
                .where(sub.smsc_message_id == receipt.smsc_message_id)
                .values(stat=receipt.stat.value, receipt_at=now)
            )
            self._settle(message_id, now)
            return True
        return self._resolve_unknown(receipt, now)

    def _settle(self, message_id: int, now: datetime) -> None:
        """Derive a submitted message's state from the receipts of its parts."""
        sms, sub = t.sms_messages.c, t.sms_submissions.c
        message = self.connection.execute(
            select(sms.state, sms.parts).where(sms.id == message_id)
        ).one()
        if message.state not in (SmsState.SUBMITTED.value, SmsState.UNKNOWN.value):
            return
        stats = [
            FINAL_STATES.get(ReceiptStat(stat)) if stat else None
            for stat in self.connection.execute(
                select(sub.stat).where(sub.sms_message_id == message_id)
            ).scalars()
        ]
        bad = [state for state in stats if state in _BAD]
        if bad:
            state = "undeliverable" if "undeliverable" in bad else "expired"
        elif len(stats) >= message.parts and all(s == "delivered" for s in stats):
            state = "delivered"
        else:
            return
        self.connection.execute(
            update(t.sms_messages)
            .where(sms.id == message_id)
            .values(
                state=state,
                updated_at=now,
                delivered_at=now if state == "delivered" else None,
            )
        )

    def _resolve_unknown(self, receipt: DeliveryReceipt, now: datetime) -> bool:
        """A receipt with an id we never recorded, for a number with a message in doubt.

        It is evidence that a part of that message went out (the lost
        submit_sm_resp carried the id). The message settles like any other
        once every part has a receipt, or one says it failed; until then it
        stays `unknown`, and it is never resubmitted.
        """
        sms = t.sms_messages.c
        message_id = self.connection.execute(
            select(sms.id)
            .where(sms.msisdn == _e164(receipt.msisdn), sms.state == SmsState.UNKNOWN.value)
            .order_by(sms.updated_at, sms.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if message_id is None:
            return False
        self.connection.execute(
            insert(t.sms_submissions).values(
                smsc_message_id=receipt.smsc_message_id,
                sms_message_id=message_id,
                part_no=None,
                stat=receipt.stat.value,
                accepted_at=now,
                receipt_at=now,
            )
        )
        self._settle(message_id, now)
        return True

    # Messages whose worker died --------------------------------------------------

    def stale_submitting(self, updated_before: datetime) -> list[int]:
        sms = t.sms_messages.c
        return list(
            self.connection.execute(
                select(sms.id)
                .where(sms.state == SmsState.SUBMITTING.value, sms.updated_at < updated_before)
                .with_for_update(skip_locked=True)
            ).scalars()
        )

    def mark_unknown(self, message_ids: Sequence[int], now: datetime) -> None:
        self.connection.execute(
            update(t.sms_messages)
            .where(t.sms_messages.c.id.in_(message_ids))
            .values(state=SmsState.UNKNOWN.value, failure_reason=POSSIBLY_SENT, updated_at=now)
        )

    def give_up_unknown(self, updated_before: datetime, now: datetime) -> int:
        sms = t.sms_messages.c
        result = self.connection.execute(
            update(t.sms_messages)
            .where(and_(sms.state == SmsState.UNKNOWN.value, sms.updated_at < updated_before))
            .values(state=SmsState.FAILED.value, failure_reason=NO_RECEIPT, updated_at=now)
        )
        return result.rowcount or 0


class SqlSmsUnitOfWork(SqlUnitOfWork):
    """One transaction with the SMS repository bound to it (either system's store)."""

    STORE = "SMS outbox"
    REPOSITORIES: ClassVar[Mapping[str, Callable[[Connection], Any]]] = {"sms": SqlSmsRepository}

    sms: SqlSmsRepository


def _conforms(engine: Engine) -> SmsUnitOfWork:
    """Type-checked only: SqlSmsUnitOfWork implements the SmsUnitOfWork port."""
    return SqlSmsUnitOfWork(engine)
