"""A few demo payments, so the demo ledger and bills show money that moved.

Each payment is what the switch will do for a bank payment (its issue builds
the real flow): reserve in the ledger (pending: the bank's settlement account
owes, the biller's payable is owed), post the payment to the biller's bills,
then post the reservation. Ids are derived from the bill, so running this
again changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from fawtara.adapters.db import tables
from fawtara.bootstrap import Platform
from fawtara.demo import data
from fawtara.domain.accounts import bank_settlement, biller_payable
from fawtara.service_layer import ledger
from fawtara.service_layer.post_payment import PostPayment, post_payment

DEMO_PAYMENTS_PER_BILLER = 20
NAMESPACE = uuid.UUID("6f1d3c2e-4b1a-4f7e-9a51-0d7a2c9e8b10")


def demo_bills(platform: Platform, biller_code: str) -> list[tuple[str, str, int]]:
    """(bill id, service reference, amount) of the first bills, by id: stable."""
    b, s = tables.bills.c, tables.services.c
    query = (
        select(b.id, s.reference, b.amount_minor)
        .join_from(tables.bills, tables.services, s.id == b.service_id)
        .where(b.biller_code == biller_code, b.amount_minor > 0)
        .order_by(b.id)
        .limit(DEMO_PAYMENTS_PER_BILLER)
    )
    with platform.uow(readonly=True) as uow:
        assert uow.connection is not None
        return [(row.id, row.reference, row.amount_minor) for row in uow.connection.execute(query)]


def pay_demo_bills(platform: Platform) -> int:
    """Pay the first bills of each demo biller from the demo banks; returns how many."""
    paid = 0
    for biller in data.DEMO_BILLERS:
        for index, (bill_id, reference, amount) in enumerate(demo_bills(platform, biller.code)):
            bank = data.DEMO_BANKS[index % len(data.DEMO_BANKS)]
            payment_id = str(uuid.uuid5(NAMESPACE, bill_id))
            ledger.transfer(
                platform.uow(),
                transfer_id=f"{payment_id}:reserve",
                pending=True,
                debit_code=bank_settlement(bank.code).code,
                credit_code=biller_payable(biller.code).code,
                amount_minor=amount,
                currency="SYP",
                code="bill_payment",
                reference=f"{biller.code} {reference}",
                clock=platform.clock,
            )
            post_payment(
                platform.uow(),
                PostPayment(
                    payment_id=payment_id,
                    biller_code=biller.code,
                    customer_ref=reference,
                    bill_ids=(bill_id,),
                    amount_minor=amount,
                    currency="SYP",
                    channel="bank",
                    paid_at=platform.clock.now() - timedelta(minutes=index),
                ),
                platform.clock.now(),
            )
            ledger.resolve(
                platform.uow(),
                resolution_id=f"{payment_id}:post",
                pending_id=f"{payment_id}:reserve",
                post=True,
                clock=platform.clock,
            )
            paid += 1
    return paid
