"""A payment notice in its wire form, from what the switch knows of the payment.

Both directions need it: the switch PUTs it to an online biller, and lists it
in the acceptance feed for a biller that reads its payments instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from fawtara.biller_api import schema
from fawtara.kernel.calendar import damascus_date


class NoticeFacts(Protocol):
    """What a notice says of a payment (service_layer.post_payment.PostPayment has it)."""

    @property
    def biller_code(self) -> str: ...
    @property
    def customer_ref(self) -> str: ...
    @property
    def bill_ids(self) -> Sequence[str]: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def paid_at(self) -> datetime: ...


def payment_notice(facts: NoticeFacts) -> schema.PaymentNotice:
    """The wire form of a notice; `accepted_at` is the switch's acceptance time."""
    return schema.PaymentNotice(
        biller=facts.biller_code,
        customer_ref=facts.customer_ref,
        bills=[schema.NoticeBill(bill_id=bill_id) for bill_id in facts.bill_ids],
        amount_minor=facts.amount_minor,
        currency=facts.currency,
        channel=facts.channel,  # type: ignore[arg-type]
        accepted_at=facts.paid_at,
        settlement_date=settlement_date(facts),
    )


def settlement_date(facts: NoticeFacts) -> date:
    """The business day of the payment at the switch (Asia/Damascus)."""
    return damascus_date(facts.paid_at)
