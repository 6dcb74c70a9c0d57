"""A small, hand-made world of billers and services for integration tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fawtara.billing.domain.tariffs import Block, Tariff
from fawtara.billing.use_cases.publishing import publish_cycle
from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller
from fawtara.kernel.billers import (
    ServiceKind,
)
from fawtara.kernel.money import Money, Rate
from fawtara.kernel.references import luhn_check_digit
from fawtara.switch.use_cases.billers import register_biller
from fawtara.wiring import Platform
from tests.fakes.billing_world import ELEC, ELEC_RESIDENTIAL, STE

STE_LANDLINE = Tariff(
    biller_code="STE",
    service_kind=ServiceKind.LANDLINE,
    tariff_class="residential",
    effective_from=date(2024, 3, 1),
    decision="STE prices of 1 March 2024",
    unit="unit",
    blocks=(Block(None, Rate.parse("0.026325")),),
    fixed_fee=Money.parse("17.55"),
    fixed_fee_label_en="Monthly rental",
    fixed_fee_label_ar="الاشتراك الشهري",
)


def meter(number: int) -> str:
    payload = f"{number:09d}"
    return payload + luhn_check_digit(payload)


@dataclass
class World:
    meters: list[str]
    service_ids: dict[str, int]
    landlines: list[str]


def build_world(platform: Platform, electricity_services: int = 5) -> World:
    """ELEC with `electricity_services` meters, STE with two landlines."""
    for biller in (ELEC, STE):
        register_billing_biller(platform.billing_uow(), biller, platform.clock)
        register_biller(platform.uow(), biller, platform.clock)  # the switch's registry
    for tariff in (ELEC_RESIDENTIAL, STE_LANDLINE):
        add_tariff(platform.billing_uow(), tariff, platform.clock)
    now = platform.clock.now()
    meters = [meter(100_000_000 + n) for n in range(electricity_services)]
    landlines = ["0112345678", "0212345678"]
    service_ids: dict[str, int] = {}
    with platform.billing_uow() as uow:
        for biller_code, kind, references in (
            ("ELEC", "electricity", meters),
            ("STE", "landline", landlines),
        ):
            customers = uow.customers.add(
                [
                    {
                        "biller_code": biller_code,
                        "name_ar": f"مشترك {n}",
                        "name_en": f"Subscriber {n}",
                        "msisdn": "+963933123456",
                        "governorate": "Damascus",
                        "language": "ar",
                        "created_at": now,
                    }
                    for n in range(len(references))
                ]
            )
            ids = uow.services.add(
                [
                    {
                        "biller_code": biller_code,
                        "customer_id": customer,
                        "kind": kind,
                        "reference": reference,
                        "tariff_class": "residential",
                        "state": "active",
                        "created_at": now,
                    }
                    for customer, reference in zip(customers, references, strict=True)
                ]
            )
            service_ids.update(zip(references, ids, strict=True))
        uow.commit()
    return World(meters, service_ids, landlines)


def usage_rows(rows: list[tuple[str, str, str, str]]) -> list[tuple[int, dict[str, str | None]]]:
    """CSV-like rows (biller, cycle, service_ref, quantity) numbered from line 2."""
    return [
        (line_no, {"biller": b, "cycle": c, "service_ref": s, "quantity": q})
        for line_no, (b, c, s, q) in enumerate(rows, start=2)
    ]


def publish_bills(platform: Platform, biller_code: str, cycle_id: str) -> int:
    """What the billing system does after a bill run: upload the cycle's bills to the switch
    (its copy, which counters sell from offline); returns the rows the switch holds."""
    link = platform.switch_link
    return publish_cycle(platform.billing_uow_factory(), link, biller_code, cycle_id)
