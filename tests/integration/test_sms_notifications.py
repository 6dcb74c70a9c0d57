"""The SMS worker end to end, on SQLite and PostgreSQL, against the simulator over TCP.

Outbox rows are written directly, as the payment switch writes them; the
worker turns them into SMS, and the simulator says what arrived.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text, update

from fawtara.kernel.clock import SystemClock
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.sms.entrypoints.sms_worker import run_sms_worker, run_sms_worker_until_stopped
from fawtara.sms.use_cases.notifications import (
    ReceiptBacklog,
    Round,
    SmsGatewayMisconfigured,
    WorkerPolicy,
    work_once,
)
from fawtara.storage import tables as t
from fawtara.storage.schema import BILLING
from fawtara.wiring import Platform
from tests.smsc_support import (
    BILLING_SYSTEM_ID,
    PASSWORD,
    SYSTEM_ID,
    Smsc,
    fresh,
    running_smsc,
    wait_until,
)

PAST = datetime(2026, 1, 1, tzinfo=UTC)  # due for any clock the tests use
FAST = WorkerPolicy(backoff_ms_min=50, backoff_ms_max=200, receipt_match_grace_s=5)


def payload(payment_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "payment_id": payment_id,
        "msisdn": "+963933123456",
        "language": "ar",
        "biller_code": "ELEC",
        "biller_name_ar": "كهرباء دمشق",
        "biller_name_en": "Damascus Electricity",
        "periods": ["2026-10"],
        "bill_ids": ["b-1"],
        "amount_minor": 123450,
        "currency": "SYP",
        "receipt_no": f"R-{payment_id}",
        "completed_at": "2026-11-01T07:00:00+00:00",
    }
    base.update(changes)
    return base


def add_outbox(
    engine: Engine, payment_id: str, topic: str = "sms.payment_completed", **changes: Any
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(t.outbox).values(
                topic=topic,
                key=payment_id,
                payload=payload(payment_id, **changes),
                created_at=PAST,
                available_at=PAST,
                attempts=0,
            )
        )


def reading(engine: Engine) -> Any:
    """A read-only connection (on SQLite a plain BEGIN: it must not take the write lock)."""
    return engine.connect().execution_options(readonly=True)


def stored(engine: Engine) -> dict[tuple[str, str], Any]:
    with reading(engine) as connection:
        rows = connection.execute(select(t.sms_messages)).all()
    return {(row.payment_id, row.kind): row for row in rows}


def receipt_stats(engine: Engine) -> list[str]:
    with reading(engine) as connection:
        return list(connection.execute(select(t.sms_submissions.c.stat)).scalars())


@pytest.fixture(scope="module")
def module_smsc() -> Iterator[Smsc]:
    with running_smsc(receipt_delay_ms=20) as running:
        yield running


@pytest.fixture
def smsc(module_smsc: Smsc) -> Smsc:
    return fresh(module_smsc)


@pytest.fixture
def live(platform: Platform) -> Platform:
    """The fixture's platform on the system clock: backoffs and leases really elapse."""
    return dataclasses.replace(platform, clock=SystemClock())


class Worker:
    def __init__(self, platform: Platform, gateway: SmppGateway, policy: WorkerPolicy) -> None:
        self.platform, self.gateway, self.policy = platform, gateway, policy
        self.backlog = ReceiptBacklog()

    def round(self) -> Round:
        return work_once(
            lambda: SqlSmsUnitOfWork(self.platform.engine),
            self.gateway,
            self.platform.clock,
            self.policy,
            self.backlog,
        )

    def until(self, condition: Any, timeout_s: float = 15) -> None:
        wait_until(lambda: self.round() is not None and condition(), timeout_s, step_s=0.02)


@pytest.fixture
def worker(live: Platform, smsc: Smsc) -> Iterator[Worker]:
    with SmppGateway(smsc.config()) as gateway:
        yield Worker(live, gateway, FAST)


def test_each_payment_gets_exactly_one_sms_and_its_states_are_stored(
    live: Platform, smsc: Smsc
) -> None:
    for n in range(1, 6):
        add_outbox(live.engine, f"pay-{n}", msisdn=f"+96393312345{n}")
    add_outbox(live.engine, "pay-1", topic="sms.payment_reversed", msisdn="+963933123451")
    totals = run_sms_worker(live, smsc.config(), threading.Event(), FAST, stop_when_idle=True)
    assert (totals.taken_in, totals.sent) == (6, 6)
    received = smsc.messages()
    assert sorted(m["to"] for m in received) == sorted(
        [f"+96393312345{n}" for n in range(1, 6)] + ["+963933123451"]
    )
    rows = stored(live.engine)
    assert len(rows) == 6
    assert {row.state for row in rows.values()} <= {"submitted", "delivered"}
    reversal = rows[("pay-1", "payment_reversed")]
    assert reversal.text.startswith("أُلغيت دفعة")
    by_text = {m["text"]: m for m in received}
    for row in rows.values():
        assert by_text[row.text]["message_ids"] == row.smsc_message_ids
        assert row.parts == len(row.smsc_message_ids) == 3
    with reading(live.engine) as connection:
        assert connection.execute(select(t.outbox.c.done_at)).scalars().all().count(None) == 0


def test_delivery_receipts_set_delivered_or_undeliverable(worker: Worker, smsc: Smsc) -> None:
    smsc.faults(undeliverable=["+963944000002"])
    add_outbox(worker.platform.engine, "pay-ok", msisdn="+963944000001")
    add_outbox(worker.platform.engine, "pay-bad", msisdn="+963944000002")
    worker.until(
        lambda: (
            {r.state for r in stored(worker.platform.engine).values()}
            == {"delivered", "undeliverable"}
        )
    )
    rows = stored(worker.platform.engine)
    assert rows[("pay-ok", "payment_completed")].delivered_at is not None
    assert rows[("pay-bad", "payment_completed")].state == "undeliverable"
    assert sorted(receipt_stats(worker.platform.engine)) == ["DELIVRD"] * 3 + ["UNDELIV"] * 3


@pytest.mark.parametrize(
    ("msisdn", "reason"),
    [(None, "missing_number"), ("0112345678", "landline_number"), ("+96312", "invalid_number")],
)
def test_a_number_that_cannot_receive_fails_with_its_reason_and_is_never_submitted(
    worker: Worker, smsc: Smsc, msisdn: str | None, reason: str
) -> None:
    add_outbox(worker.platform.engine, "pay-x", msisdn=msisdn)
    assert worker.round().taken_in == 1
    for _ in range(3):
        worker.round()
    row = stored(worker.platform.engine)[("pay-x", "payment_completed")]
    assert (row.state, row.attempts) == ("failed", 0)
    assert row.failure_reason.startswith(reason)
    assert smsc.call("GET", "/healthz")["submits_received"] == 0
    with reading(worker.platform.engine) as connection:
        done_at, note = connection.execute(select(t.outbox.c.done_at, t.outbox.c.last_error)).one()
    assert done_at is not None and note.startswith(reason)


def test_a_payload_off_the_contract_fails_without_sending(worker: Worker, smsc: Smsc) -> None:
    add_outbox(worker.platform.engine, "pay-y", amount_minor="12.50")
    worker.round()
    row = stored(worker.platform.engine)[("pay-y", "payment_completed")]
    assert row.state == "failed" and row.failure_reason.startswith("INVALID_SMS_NOTICE")
    assert smsc.call("GET", "/healthz")["submits_received"] == 0


def test_a_replayed_outbox_row_sends_no_second_sms(worker: Worker, smsc: Smsc) -> None:
    engine = worker.platform.engine
    add_outbox(engine, "pay-1")
    worker.until(lambda: len(smsc.messages()) == 1)
    with engine.begin() as connection:
        connection.execute(update(t.outbox).values(done_at=None))
    assert worker.round().taken_in == 1
    worker.round()
    assert len(smsc.messages()) == 1
    assert len(stored(engine)) == 1
    with reading(engine) as connection:
        note = connection.execute(select(t.outbox.c.last_error)).scalar_one()
    assert note.startswith("duplicate")


def test_a_throttled_sms_is_retried_later_and_delivered_once(worker: Worker, smsc: Smsc) -> None:
    smsc.faults(throttle_next=3)
    add_outbox(worker.platform.engine, "pay-1")
    first = worker.round()
    assert first.sent == 1
    row = stored(worker.platform.engine)[("pay-1", "payment_completed")]
    assert (row.state, row.failure_reason) == ("queued", "ESME_RTHROTTLED (0x58)")
    assert row.next_attempt_at > datetime.now(UTC)
    worker.until(
        lambda: stored(worker.platform.engine)[("pay-1", "payment_completed")].state == "delivered"
    )
    row = stored(worker.platform.engine)[("pay-1", "payment_completed")]
    assert row.attempts == 4
    assert len(smsc.messages()) == 1
    assert smsc.call("GET", "/healthz")["submits_received"] == 3 + 3


def test_a_transient_failure_past_the_deadline_fails_the_sms(live: Platform, smsc: Smsc) -> None:
    smsc.faults(throttle_next=100)
    add_outbox(live.engine, "pay-1")
    with SmppGateway(smsc.config()) as gateway:
        Worker(live, gateway, dataclasses.replace(FAST, deadline_s=0)).round()
    row = stored(live.engine)[("pay-1", "payment_completed")]
    assert (row.state, row.failure_reason) == (
        "failed",
        "deadline_exceeded: ESME_RTHROTTLED (0x58)",
    )


def test_an_smsc_refusing_the_login_stops_the_worker_and_takes_nothing(
    live: Platform, smsc: Smsc
) -> None:
    add_outbox(live.engine, "pay-1")
    with pytest.raises(SmsGatewayMisconfigured, match="ESME_RINVPASWD"):
        run_sms_worker(live, smsc.config(password="nope"), threading.Event(), FAST)
    assert stored(live.engine) == {}


# The exactly-once rule ----------------------------------------------------------


def database_url(engine: Engine) -> str:
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


WORKER_PROCESS = """
import sys, threading
from fawtara.sms.adapters.config import SmppConfig
from fawtara.wiring import bootstrap
from fawtara.sms.entrypoints.sms_worker import run_sms_worker
config = SmppConfig(port=int(sys.argv[1]), system_id=sys.argv[2], password=sys.argv[3],
                    response_timeout_s=30)
run_sms_worker(bootstrap(), config, threading.Event())
"""


def test_a_worker_killed_between_submit_and_response_never_sends_a_second_sms(
    live: Platform, smsc: Smsc
) -> None:
    engine = live.engine
    add_outbox(engine, "pay-1")
    smsc.faults(resp_delay_ms=3000)
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_PROCESS, str(smsc.smpp_port), SYSTEM_ID, PASSWORD],
        env={**os.environ, "FAWTARA_DATABASE_URL": database_url(engine)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: smsc.call("GET", "/healthz")["submits_received"] == 1, timeout_s=20)
        assert stored(engine)[("pay-1", "payment_completed")].state == "submitting"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    smsc.faults(resp_delay_ms=0)
    # The SMSC took the first part; the worker died before the response.
    with SmppGateway(smsc.config()) as gateway:
        worker = Worker(live, gateway, dataclasses.replace(FAST, submitting_lease_s=0))
        assert worker.round().recovered == 1
        row = stored(engine)[("pay-1", "payment_completed")]
        assert (row.state, row.attempts) == ("unknown", 0)
        assert row.failure_reason.startswith("possibly_sent")
        # The receipt of the part that went out comes back, as evidence: still
        # no resubmission, whatever the number of rounds.
        worker.until(lambda: receipt_stats(engine) == ["DELIVRD"])
        for _ in range(5):
            worker.round()
        assert stored(engine)[("pay-1", "payment_completed")].state == "unknown"
        assert smsc.call("GET", "/healthz")["submits_received"] == 1
        # Without the rest of the evidence, an operator decides, after the window.
        patient = Worker(live, gateway, dataclasses.replace(FAST, unknown_resolution_s=0))
        time.sleep(0.01)
        patient.round()
    row = stored(engine)[("pay-1", "payment_completed")]
    assert (row.state, row.failure_reason) == (
        "failed",
        "possibly_sent: no delivery receipt came; an operator decides whether to resend",
    )
    assert smsc.call("GET", "/healthz")["submits_received"] == 1


def test_a_message_in_doubt_is_settled_by_receipts_for_all_its_parts(live: Platform) -> None:
    """Repository level: the receipts of a message whose responses were lost settle it."""
    from fawtara.sms.domain.sms import DeliveryReceipt, ReceiptStat

    engine, now = live.engine, datetime.now(UTC)
    add_outbox(engine, "pay-1")
    with SqlSmsUnitOfWork(engine) as uow:
        [item] = uow.sms.claim_outbox(["sms.payment_completed"], now, 10)
        from fawtara.sms.use_cases.notifications import prepare

        uow.sms.add_messages([prepare(item, now)])
        [message] = uow.sms.claim_queued(now, 10)
        uow.sms.mark_submitting([message.id], now - timedelta(minutes=5))
        uow.sms.mark_unknown(uow.sms.stale_submitting(now), now)
        for n in range(1, 4):
            assert uow.sms.apply_receipt(
                DeliveryReceipt(f"lost-{n}", ReceiptStat.DELIVERED, "", "963933123456"), now
            )
            state = stored_state(uow)
            assert state == ("delivered" if n == 3 else "unknown")
        assert not uow.sms.apply_receipt(
            DeliveryReceipt("stray", ReceiptStat.DELIVERED, "", "963933123456"), now
        )
        uow.commit()


def stored_state(uow: SqlSmsUnitOfWork) -> str:
    assert uow.connection is not None
    return str(uow.connection.execute(select(t.sms_messages.c.state)).scalar_one())


def add_billing_notice(engine: Engine, bill_id: str, msisdn: str) -> str:
    """A reminder queued in the billing store's outbox, as billing's jobs queue it."""
    notice = {
        "notice_id": f"bill_due_soon:{bill_id}",
        "msisdn": msisdn,
        "language": "ar",
        "biller_code": "ELEC",
        "biller_name_ar": "كهرباء دمشق",
        "biller_name_en": "Damascus Electricity",
        "service_ref": "1236679872",
        "periods": ["2026-B5"],
        "bill_ids": [bill_id],
        "amount_minor": 349400,
        "currency": "SYP",
        "due_on": "2026-12-01",
        "at": "2026-11-28T07:00:00+00:00",
    }
    with engine.begin() as connection:
        connection.execute(
            insert(t.outbox).values(
                topic="sms.bill_due_soon",
                key=notice["notice_id"],
                payload=notice,
                created_at=PAST,
                available_at=PAST,
                attempts=0,
            )
        )
    return str(notice["notice_id"])


def test_the_billing_systems_own_notices_are_sent_from_its_own_outbox(
    live: Platform, smsc: Smsc
) -> None:
    """Reminders are queued in the billing store; a worker on that store sends them."""
    notice_id = add_billing_notice(live.billing_store(), "ELEC-2026-B5-1", "+963933123459")
    add_outbox(live.engine, "pay-switch")  # the switch's: not this worker's to send
    totals = run_sms_worker(
        live, smsc.billing_config(), threading.Event(), FAST, stop_when_idle=True, system=BILLING
    )
    assert (totals.taken_in, totals.sent) == (1, 1)
    assert [(m["system_id"], m["to"]) for m in smsc.messages()] == [
        (BILLING_SYSTEM_ID, "+963933123459")
    ]
    assert list(stored(live.billing_store())) == [(notice_id, "bill_due_soon")]
    assert stored(live.engine) == {}


def test_the_switch_and_billing_bound_with_their_own_logins_each_get_their_receipts(
    live: Platform, smsc: Smsc, caplog: pytest.LogCaptureFixture
) -> None:
    """Both senders bound at once, as under `fawtara up`: every message of each ends
    delivered, and neither worker sees a receipt of the other's."""
    caplog.set_level(logging.INFO, logger="fawtara.sms.worker")
    for n in range(1, 4):
        add_billing_notice(live.billing_store(), f"ELEC-2026-B5-{n}", f"+96393312346{n}")
        add_outbox(live.engine, f"pay-both-{n}", msisdn=f"+96393312347{n}")
    stop = threading.Event()
    senders = [
        threading.Thread(target=run_sms_worker, args=(live, smsc.config(), stop, FAST)),
        threading.Thread(
            target=run_sms_worker,
            args=(live, smsc.billing_config(), stop, FAST),
            kwargs={"system": BILLING},
        ),
    ]
    for sender in senders:
        sender.start()
    try:
        wait_until(
            lambda: all(
                [row.state for row in stored(engine).values()] == ["delivered"] * 3
                for engine in (live.engine, live.billing_store())
            ),
            timeout_s=20,
        )
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=10)
    accounts = sorted(m["system_id"] for m in smsc.messages())
    assert accounts == [SYSTEM_ID] * 3 + [BILLING_SYSTEM_ID] * 3
    dropped = [r for r in caplog.records if "dropped a receipt" in r.getMessage()]
    assert dropped == []


def test_a_worker_beside_a_service_waits_for_an_smsc_that_is_not_up_yet(
    live: Platform, smsc: Smsc
) -> None:
    add_outbox(live.engine, "pay-late-smsc")
    down = dataclasses.replace(smsc.config(), port=1)  # nothing listens there
    stop = threading.Event()
    worker = threading.Thread(
        target=run_sms_worker_until_stopped, args=(live, down, stop), kwargs={"reconnect_s": 0.1}
    )
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive(), "an SMSC that is down does not end the worker"
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert stored(live.engine) == {}  # nothing was taken in without an SMSC
