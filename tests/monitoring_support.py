"""A scripted burst of payments with injected failures, and the truth counted in SQL.

Shared by the figures test (tests/integration/test_monitoring.py) and the
/metrics test (tests/e2e/test_operations_api.py): whatever reads the figures
must tell the same story as these direct queries.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from fawtara.banks.adapters.in_memory import Fault
from fawtara.ops.domain.figures import percentile
from fawtara.storage import tables as t
from fawtara.switch.domain.payments import PaymentState
from tests.integration.test_payment_flow import BEMO, Network

FINAL = ("completed", "failed", "returned", "reversed")
WINDOW_S = 300


def run_burst(net: Network) -> None:
    """Payments of every outcome, one left unknown for 130 s, SMS, a biller link down."""
    net.pay(net.request(amount=1_000))  # final long before the window: not counted
    net.clock.advance(timedelta(seconds=WINDOW_S + 100))
    for _ in range(3):
        assert net.pay(net.request(amount=1_000)).state is PaymentState.COMPLETED
    for i in range(2):
        push = net.request(amount=1_000, channel="bank", bank_reference=f"BEMO-APP-{i}")
        assert net.pay(push, by=BEMO).state is PaymentState.COMPLETED
    for _ in range(2):
        assert net.pay(net.request(amount=1_000, account="ACC-POOR")).state is PaymentState.FAILED
    net.bank.set_fault(Fault.DROP_REPLY, count=1)  # debited, reply lost, bank gone: returned
    net.pay(net.request(meter_index=2, amount=1_000))
    net.bank.set_fault(Fault.DOWN)
    net.run_worker(65)
    net.bank.set_fault(Fault.NONE)
    net.run_worker(40)
    net.bank.set_fault(Fault.DOWN, count=1)
    assert net.pay(net.request(meter_index=1, amount=1_000)).state is PaymentState.UNKNOWN
    net.clock.advance(timedelta(seconds=130))  # no worker: it stays unknown, and late
    add_sms_and_lifecycle(net)


def add_sms_and_lifecycle(net: Network) -> None:
    """SMS of every receipt state, and the ELEC link down for a minute with its
    oldest notice waiting (the lifecycle and its jobs are billing's: not the switch's)."""
    now = net.clock.now()
    old = now - timedelta(seconds=WINDOW_S + 60)
    sms = [("delivered", now)] * 3 + [("undeliverable", now), ("delivered", old)]
    sms += [("queued", now)] * 2 + [("submitted", now)]
    with net.platform.engine.begin() as connection:
        for number, (state, at) in enumerate(sms):
            connection.execute(insert(t.sms_messages).values(_sms_row(number, state, at)))
    with net.platform.uow() as uow:
        down_at = now - timedelta(seconds=60)
        uow.biller_links.mark_down("ELEC", "connection refused", down_at, now)
        uow.biller_links.mark_down("ELEC", "connection refused", now, now)
        uow.commit()


def _sms_row(number: int, state: str, at: datetime) -> dict[str, Any]:
    return {
        "payment_id": f"sms-test-{number}",
        "kind": "payment_completed",
        "msisdn": "+963933123456",
        "language": "ar",
        "text": "x",
        "parts": 1,
        "state": state,
        "smsc_message_ids": [],
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
        "updated_at": at,
    }


def counted_in_sql(net: Network) -> dict[str, Any]:
    """The figures, counted straight from the tables with plain queries."""
    since = net.clock.now() - timedelta(seconds=WINDOW_S)
    p, sms, box = t.payments.c, t.sms_messages.c, t.outbox.c
    final_in_window = (p.state.in_(FINAL), p.updated_at >= since)
    with net.platform.engine.connect() as connection:
        payments = {
            (channel, state): count
            for channel, state, count in connection.execute(
                select(p.channel, p.state, func.count())
                .where(*final_in_window)
                .group_by(p.channel, p.state)
            )
        }
        failures = dict(
            connection.execute(
                select(p.reason_code, func.count())
                .where(p.state.in_(("failed", "returned")), p.updated_at >= since)
                .group_by(p.reason_code)
            ).all()
        )
        durations = sorted(
            (final - created).total_seconds()
            for created, final in connection.execute(
                select(p.created_at, p.updated_at).where(*final_in_window)
            )
        )
        unknown = connection.execute(
            select(func.count(), func.min(p.unknown_since)).where(p.state == "unknown")
        ).one()
        outbox = connection.execute(
            select(func.count()).select_from(t.outbox).where(box.done_at.is_(None))
        ).scalar_one()
        receipts = dict(
            connection.execute(
                select(sms.state, func.count())
                .where(sms.state.in_(("delivered", "undeliverable", "expired")))
                .where(sms.updated_at >= since)
                .group_by(sms.state)
            ).all()
        )
        queued = connection.execute(
            select(func.count()).where(sms.state.in_(("queued", "submitting")))
        ).scalar_one()
        waiting = connection.execute(
            select(func.min(p.created_at)).where(p.state == "debited", p.biller_code == "ELEC")
        ).scalar()
    return {
        "waiting_age_s": None if waiting is None else (net.clock.now() - waiting).total_seconds(),
        "payments": payments,
        "failures": failures,
        "p50": percentile(durations, 0.5),
        "p99": percentile(durations, 0.99),
        "samples": len(durations),
        "unknown": unknown[0],
        "unknown_age_s": (net.clock.now() - unknown[1]).total_seconds(),
        "outbox": outbox,
        "receipts": receipts,
        "sms_queue": queued,
    }
