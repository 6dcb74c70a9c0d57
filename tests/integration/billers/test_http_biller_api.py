"""The switch's Biller API client against the billing service, over a real TCP socket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from fawtara.biller_api.conformance import CASES, Fixture, run_conformance
from fawtara.billing.entrypoints.api import create_billing_app
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.kernel.errors import PaymentIdReused, UnknownService
from fawtara.kernel.notices import PostPayment
from fawtara.switch.adapters.billers.http_gateway import HttpBillerGateway
from fawtara.switch.use_cases.ports import BillerUnreachable
from fawtara.wiring import Platform
from tests.station_support import served
from tests.support import build_world, usage_rows
from tests.support import meter as support_meter

KEY = "SWITCH.test-key"


@pytest.fixture
def billing(platform: Platform) -> Iterator[tuple[HttpBillerGateway, str, str]]:
    platform = replace(platform, settings=replace(platform.settings, biller_api_key=KEY))
    world = build_world(platform, electricity_services=1)
    meter = world.meters[0]
    rows = usage_rows([("ELEC", "2026-B5", meter, "400")])
    import_usage(platform.billing_uow_factory(), rows, "u.csv", platform.clock)
    run_bill_run(platform.billing_uow_factory(), "ELEC", "2026-B5", platform.clock)
    with served(create_billing_app(platform)) as base:
        yield HttpBillerGateway({"ELEC": base}, KEY, 5.0), base, meter


def notice(meter: str, bill_id: str, amount: int, when: object) -> PostPayment:
    return PostPayment("p-1", "ELEC", meter, (bill_id,), amount, "SYP", "bank", when)  # type: ignore[arg-type]


def test_inquiry_notice_replay_conflict_status_and_reversal(
    billing: tuple[HttpBillerGateway, str, str], platform: Platform
) -> None:
    gateway, base, meter = billing
    customer = gateway.inquire("ELEC", meter)
    assert customer.reference == meter and len(customer.bills) == 1
    bill = customer.bills[0]
    command = notice(meter, bill.id, bill.amount_minor, platform.clock.now())
    first = gateway.post(command)
    assert first.bills == ((bill.id, bill.amount_minor, "paid"),)
    assert gateway.post(command).receipt_id == first.receipt_id  # same id, same body: same answer
    with pytest.raises(PaymentIdReused):
        gateway.post(replace(command, channel="portal"))
    status = httpx.get(f"{base}/biller-api/v1/billers/ELEC/notices/p-1", headers={"X-Api-Key": KEY})
    assert status.status_code == 200 and status.json()["biller_receipt_id"] == first.receipt_id
    gateway.reverse("ELEC", "p-1", "returned to the payer")
    assert gateway.inquire("ELEC", meter).bills[0].status.value == "issued"
    gateway.reverse("ELEC", "p-1", "a retry")  # once only, and a retry is no error


def test_unknown_customer_unknown_notice_and_a_wrong_key_are_named_errors(
    billing: tuple[HttpBillerGateway, str, str],
) -> None:
    gateway, base, _meter = billing
    with pytest.raises(UnknownService):
        gateway.inquire("ELEC", "9999999999")
    missing = httpx.get(
        f"{base}/biller-api/v1/billers/ELEC/notices/none", headers={"X-Api-Key": KEY}
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "NOTICE_UNKNOWN")
    wrong = httpx.get(f"{base}/biller-api/v1/billers/ELEC/notices/none", headers={"X-Api-Key": "x"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "UNAUTHENTICATED")


def test_a_biller_that_does_not_answer_is_unreachable_not_a_refusal() -> None:
    gateway = HttpBillerGateway({"ELEC": "http://127.0.0.1:9"}, KEY, 0.5)
    with pytest.raises(BillerUnreachable):
        gateway.inquire("ELEC", "1234567890")


def test_the_billing_service_passes_every_case_of_the_conformance_kit(
    billing: tuple[HttpBillerGateway, str, str], platform: Platform
) -> None:
    gateway, base, meter = billing
    before = gateway.inquire("ELEC", meter).bills
    with httpx.Client(base_url=base) as client:
        # a well-formed meter number (Luhn) that ELEC does not know: the billing service
        # checks the reference's form first (INVALID_CUSTOMER_REFERENCE otherwise)
        fixture = Fixture(meter, unknown_customer_ref=support_meter(199_999_999))
        results = run_conformance(client, "ELEC", KEY, fixture, 5.0)
    assert [r.name for r in results] == [case.name for case in CASES]
    assert {r.name: r.detail for r in results if not r.passed} == {}
    assert gateway.inquire("ELEC", meter).bills == before  # the kit leaves the bills as found
