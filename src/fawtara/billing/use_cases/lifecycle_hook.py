"""The lifecycle's hook in a posting: a suspended service is reviewed within seconds.

Kept apart from lifecycle.py so that the billing system's posting imports
nothing of the lifecycle but this rule and its topic.
"""

from __future__ import annotations

from datetime import datetime

from fawtara.billing.use_cases.ports import UnitOfWork
from fawtara.kernel.billers import ServiceState

RECONNECT_TOPIC = "lifecycle.reconnect"


def note_posting(
    uow: UnitOfWork, service_id: int, biller_code: str, payment_id: str, now: datetime
) -> None:
    """Called in a posting's transaction: ask for a review if the service is suspended.

    The scheduler drains the topic every `limits.scheduler_tick_s` and
    reconnects (or undoes the suspension, with an apology) when the posting
    paid what was overdue.
    """
    state = uow.lifecycle.service_states([service_id]).get(service_id)
    if state is ServiceState.SUSPENDED:
        payload = {"service_id": service_id, "biller_code": biller_code}
        uow.outbox.add(RECONNECT_TOPIC, payment_id, payload, now)
