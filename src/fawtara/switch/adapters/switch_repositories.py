"""Repositories of the payment switch: participants and payments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from fawtara.storage import tables as t
from fawtara.storage.statements import insert_ignoring_conflict
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import Payment, PaymentModel, PaymentState


class SqlParticipantRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, participant: Participant, api_key_hash: str, created_at: datetime) -> bool:
        return insert_ignoring_conflict(
            self.connection,
            t.participants,
            {
                "code": participant.code,
                "kind": participant.kind.value,
                "name_ar": participant.name_ar,
                "name_en": participant.name_en,
                "api_key_hash": api_key_hash,
                "channels": list(participant.channels),
                "can_reverse": int(participant.can_reverse),
                "created_at": created_at,
            },
        )

    def get(self, code: str) -> tuple[Participant, str] | None:
        """The participant and its stored key hash."""
        row = self.connection.execute(
            select(t.participants).where(t.participants.c.code == code)
        ).first()
        if row is None:
            return None
        participant = Participant(
            code=row.code,
            kind=ParticipantKind(row.kind),
            name_ar=row.name_ar,
            name_en=row.name_en,
            channels=tuple(row.channels),
            can_reverse=bool(row.can_reverse),
        )
        return participant, row.api_key_hash

    def list(self) -> list[Participant]:
        codes = self.connection.execute(
            select(t.participants.c.code).order_by(t.participants.c.code)
        ).scalars()
        return [found[0] for code in list(codes) if (found := self.get(code)) is not None]


def _payment(row: Any) -> Payment:
    return Payment(
        payment_id=row.payment_id,
        request_hash=row.request_hash,
        initiator=row.initiator,
        channel=row.channel,
        model=PaymentModel(row.model),
        biller_code=row.biller_code,
        customer_ref=row.customer_ref,
        bill_ids=tuple(row.bill_ids),
        amount_minor=row.amount_minor,
        currency=row.currency,
        payer_bank=row.payer_bank,
        payer_account=row.payer_account,
        msisdn=row.msisdn,
        bank_reference=row.bank_reference,
        state=PaymentState(row.state),
        reason_code=row.reason_code,
        receipt_no=row.receipt_no,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        next_attempt_at=row.next_attempt_at,
        unknown_since=row.unknown_since,
        completed_at=row.completed_at,
    )


class SqlPaymentRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, values: dict[str, Any]) -> bool:
        """Store a new payment; False (nothing written) when the id exists."""
        return insert_ignoring_conflict(self.connection, t.payments, values)

    def get(self, payment_id: str, for_update: bool = False) -> Payment | None:
        query = select(t.payments).where(t.payments.c.payment_id == payment_id)
        if for_update and self.connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _payment(row)

    def find(
        self,
        *,
        receipt_no: str | None = None,
        bank_reference: str | None = None,
        msisdn: str | None = None,
        limit: int = 50,
    ) -> list[Payment]:
        p = t.payments.c
        query = select(t.payments).order_by(p.created_at.desc()).limit(limit)
        if receipt_no:
            query = query.where(p.receipt_no == receipt_no)
        if bank_reference:
            query = query.where(p.bank_reference == bank_reference)
        if msisdn:
            query = query.where(p.msisdn == msisdn)
        return [_payment(row) for row in self.connection.execute(query)]

    def move(
        self, payment_id: str, expected: PaymentState, target: PaymentState, **fields: Any
    ) -> bool:
        """Compare-and-set the state: True when this caller made the move."""
        p = t.payments.c
        result = self.connection.execute(
            update(t.payments)
            .where(p.payment_id == payment_id, p.state == expected.value)
            .values(state=target.value, **fields)
        )
        return result.rowcount == 1

    def reschedule(
        self, payment_id: str, state: PaymentState, next_attempt_at: datetime, now: datetime
    ) -> None:
        p = t.payments.c
        self.connection.execute(
            update(t.payments)
            .where(p.payment_id == payment_id, p.state == state.value)
            .values(next_attempt_at=next_attempt_at, attempts=p.attempts + 1, updated_at=now)
        )

    def add_event(
        self,
        payment_id: str,
        from_state: PaymentState | None,
        to_state: PaymentState,
        reason_code: str | None,
        detail: str,
        at: datetime,
    ) -> None:
        self.connection.execute(
            insert(t.payment_events).values(
                payment_id=payment_id,
                from_state=None if from_state is None else from_state.value,
                to_state=to_state.value,
                reason_code=reason_code,
                detail=detail[:400],
                at=at,
            )
        )

    def events(self, payment_id: str) -> list[dict[str, Any]]:
        e = t.payment_events.c
        query = select(t.payment_events).where(e.payment_id == payment_id).order_by(e.id)
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def due(self, states: Iterable[PaymentState], now: datetime, limit: int) -> list[str]:
        """Ids of payments waiting on a step whose time has come, locked for this worker."""
        p = t.payments.c
        query = (
            select(p.payment_id)
            .where(p.state.in_([s.value for s in states]), p.next_attempt_at <= now)
            .order_by(p.next_attempt_at, p.created_at)
            .limit(limit)
        )
        if self.connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.connection.execute(query).scalars())

    def lease(self, payment_ids: Sequence[str], until: datetime) -> None:
        p = t.payments.c
        if payment_ids:
            self.connection.execute(
                update(t.payments)
                .where(p.payment_id.in_(list(payment_ids)))
                .values(next_attempt_at=until)
            )

    def reserve_bills(self, payment_id: str, bill_ids: Sequence[str], now: datetime) -> bool:
        """Take the bills for this payment; False when another payment holds one."""
        for bill_id in bill_ids:
            taken = insert_ignoring_conflict(
                self.connection,
                t.bill_reservations,
                {
                    "bill_id": bill_id,
                    "payment_id": payment_id,
                    "reserved_at": now,
                },
            )
            if not taken:
                holder = self.connection.execute(
                    select(t.bill_reservations.c.payment_id).where(
                        t.bill_reservations.c.bill_id == bill_id
                    )
                ).scalar()
                if holder != payment_id:
                    return False
        return True

    def release_bills(self, payment_id: str) -> None:
        self.connection.execute(
            delete(t.bill_reservations).where(t.bill_reservations.c.payment_id == payment_id)
        )

    def count_by_state(self) -> dict[str, int]:
        p = t.payments.c
        query = select(p.state, func.count()).group_by(p.state)
        return {row[0]: int(row[1]) for row in self.connection.execute(query)}
