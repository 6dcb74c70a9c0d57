"""The payments file routes (docs/BILLER-API.md, "Payments file"), on both engines: what an
upload-mode biller downloads, and what its acknowledgement does at the switch."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fawtara.biller_api import paths, schema
from fawtara.kernel import limits
from fawtara.kernel.calendar import damascus_date
from fawtara.kernel.errors import PaymentNotReversible
from fawtara.switch.use_cases.payments import reverse_completed
from fawtara.wiring import Platform
from tests.upload_support import (
    BEMO,
    ELEC,
    PORTAL,
    STE,
    pay,
    payment_state,
    sms_queued,
    upload_world,
)


def files(client: TestClient, **params: str) -> list[schema.PaymentsFile]:
    answer = client.get(paths.PAYMENT_FILES, params=params, headers=ELEC)
    assert answer.status_code == 200, answer.text
    return schema.PaymentFiles.model_validate(answer.json()).files


def ack(client: TestClient, file_id: str, receipts: dict[str, str], headers: Any = ELEC) -> Any:
    body = {"receipts": receipts}
    return client.post(paths.payment_file_ack(file_id), json=body, headers=headers)


def code(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_payments_wait_for_a_file_that_stays_the_same_until_acknowledged(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    client = world.client
    paid = [pay(client, meter) for meter in world.meters[:2]]
    assert [p["state"] for p in paid] == ["debited", "debited"], "no notice to ELEC"

    first = files(client)
    day = damascus_date(world.platform.clock.now())
    assert [f.file_id for f in first] == [f"PF-ELEC-{day:%Y%m%d}-01"]
    assert [p.payment_id for p in first[0].payments] == [p["payment_id"] for p in paid]
    notice = first[0].payments[0].notice
    assert (notice.biller, notice.customer_ref, notice.amount_minor) == (
        "ELEC",
        paid[0]["customer_ref"],
        paid[0]["amount_minor"],
    )
    assert files(client) == first, "a file once cut is the same on every download"

    later = pay(client, world.meters[2])
    second = files(client)
    assert second[0] == first[0] and len(second) == 2
    assert second[1].file_id == f"PF-ELEC-{day:%Y%m%d}-02"
    assert [p.payment_id for p in second[1].payments] == [later["payment_id"]]
    assert files(client, after=first[0].file_id) == second[1:]
    in_flight = client.post(paths.IN_FLIGHT, json={"customer_refs": world.meters}, headers=ELEC)
    assert len(in_flight.json()["payments"]) == 3, "all in flight until acknowledged"


def test_an_acknowledgement_completes_each_payment_as_a_notice_answer_does(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    client = world.client
    paid = [pay(client, meter) for meter in world.meters[:2]]
    (found,) = files(client)
    receipts = {p["payment_id"]: f"ELEC-R{n}" for n, p in enumerate(paid, start=1)}

    answer = ack(client, found.file_id, receipts)
    assert answer.status_code == 204, answer.text
    for p in paid:
        assert payment_state(world.platform, p["payment_id"]) == "completed"
        assert sms_queued(world.platform, p["payment_id"]) == 1
    in_flight = client.post(paths.IN_FLIGHT, json={"customer_refs": world.meters}, headers=ELEC)
    assert in_flight.json()["payments"] == []
    feed = schema.AcceptanceFeed.model_validate(client.get(paths.FEED, headers=ELEC).json())
    assert all(entry.acknowledged_at is not None for entry in feed.payments)
    assert files(client) == [], "an acknowledged file is no longer listed"
    fetched = client.post(
        "/v1/bills/fetch",
        json={"biller": "ELEC", "customer_ref": world.meters[0]},
        headers={"X-Api-Key": "PORTAL.portal-secret"},
    )
    assert fetched.json()["bills"][0]["status"] == "paid", "the switch's copy is updated"

    again = ack(client, found.file_id, receipts)
    assert again.status_code == 204, "the same acknowledgement again answers the same"
    assert all(sms_queued(world.platform, p["payment_id"]) == 1 for p in paid)
    other = ack(client, found.file_id, {paid[0]["payment_id"]: "ELEC-R9"})
    assert code(other) == (409, "PAYMENT_FILE_ACK_CONFLICT")


def test_a_payment_without_a_receipt_was_refused_and_its_money_goes_back(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    client = world.client
    kept, refused = (pay(client, meter) for meter in world.meters[:2])
    (found,) = files(client)
    assert ack(client, found.file_id, {kept["payment_id"]: "ELEC-R1"}).status_code == 204
    assert payment_state(world.platform, kept["payment_id"]) == "completed"
    assert payment_state(world.platform, refused["payment_id"]) in ("returning", "returned")
    assert sms_queued(world.platform, refused["payment_id"]) == 0


def test_bad_acknowledgements_are_named_errors_and_change_nothing(platform: Platform) -> None:
    world = upload_world(platform)
    client = world.client
    paid = pay(client, world.meters[0])
    (found,) = files(client)

    assert code(ack(client, "PF-ELEC-20000101-01", {})) == (404, "PAYMENT_FILE_UNKNOWN")
    assert code(ack(client, found.file_id, {}, headers=STE)) == (404, "PAYMENT_FILE_UNKNOWN")
    stranger = {paid["payment_id"]: "R1", "PAY-NOT-IN-FILE": "R2"}
    assert code(ack(client, found.file_id, stranger)) == (422, "PAYMENT_NOT_IN_FILE")
    extra = client.post(
        paths.payment_file_ack(found.file_id),
        json={"receipts": {}, "note": "x"},
        headers=ELEC,
    )
    assert code(extra) == (422, "VALIDATION_ERROR")
    not_json = client.post(paths.payment_file_ack(found.file_id), content=b"{", headers=ELEC)
    assert not_json.status_code == 422
    long_receipt = {paid["payment_id"]: "R" * 65}
    assert code(ack(client, found.file_id, long_receipt))[0] == 422
    assert payment_state(world.platform, paid["payment_id"]) == "debited"
    assert files(client) == [found], "the file is still open, unchanged"
    assert code(client.get(paths.PAYMENT_FILES, params={"after": "PF-X"}, headers=ELEC)) == (
        404,
        "PAYMENT_FILE_UNKNOWN",
    )
    assert code(client.get(paths.PAYMENT_FILES, headers=BEMO)) == (403, "NOT_ALLOWED")
    assert client.get(paths.PAYMENT_FILES).status_code == 401


def test_an_online_biller_has_no_payments_files(platform: Platform) -> None:
    world = upload_world(platform)
    answer = world.client.get(paths.PAYMENT_FILES, headers=STE)
    assert answer.status_code == 200 and answer.json() == {"files": []}


def test_a_payment_waiting_for_its_file_is_answered_at_once(platform: Platform) -> None:
    world = upload_world(platform)
    found = world.client.post(
        "/v1/bills/fetch", json={"biller": "ELEC", "customer_ref": world.meters[0]}, headers=PORTAL
    )
    bill = found.json()["bills"][0]
    body = {
        "payment_id": str(uuid.uuid4()),
        "channel": "portal",
        "biller": "ELEC",
        "customer_ref": world.meters[0],
        "bill_ids": [bill["bill_id"]],
        "amount_minor": bill["amount_due_minor"],
        "currency": "SYP",
        "payer": {"bank": "BEMO", "account": "0100200300"},
        "msisdn": "+963933123456",
    }
    # No final state comes before the biller collects its file: the answer does not wait.
    answer = world.client.post("/v1/payments?wait=5", json=body, headers=PORTAL)
    assert (answer.status_code, answer.json()["state"]) == (200, "debited")


def test_an_upload_mode_billers_payment_is_not_reversed_behind_its_back(
    platform: Platform,
) -> None:
    world = upload_world(platform)
    paid = pay(world.client, world.meters[0])
    (found,) = files(world.client)
    assert ack(world.client, found.file_id, {paid["payment_id"]: "R1"}).status_code == 204
    switch = world.client.app.state.switch  # type: ignore[attr-defined]
    with world.platform.uow(readonly=True) as uow:
        payment = uow.payments.get(paid["payment_id"])
    assert payment is not None
    with pytest.raises(PaymentNotReversible, match="upload mode"):
        reverse_completed(switch, payment, "OPS", "asked", world.platform.clock.now())
    assert payment_state(world.platform, paid["payment_id"]) == "completed"


def test_a_file_holds_a_bounded_number_of_payments_and_open_files_are_bounded(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "payments_per_file_max", 2)  # 500 in production
    monkeypatch.setattr(limits, "payment_files_open_max", 1)  # 10 in production
    world = upload_world(platform)
    client = world.client
    paid = [pay(client, meter)["payment_id"] for meter in world.meters]
    (first,) = files(client)
    assert [p.payment_id for p in first.payments] == paid[:2]
    assert files(client) == [first], "no second file while the first is open"
    assert ack(client, first.file_id, dict.fromkeys(paid[:2], "R")).status_code == 204
    (second,) = files(client)
    assert [p.payment_id for p in second.payments] == paid[2:]
    assert second.file_id.endswith("-02")
