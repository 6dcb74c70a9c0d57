"""Read-only queries behind a payment's history (service_layer/payment_history.py).

Every query is bounded: a search by `limit`, the rest by one payment's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, or_, select

from fawtara.adapters.db import tables as t


class SqlPaymentHistoryRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def search(
        self,
        *,
        payment_id: str | None = None,
        receipt_no: str | None = None,
        msisdns: Sequence[str] = (),
        limit: int,
    ) -> list[str]:
        """Ids of the matching payments, newest first.

        A phone number matches the number the channel gave with the payment
        (in any of `msisdns`) and the number its SMS went to.
        """
        p = t.payments.c
        query = select(p.payment_id).order_by(p.created_at.desc(), p.payment_id).limit(limit)
        if payment_id is not None:
            query = query.where(p.payment_id == payment_id)
        elif receipt_no is not None:
            query = query.where(p.receipt_no == receipt_no)
        elif msisdns:
            texted = select(t.sms_messages.c.payment_id).where(
                t.sms_messages.c.msisdn.in_(list(msisdns))
            )
            query = query.where(or_(p.msisdn.in_(list(msisdns)), p.payment_id.in_(texted)))
        else:
            return []
        return list(self.connection.execute(query).scalars())

    def transfers(self, transfer_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The ledger transfers among `transfer_ids`, oldest first, each with its legs."""
        tr, legs, accounts = t.ledger_transfers.c, t.ledger_legs.c, t.ledger_accounts.c
        rows = [
            dict(row)
            for row in self.connection.execute(
                select(t.ledger_transfers)
                .where(tr.id.in_(list(transfer_ids)))
                .order_by(tr.created_at, tr.id)
            ).mappings()
        ]
        leg_rows = self.connection.execute(
            select(
                legs.transfer_id,
                legs.side,
                legs.amount_minor,
                accounts.code.label("account_code"),
                accounts.name_en.label("account_name_en"),
                accounts.name_ar.label("account_name_ar"),
            )
            .join_from(t.ledger_legs, t.ledger_accounts, accounts.id == legs.account_id)
            .where(legs.transfer_id.in_([row["id"] for row in rows]))
            .order_by(legs.transfer_id, legs.side.desc(), legs.id)
        ).mappings()
        by_transfer: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        for leg in leg_rows:
            by_transfer[leg["transfer_id"]].append(dict(leg))
        return [{**row, "legs": by_transfer[row["id"]]} for row in rows]

    def posting(self, payment_id: str) -> dict[str, Any] | None:
        """The biller posting, its bills and its reversal, if any."""
        posting, reversal = t.biller_postings.c, t.biller_posting_reversals.c
        row = (
            self.connection.execute(
                select(
                    t.biller_postings,
                    reversal.reversed_at,
                    reversal.reason.label("reversal_reason"),
                )
                .outerjoin_from(
                    t.biller_postings,
                    t.biller_posting_reversals,
                    reversal.payment_id == posting.payment_id,
                )
                .where(posting.payment_id == payment_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        paid = t.bill_payments.c
        bills = self.connection.execute(
            select(paid.bill_id, paid.amount_minor)
            .where(paid.payment_id == payment_id)
            .order_by(paid.bill_id)
        ).all()
        return {**row, "bills": [(bill_id, amount) for bill_id, amount in bills]}

    def messages(self, payment_id: str) -> list[dict[str, Any]]:
        """The SMS of a payment, each with the submissions of its parts and their receipts."""
        sms, sub = t.sms_messages.c, t.sms_submissions.c
        messages = [
            dict(row)
            for row in self.connection.execute(
                select(t.sms_messages).where(sms.payment_id == payment_id).order_by(sms.id)
            ).mappings()
        ]
        receipts: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in messages}
        for row in self.connection.execute(
            select(t.sms_submissions)
            .where(sub.sms_message_id.in_(list(receipts)))
            .order_by(sub.sms_message_id, sub.part_no, sub.accepted_at)
        ).mappings():
            receipts[row["sms_message_id"]].append(dict(row))
        return [{**row, "receipts": receipts[row["id"]]} for row in messages]

    def outbox(self, topics: Sequence[str], key: str) -> list[dict[str, Any]]:
        """The outbox work queued under this key in these topics (through the unique key)."""
        box = t.outbox.c
        query = select(t.outbox).where(box.topic.in_(list(topics)), box.key == key).order_by(box.id)
        return [dict(row) for row in self.connection.execute(query).mappings()]
