"""The switch's side of each biller link: its state, and the billers' acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from fawtara.kernel import limits
from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict
from fawtara.switch.domain.payments import PaymentState

# Payments whose notice the biller has not acknowledged yet, in acceptance order.
WAITING = (PaymentState.RECEIVED, PaymentState.DEBITED, PaymentState.UNKNOWN)
# Payments given back to the payer before the biller had them.
NOT_THE_BILLERS = (PaymentState.FAILED, PaymentState.RETURNING, PaymentState.RETURNED)


class SqlBillerLinkRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def state(self, biller_code: str) -> dict[str, Any] | None:
        row = (
            self.connection.execute(
                select(t.biller_links).where(t.biller_links.c.biller_code == biller_code)
            )
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    def states(self) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            select(t.biller_links).order_by(t.biller_links.c.biller_code)
        )
        return [dict(row) for row in rows.mappings()]

    def mark_down(
        self, biller_code: str, error: str, now: datetime, next_attempt_at: datetime
    ) -> int:
        """Record a failed call; returns the failures in a row."""
        link = t.biller_links.c
        found = self.state(biller_code)
        failures = 1 if found is None or found["state"] == "up" else int(found["failures"]) + 1
        values = {
            "state": "down",
            "failures": failures,
            "next_attempt_at": next_attempt_at,
            "last_error": limits.clip(error, limits.error_detail_length_max),
        }
        if found is None:
            insert_ignoring_conflict(
                self.connection,
                t.biller_links,
                {"biller_code": biller_code, "since": now, **values},
            )
        else:
            if found["state"] == "up":
                values["since"] = now
            self.connection.execute(
                update(t.biller_links).where(link.biller_code == biller_code).values(**values)
            )
        return failures

    def mark_up(self, biller_code: str, now: datetime) -> bool:
        """Record an answer; True when the link was down until now."""
        link = t.biller_links.c
        found = self.state(biller_code)
        values = {"state": "up", "failures": 0, "next_attempt_at": now, "last_error": None}
        if found is None:
            insert_ignoring_conflict(
                self.connection,
                t.biller_links,
                {"biller_code": biller_code, "since": now, **values},
            )
            return False
        if found["state"] == "up":
            return False
        self.connection.execute(
            update(t.biller_links)
            .where(link.biller_code == biller_code)
            .values(since=now, **values)
        )
        return True

    def oldest_waiting(self, biller_code: str) -> str | None:
        """The payment of this biller accepted first whose notice is still unanswered."""
        p = t.payments.c
        query = (
            select(p.payment_id)
            .where(p.biller_code == biller_code, p.state == PaymentState.DEBITED.value)
            .order_by(p.created_at, p.payment_id)
            .limit(1)
        )
        found: str | None = self.connection.execute(query).scalar()
        return found

    def wake_waiting(self, biller_code: str, now: datetime) -> None:
        """The biller is back: every waiting notice is due now, in acceptance order."""
        p = t.payments.c
        self.connection.execute(
            update(t.payments)
            .where(p.biller_code == biller_code, p.state == PaymentState.DEBITED.value)
            .values(next_attempt_at=now)
        )

    def acknowledge(
        self,
        payment_id: str,
        biller_code: str,
        receipt_id: str,
        answer: dict[str, Any],
        now: datetime,
    ) -> None:
        insert_ignoring_conflict(
            self.connection,
            t.biller_acknowledgements,
            {
                "payment_id": payment_id,
                "biller_code": biller_code,
                "biller_receipt_id": receipt_id,
                "acknowledged_at": now,
                "answer": answer,
            },
        )

    def acknowledgement(self, payment_id: str) -> dict[str, Any] | None:
        a = t.biller_acknowledgements
        row = (
            self.connection.execute(select(a).where(a.c.payment_id == payment_id))
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    def record_reversal(self, payment_id: str, reason: str, now: datetime) -> None:
        """The biller answered the reversal of an acknowledged notice: kept beside the
        acknowledgement (a retried reversal keeps the first answer)."""
        found = self.acknowledgement(payment_id)
        if found is None or "reversal" in found["answer"]:
            return
        reversal = {"reason": reason, "reversed_at": now.isoformat()}
        self.connection.execute(
            update(t.biller_acknowledgements)
            .where(t.biller_acknowledgements.c.payment_id == payment_id)
            .values(answer={**found["answer"], "reversal": reversal})
        )

    def in_flight(self, biller_code: str, references: Sequence[str]) -> list[dict[str, Any]]:
        """Payments accepted for these customers that the biller has not acknowledged,
        in acceptance order.

        Cash is accepted when the counter took it (it may reach the switch days later,
        from an offline counter) and brings the biller only what its notice posts: the
        rest of it went to credit or refund, and cash that found its bills paid is no
        notice at all.
        """
        p, cp = t.payments.c, t.counter_payments.c
        accepted_at = func.coalesce(cp.accepted_at, p.created_at)
        query = (
            select(
                p.payment_id,
                p.customer_ref,
                p.bill_ids,
                p.amount_minor,
                accepted_at.label("accepted_at"),
                cp.posted_bill_ids,
                cp.posted_minor,
            )
            .outerjoin(t.counter_payments, cp.payment_id == p.payment_id)
            .where(
                p.biller_code == biller_code,
                p.customer_ref.in_(list(references)),
                p.state.in_([s.value for s in WAITING]),
            )
            .order_by(accepted_at, p.payment_id)
        )
        return [
            {
                "payment_id": row.payment_id,
                "customer_ref": row.customer_ref,
                "bill_ids": row.bill_ids if row.posted_minor is None else row.posted_bill_ids,
                "amount_minor": row.amount_minor if row.posted_minor is None else row.posted_minor,
                "accepted_at": row.accepted_at,
            }
            for row in self.connection.execute(query)
            if row.posted_minor != 0  # None (not cash) or what the cash's notice posts
        ]

    def feed(self, biller_code: str, after: int, limit: int) -> list[dict[str, Any]]:
        """Payments accepted for the biller after the cursor, in the order the switch
        accepted them: the cursor is the id of the payment's move to `debited` (the money
        is taken), the moment its notice is due. Payments given back to the payer before
        the biller had them (failed, returned) are not the biller's and are left out."""
        p, e, cp = t.payments.c, t.payment_events.c, t.counter_payments.c
        ack = t.biller_acknowledgements.c
        query = (
            select(
                e.id.label("cursor"),
                p.payment_id,
                p.customer_ref,
                p.bill_ids,
                p.amount_minor,
                p.currency,
                p.channel,
                func.coalesce(cp.accepted_at, p.created_at).label("accepted_at"),
                cp.posted_bill_ids,
                cp.posted_minor,
                ack.acknowledged_at,
            )
            .join_from(t.payment_events, t.payments, p.payment_id == e.payment_id)
            .outerjoin(t.counter_payments, cp.payment_id == p.payment_id)
            .outerjoin(t.biller_acknowledgements, ack.payment_id == p.payment_id)
            .where(
                p.biller_code == biller_code,
                e.to_state == PaymentState.DEBITED.value,
                e.id > after,
                p.state.not_in([s.value for s in NOT_THE_BILLERS]),
            )
            .order_by(e.id)
            .limit(limit)
        )
        return [
            {
                **row,
                "bill_ids": row["bill_ids"]
                if row["posted_minor"] is None
                else row["posted_bill_ids"],
                "amount_minor": (
                    row["amount_minor"] if row["posted_minor"] is None else row["posted_minor"]
                ),
            }
            for row in self.connection.execute(query).mappings()
            if row["posted_minor"] != 0  # cash that found its bills paid is no notice
        ]

    def counters_synced_through(self, biller_code: str) -> datetime | None:
        """The slowest counter's mark for this biller (None: no counter has synced)."""
        m = t.counter_sync_marks.c
        query = select(func.min(m.synced_through)).where(m.biller_code == biller_code)
        value: datetime | None = self.connection.execute(query).scalar()
        return value

    def record_counter_sync(
        self, counter_code: str, biller_code: str, synced_through: datetime, now: datetime
    ) -> None:
        m = t.counter_sync_marks.c
        added = insert_ignoring_conflict(
            self.connection,
            t.counter_sync_marks,
            {
                "counter_code": counter_code,
                "biller_code": biller_code,
                "synced_through": synced_through,
                "updated_at": now,
            },
        )
        if not added:  # a mark only moves forward: a replayed sync cannot move it back
            self.connection.execute(
                update(t.counter_sync_marks)
                .where(
                    m.biller_code == biller_code,
                    m.counter_code == counter_code,
                    m.synced_through < synced_through,
                )
                .values(synced_through=synced_through, updated_at=now)
            )

    def bill_file(self, file_id: str) -> dict[str, Any] | None:
        f = t.bill_files
        row = self.connection.execute(select(f).where(f.c.file_id == file_id)).mappings().first()
        return None if row is None else dict(row)

    def add_bill_file(
        self,
        file_id: str,
        biller_code: str,
        checksum: str,
        rows: int,
        answer: dict[str, Any],
        now: datetime,
    ) -> None:
        self.connection.execute(
            t.bill_files.insert().values(
                file_id=file_id,
                biller_code=biller_code,
                checksum=checksum,
                rows=rows,
                answer=answer,
                received_at=now,
            )
        )
