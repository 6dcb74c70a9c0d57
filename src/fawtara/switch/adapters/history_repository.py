"""Read-only queries behind a payment's history (switch/use_cases/payment_history.py).

Every query is bounded: a search by `limit`, the rest by one payment's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from fawtara.storage import tables as t


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
        """The biller's acknowledgement of the notice (its split over the bills, any
        credit) and the reversal it answered, if any: what the switch knows of the
        posting, which is in the biller's books."""
        ack, p = t.biller_acknowledgements.c, t.payments.c
        row = (
            self.connection.execute(
                select(ack.biller_code, ack.acknowledged_at, ack.answer, p.currency)
                .join_from(t.biller_acknowledgements, t.payments, p.payment_id == ack.payment_id)
                .where(ack.payment_id == payment_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        answer = row["answer"]
        bills = [(str(bill_id), int(amount)) for bill_id, amount, _status in answer["bills"]]
        reversal = answer.get("reversal") or {}
        reversed_at = reversal.get("reversed_at")
        return {
            "biller_code": row["biller_code"],
            "amount_minor": sum(amount for _, amount in bills) + int(answer["credit_minor"]),
            "credit_minor": int(answer["credit_minor"]),
            "currency": row["currency"],
            "posted_at": row["acknowledged_at"],
            "bills": sorted(bills),
            "reversed_at": None if reversed_at is None else datetime.fromisoformat(reversed_at),
            "reversal_reason": reversal.get("reason"),
        }

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
