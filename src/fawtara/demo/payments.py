"""A few demo payments, so the demo shows money that moved.

They are push payments from the demo banks' own apps (the bank debited its
customer and sends its reference), taken through the switch's real use case:
the bills are paid at the biller, the ledger posts, and each payment queues
its SMS. Ids are derived from the bill, so running this again changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from fawtara.banks.domain.banking import (
    BankAnswer,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.demo import data
from fawtara.storage import tables
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import PaymentRequest
from fawtara.switch.use_cases.payments import submit_payment
from fawtara.wiring import Platform

DEMO_PAYMENTS_PER_BILLER = 20
NAMESPACE = uuid.UUID("6f1d3c2e-4b1a-4f7e-9a51-0d7a2c9e8b10")


class NoPullBank:
    """Push payments never call the bank; this gateway proves it by refusing."""

    def debit(self, instruction: DebitInstruction) -> BankAnswer:
        raise AssertionError("a push payment never asks the bank to debit")

    def status(self, request: StatusRequest) -> BankAnswer:
        raise AssertionError("a push payment never asks the bank for a status")

    def return_payment(self, instruction: ReturnInstruction) -> BankAnswer:
        raise AssertionError("demo payments are not returned")


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
    with platform.billing_uow(readonly=True) as uow:  # the billing system's subscribers
        assert uow.connection is not None
        return [(row.id, row.reference, row.amount_minor) for row in uow.connection.execute(query)]


def pay_demo_bills(platform: Platform) -> int:
    """Pay the first bills of each demo biller from the demo banks' apps; returns how many."""
    switch = platform.switch(NoPullBank())
    paid = 0
    for biller in data.DEMO_BILLERS:
        for index, (bill_id, reference, amount) in enumerate(demo_bills(platform, biller.code)):
            bank = data.DEMO_BANKS[index % len(data.DEMO_BANKS)]
            payment_id = str(uuid.uuid5(NAMESPACE, bill_id))
            request = PaymentRequest(
                payment_id=payment_id,
                channel="bank",
                biller_code=biller.code,
                customer_ref=reference,
                bill_ids=(bill_id,),
                amount_minor=amount,
                currency="SYP",
                payer_bank=bank.code,
                payer_account=f"DEMO-{index:04d}",
                msisdn=None,
                bank_reference=f"{bank.code}-APP-{payment_id[:8]}",
            )
            participant = Participant(
                bank.code, ParticipantKind.BANK, bank.name_ar, bank.name_en, ("bank",)
            )
            submit_payment(switch, participant, request, wait_s=0)
            paid += 1
    return paid
