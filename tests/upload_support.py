"""An upload-mode biller for tests: ELEC in upload mode, its bills uploaded to the switch.

Both systems run on their own stores; the switch's API is the real FastAPI app
(TestClient), the billing system's link to it in process or over that app.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.storage import tables as t
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform
from tests.support import build_world, publish_bills, usage_rows

PORTAL = {"X-Api-Key": "PORTAL.portal-secret"}
ELEC = {"X-Api-Key": "ELEC.elec-secret"}
STE = {"X-Api-Key": "STE.ste-secret"}
BEMO = {"X-Api-Key": "BEMO.bemo-secret"}
CYCLE = "2026-B5"


@dataclass
class UploadWorld:
    platform: Platform
    client: TestClient
    meters: list[str]


def upload_mode(platform: Platform, *codes: str) -> Platform:
    """The same stores, with these billers in upload mode (FAWTARA_BILLER_LINKS CODE=upload)."""
    settings = replace(platform.settings, upload_billers=codes)
    return Platform(settings, platform.engine, platform.clock, platform.billing_engine)


def upload_world(platform: Platform, services: int = 3) -> UploadWorld:
    """ELEC in upload mode with `services` meters billed for CYCLE and uploaded."""
    upload = upload_mode(platform, "ELEC")
    world = build_world(upload, electricity_services=services)
    for participant, secret in (
        (Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",)), "bemo-secret"),
        (
            Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",)),
            "portal-secret",
        ),
        (Participant("ELEC", ParticipantKind.BILLER, "الكهرباء", "Electricity", ()), "elec-secret"),
        (Participant("STE", ParticipantKind.BILLER, "الاتصالات", "Telecom", ()), "ste-secret"),
    ):
        register_participant(upload.uow(), participant, upload.clock, secret=secret)
    rows = [("ELEC", CYCLE, m, "400") for m in world.meters]
    import_usage(upload.billing_uow_factory(), usage_rows(rows), "u.csv", upload.clock)
    run_bill_run(upload.billing_uow_factory(), "ELEC", CYCLE, upload.clock)
    publish_bills(upload, "ELEC", CYCLE)
    bank = InMemoryBank({("BEMO", "0100200300"): 100_000_000})
    return UploadWorld(upload, TestClient(create_app(upload, bank)), world.meters)


def pay(client: TestClient, meter: str) -> dict[str, Any]:
    """Pay the meter's newest bill at the portal; the answer's state is the payment's."""
    found = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meter}, headers=PORTAL
    )
    assert found.status_code == 200, found.text
    bill = found.json()["bills"][0]
    body = {
        "payment_id": str(uuid.uuid4()),
        "channel": "portal",
        "biller": "ELEC",
        "customer_ref": meter,
        "bill_ids": [bill["bill_id"]],
        "amount_minor": bill["amount_due_minor"],
        "currency": "SYP",
        "payer": {"bank": "BEMO", "account": "0100200300"},
        "msisdn": "+963933123456",
    }
    answer = client.post("/v1/payments?wait=0", json=body, headers=PORTAL)
    assert answer.status_code == 200, answer.text
    return {**body, "state": answer.json()["state"]}


def payment_state(platform: Platform, payment_id: str) -> str:
    with platform.uow(readonly=True) as uow:
        payment = uow.payments.get(payment_id)
    assert payment is not None
    return payment.state.value


def sms_queued(platform: Platform, payment_id: str) -> int:
    """How many SMS confirmations the switch queued for the payment."""
    o = t.outbox.c
    query = select(o.id).where(o.topic == "sms.payment_completed", o.key == payment_id)
    with platform.engine.connect() as connection:
        return len(connection.execute(query).all())
