"""Read-only counts for the operations figures (docs/OPERATIONS.md).

Every query reads a bounded slice through an index, because /metrics runs
them at every scrape:

* payments final in the window: `ix_payments_state_next_attempt_at`. A move
  into a final state sets `next_attempt_at` to the move's time plus the lease
  (switch/use_cases/payment_steps.move_payment), never earlier than
  `updated_at`, so `state IN finals AND next_attempt_at >= since` is an index
  range that holds every payment final since `since`, and `updated_at >=
  since` then selects them exactly;
* payments unknown now: the same index, on its `state` prefix (they are
  resolved within a minute, so they are few);
* outbox depth: `ix_outbox_pending` (`done_at IS NULL`);
* biller links: `biller_links` (one row per online biller), and their waiting
  notices through the `state` prefix of `ix_payments_state_next_attempt_at`
  (payments wait in `debited` only while their biller has not answered);
* SMS queue depth: `ix_sms_messages_due` (`state IN (queued, submitting)`);
* SMS receipts: the newest `sample` messages by primary key, then those whose
  final receipt came in the window (settling a message does not move an
  indexed column, so the sample is the bound).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select

from fawtara.storage import tables as t
from fawtara.switch.domain.payments import FINAL_STATES, PaymentState

FINAL_PAYMENT_STATES = sorted(state.value for state in FINAL_STATES)
SMS_FINAL_RECEIPTS = ("delivered", "undeliverable", "expired")
SMS_NOT_SUBMITTED = ("queued", "submitting")


class SqlMonitoringRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _final_since(self, since: datetime) -> ColumnElement[bool]:
        p = t.payments.c
        return and_(
            p.state.in_(FINAL_PAYMENT_STATES),
            p.next_attempt_at >= since,
            p.updated_at >= since,
        )

    def final_payments(self, since: datetime) -> list[tuple[str, str, str | None, int]]:
        p = t.payments.c
        query = (
            select(p.channel, p.state, p.reason_code, func.count())
            .where(self._final_since(since))
            .group_by(p.channel, p.state, p.reason_code)
        )
        return [
            (str(channel), str(state), reason, int(count))
            for channel, state, reason, count in self.connection.execute(query)
        ]

    def final_durations(self, since: datetime, limit: int) -> list[tuple[datetime, datetime]]:
        p = t.payments.c
        query = (
            select(p.created_at, p.updated_at)
            .where(self._final_since(since))
            .order_by(p.updated_at.desc())
            .limit(limit)
        )
        return [(created, final) for created, final in self.connection.execute(query)]

    def unknown_payments(self) -> tuple[int, datetime | None]:
        p = t.payments.c
        count, oldest = self.connection.execute(
            select(func.count(), func.min(p.unknown_since)).where(
                p.state == PaymentState.UNKNOWN.value
            )
        ).one()
        return int(count), oldest

    def outbox_depth(self) -> dict[str, int]:
        box = t.outbox.c
        query = select(box.topic, func.count()).where(box.done_at.is_(None)).group_by(box.topic)
        return {str(topic): int(count) for topic, count in self.connection.execute(query)}

    def sms_queue_depth(self) -> int:
        sms = t.sms_messages.c
        query = select(func.count()).where(sms.state.in_(SMS_NOT_SUBMITTED))
        return int(self.connection.execute(query).scalar_one())

    def sms_receipts(self, since: datetime, sample: int) -> dict[str, int]:
        sms = t.sms_messages.c
        newest = select(sms.state, sms.updated_at).order_by(sms.id.desc()).limit(sample).subquery()
        query = (
            select(newest.c.state, func.count())
            .where(newest.c.state.in_(SMS_FINAL_RECEIPTS), newest.c.updated_at >= since)
            .group_by(newest.c.state)
        )
        return {str(state): int(count) for state, count in self.connection.execute(query)}

    def biller_links(self) -> list[dict[str, Any]]:
        """Each biller link's state, with the acceptance time of its oldest waiting notice."""
        link, p = t.biller_links.c, t.payments.c
        oldest = (
            select(p.biller_code, func.min(p.created_at).label("oldest_waiting_at"))
            .where(p.state == PaymentState.DEBITED.value)
            .group_by(p.biller_code)
            .subquery()
        )
        query = (
            select(
                link.biller_code,
                link.state,
                link.failures,
                link.since,
                link.last_error,
                oldest.c.oldest_waiting_at,
            )
            .outerjoin_from(t.biller_links, oldest, oldest.c.biller_code == link.biller_code)
            .order_by(link.biller_code)
        )
        return [dict(row) for row in self.connection.execute(query).mappings()]
