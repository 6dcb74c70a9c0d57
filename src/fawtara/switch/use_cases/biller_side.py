"""What the switch offers billers over the Biller API: the in-flight check and the
acceptance feed.

Before the billing system suspends a service it asks which payments the switch
has accepted for those customers and the biller has not acknowledged yet
(they protect their bills by their acceptance time), and how far every cash
counter of the biller has synced its offline payments. A biller that was down,
or cannot be called at all, reads every accepted payment from the feed, after a
cursor, in the order the switch accepted them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fawtara.kernel.errors import LimitExceeded
from fawtara.kernel.limits import feed_page_max, in_flight_refs_per_query_max
from fawtara.kernel.notices import InFlight, PostPayment
from fawtara.kernel.ports import Clock
from fawtara.switch.use_cases.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Accepted:
    """One payment of the feed: its cursor, the notice it is, and when the biller had it."""

    cursor: int
    notice: PostPayment
    acknowledged_at: datetime | None


def acceptance_feed(uow: UnitOfWork, biller_code: str, after: int, limit: int) -> list[Accepted]:
    if not 0 < limit <= feed_page_max:
        raise LimitExceeded(f"a feed page holds 1..{feed_page_max} payments")
    if after < 0:
        raise LimitExceeded("the cursor starts at 0")
    with uow:
        rows = uow.biller_links.feed(biller_code, after, limit)
    return [
        Accepted(
            cursor=int(row["cursor"]),
            notice=PostPayment(
                payment_id=row["payment_id"],
                biller_code=biller_code,
                customer_ref=row["customer_ref"],
                bill_ids=tuple(row["bill_ids"]),
                amount_minor=int(row["amount_minor"]),
                currency=row["currency"],
                channel=row["channel"],
                paid_at=row["accepted_at"],
            ),
            acknowledged_at=row["acknowledged_at"],
        )
        for row in rows
    ]


def in_flight(
    uow: UnitOfWork, clock: Clock, biller_code: str, references: Sequence[str]
) -> InFlight:
    if not 0 < len(references) <= in_flight_refs_per_query_max:
        raise LimitExceeded(f"ask for 1..{in_flight_refs_per_query_max} customers at a time")
    as_of = clock.now()  # before reading: what is accepted later is in the next answer
    with uow:
        rows = uow.biller_links.in_flight(biller_code, list(references))
        synced = uow.biller_links.counters_synced_through(biller_code)
    return InFlight(
        as_of=as_of,
        payments=tuple(
            (
                row["payment_id"],
                row["customer_ref"],
                tuple(row["bill_ids"]),
                int(row["amount_minor"]),
                row["accepted_at"],
            )
            for row in rows
        ),
        counters_synced_through=synced,
    )
