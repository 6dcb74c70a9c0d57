"""The billing system's question to the switch: which payments are on their way?

A payment the switch accepted reaches the biller's books only when its notice
is posted: while the biller was down, or the bank has not answered, it is in
flight at the switch and the billing store knows nothing of it. Before the
lifecycle suspends a service (or reminds a subscriber who already paid), it
asks the switch over the Biller API (`SwitchLink.in_flight`) and counts those
payments for their bills at their acceptance time. An answer that is missing,
or older than `limits.in_flight_answer_age_s_max`, is no answer: the lifecycle
never suspends blind.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from fawtara.billing.domain.lifecycle import Acceptance, BillStanding
from fawtara.billing.use_cases.ports import SwitchLink, SwitchUnreachable
from fawtara.kernel import limits
from fawtara.kernel.notices import InFlight

log = logging.getLogger("fawtara.lifecycle")


def ask_switch(
    switch: SwitchLink | None, biller_code: str, references: Sequence[str], now: datetime
) -> InFlight | None:
    """The switch's in-flight answer for these customers, or None when there is no
    answer younger than `limits.in_flight_answer_age_s_max`."""
    if switch is None or not references:
        return None
    try:
        answer = switch.in_flight(biller_code, references)
    except SwitchUnreachable as error:
        log.warning("the switch does not answer %s's in-flight check (%s)", biller_code, error)
        return None
    if (now - answer.as_of).total_seconds() > limits.in_flight_answer_age_s_max:
        log.warning("the switch's in-flight answer to %s is stale", biller_code)
        return None
    return answer


def with_in_flight(
    standings: dict[int, list[BillStanding]], answer: InFlight
) -> dict[int, list[BillStanding]]:
    """Add the payments the switch accepted and the biller has not posted yet.

    Until the biller posts it, a payment's split over its bills is not known: it
    counts for each of its bills up to that bill's amount, at its acceptance time.
    """
    by_bill: dict[str, list[tuple[int, datetime]]] = {}
    for _payment_id, _reference, bill_ids, amount_minor, accepted_at in answer.payments:
        for bill_id in bill_ids:
            by_bill.setdefault(bill_id, []).append((amount_minor, accepted_at))
    return {
        service_id: [_accepting(standing, by_bill.get(standing.bill.id, ())) for standing in found]
        for service_id, found in standings.items()
    }


def _accepting(standing: BillStanding, payments: Sequence[tuple[int, datetime]]) -> BillStanding:
    acceptances = [
        Acceptance(accepted_at, min(amount_minor, standing.bill.amount_minor), in_flight=True)
        for amount_minor, accepted_at in payments
        if min(amount_minor, standing.bill.amount_minor) > 0
    ]
    if not acceptances:
        return standing
    return BillStanding(standing.bill, (*standing.acceptances, *acceptances))
