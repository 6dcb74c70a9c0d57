"""What the switch serves billers (docs/BILLER-API.md): the feed, the in-flight check and
bill upload, called with a biller's participant key, on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fawtara.banks.adapters.in_memory import InMemoryBank
from fawtara.biller_api import paths, schema
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.links.biller_in_process import InProcessBillerGateway
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform
from tests.support import build_world, usage_rows
from tests.upload_support import pay

PORTAL = {"X-Api-Key": "PORTAL.portal-secret"}
ELEC = {"X-Api-Key": "ELEC.elec-secret"}
BEMO = {"X-Api-Key": "BEMO.bemo-secret"}


@pytest.fixture
def api(platform: Platform) -> tuple[TestClient, list[str]]:
    world = build_world(platform, electricity_services=3)
    for participant, secret in (
        (Participant("BEMO", ParticipantKind.BANK, "بيمو", "Bemo", ("bank",)), "bemo-secret"),
        (
            Participant("PORTAL", ParticipantKind.CHANNEL, "البوابة", "Portal", ("portal",)),
            "portal-secret",
        ),
        (Participant("ELEC", ParticipantKind.BILLER, "الكهرباء", "Electricity", ()), "elec-secret"),
    ):
        register_participant(platform.uow(), participant, platform.clock, secret=secret)
    rows = [("ELEC", "2026-B5", m, "400") for m in world.meters]
    import_usage(platform.billing_uow_factory(), usage_rows(rows), "u.csv", platform.clock)
    run_bill_run(platform.billing_uow_factory(), "ELEC", "2026-B5", platform.clock)
    bank = InMemoryBank({("BEMO", "0100200300"): 10_000_000})
    return TestClient(create_app(platform, bank)), world.meters


def feed(client: TestClient, **params: int) -> schema.AcceptanceFeed:
    response = client.get(paths.FEED, params=params, headers=ELEC)
    assert response.status_code == 200, response.text
    return schema.AcceptanceFeed.model_validate(response.json())


def test_the_feed_lists_accepted_payments_in_order_after_a_cursor(
    api: tuple[TestClient, list[str]],
) -> None:
    client, meters = api
    assert feed(client).payments == [] and feed(client).next_cursor == 0
    paid = [pay(client, meter) for meter in meters[:2]]
    assert [p["state"] for p in paid] == ["completed", "completed"]

    page = feed(client)
    assert [entry.payment_id for entry in page.payments] == [p["payment_id"] for p in paid]
    for entry, body in zip(page.payments, paid, strict=True):
        assert entry.acknowledged_at is not None, "the biller answered the notice"
        assert (entry.notice.customer_ref, entry.notice.amount_minor) == (
            body["customer_ref"],
            body["amount_minor"],
        )
        assert [bill.bill_id for bill in entry.notice.bills] == body["bill_ids"]
    first, second = page.payments
    assert [e.payment_id for e in feed(client, after=first.cursor).payments] == [second.payment_id]
    one = feed(client, limit=1)
    assert [e.payment_id for e in one.payments] == [first.payment_id]
    assert one.next_cursor == first.cursor
    assert feed(client, after=second.cursor).next_cursor == second.cursor


def test_a_payment_the_biller_has_not_acknowledged_is_in_flight_and_in_the_feed_unacknowledged(
    api: tuple[TestClient, list[str]], platform: Platform
) -> None:
    client, meters = api
    pay(client, meters[0])  # fetches while billing answers: the switch keeps a copy
    found = client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": meters[1]}, headers=PORTAL
    )
    assert found.status_code == 200
    gateway = platform.biller
    assert isinstance(gateway, InProcessBillerGateway)
    gateway.reachable = False  # billing is down: the notice waits at the switch
    waiting = pay(client, meters[1])
    assert waiting["state"] == "debited"

    answer = client.post(paths.IN_FLIGHT, json={"customer_refs": meters[:2]}, headers=ELEC)
    assert answer.status_code == 200, answer.text
    in_flight = schema.InFlightAnswer.model_validate(answer.json())
    assert [p.payment_id for p in in_flight.payments] == [waiting["payment_id"]]
    assert in_flight.payments[0].bill_ids == waiting["bill_ids"]
    last = feed(client).payments[-1]
    assert (last.payment_id, last.acknowledged_at) == (waiting["payment_id"], None)


def test_only_a_biller_may_call_and_bad_pages_are_named_errors(
    api: tuple[TestClient, list[str]],
) -> None:
    client, _ = api
    refused = client.get(paths.FEED, headers=BEMO)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "NOT_ALLOWED")
    unsigned = client.get(paths.FEED)
    assert unsigned.status_code == 401
    for params in ({"limit": 0}, {"limit": 501}, {"after": -1}):
        bad = client.get(paths.FEED, params=params, headers=ELEC)
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR"), params
    empty = client.post(paths.IN_FLIGHT, json={"customer_refs": []}, headers=ELEC)
    assert empty.status_code == 422
