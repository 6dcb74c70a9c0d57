"""The demo seed (`fawtara demo seed`) against a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import pytest
from sqlalchemy import Engine, func, select

from fawtara.billing.domain.tariffs import Tariff
from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.config import Settings
from fawtara.demo import data
from fawtara.demo.seed import DEMO_SUBSCRIBERS_MAX, seed_demo
from fawtara.demo.tariffs import demo_tariffs
from fawtara.kernel.billers import PaymentRuleKind, ServiceKind
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import ValidationError
from fawtara.storage import schema, tables
from fawtara.storage.engine import make_engine
from fawtara.switch.use_cases.ledger import verify_ledger
from fawtara.wiring import Platform

SUBSCRIBERS = 350  # the default of `fawtara demo seed`
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def make_platform(folder: Path) -> Platform:
    """The switch's store and the billers' billing store, two SQLite files as in `make run`."""
    folder.mkdir(parents=True, exist_ok=True)
    url, billing_url = f"sqlite:///{folder / 'fawtara.db'}", f"sqlite:///{folder / 'billing.db'}"
    engine, billing = make_engine(url), make_engine(billing_url)
    schema.upgrade(engine)
    schema.upgrade(billing, system=schema.BILLING)
    settings = Settings(url, "127.0.0.1", 8000, billing_database_url=billing_url)
    return Platform(settings, engine, ManualClock(NOW), billing)


def dispose(platform: Platform) -> None:
    platform.engine.dispose()
    platform.billing_store().dispose()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Platform]:
    platform = make_platform(tmp_path / "fresh")
    yield platform
    dispose(platform)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = make_platform(tmp_path_factory.mktemp("seed"))
    seed_demo(platform, SUBSCRIBERS)
    yield platform
    dispose(platform)


def billing(platform: Platform) -> Engine:
    return platform.billing_store()


def rows(engine: Engine, query: object) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[call-overload]


def table_counts(platform: Platform) -> dict[str, int]:
    """Rows per table of both stores (the tables they both have, counted in each)."""
    counts: dict[str, int] = {}
    for store, engine, metadata in (
        ("switch", platform.engine, tables.switch_metadata),
        ("billing", billing(platform), tables.billing_metadata),
    ):
        with engine.connect() as connection:
            for name, table in metadata.tables.items():
                query = select(func.count()).select_from(table)
                counts[f"{store}.{name}"] = connection.execute(query).scalar_one()
    return counts


def snapshot(platform: Platform) -> tuple[dict[str, int], list[tuple[object, ...]]]:
    return table_counts(platform), rows(billing(platform), select(tables.bill_runs))


# --- Idempotency ------------------------------------------------------------


def test_seeding_twice_changes_nothing_the_second_time(fresh: Platform) -> None:
    first = seed_demo(fresh, 40)
    before = snapshot(fresh)
    second = seed_demo(fresh, 40)
    assert snapshot(fresh) == before
    assert first.startswith("demo seeded")
    assert second.startswith("demo data already there")
    # 5 switch accounts, 3 banks, 3 billers, the cash drawers of the 2 demo counters
    assert "3 billers" in second and "13 ledger accounts" in second


def test_a_seed_stopped_half_way_is_finished_by_the_next_run(
    fresh: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash_on_water(uow_factory, biller_code, cycle_id, clock):  # type: ignore[no-untyped-def]
        if biller_code == data.WATER.code:
            raise RuntimeError("killed")
        return run_bill_run(uow_factory, biller_code, cycle_id, clock)

    monkeypatch.setattr("fawtara.demo.seed.run_bill_run", crash_on_water)
    with pytest.raises(RuntimeError):
        seed_demo(fresh, 40)
    monkeypatch.undo()
    assert seed_demo(fresh, 40).startswith("demo seeded")

    whole = make_platform(tmp_path / "whole")
    seed_demo(whole, 40)
    assert table_counts(fresh) == table_counts(whole)
    dispose(whole)


def test_the_demo_is_the_same_on_every_machine(fresh: Platform, seeded: Platform) -> None:
    seed_demo(fresh, SUBSCRIBERS)
    query = (
        select(
            tables.services.c.biller_code,
            tables.services.c.reference,
            tables.customers.c.name_ar,
            tables.customers.c.msisdn,
        )
        .join(tables.customers)
        .order_by(tables.services.c.id)
    )
    assert rows(billing(fresh), query) == rows(billing(seeded), query)


def test_a_subscriber_count_out_of_range_is_refused(fresh: Platform) -> None:
    with pytest.raises(ValidationError):
        seed_demo(fresh, -1)
    with pytest.raises(ValidationError):
        seed_demo(fresh, DEMO_SUBSCRIBERS_MAX + 1)


# --- What the seed creates --------------------------------------------------


def test_the_seed_creates_three_billers_and_about_a_thousand_customers(seeded: Platform) -> None:
    counts = table_counts(seeded)
    assert counts["switch.billers"] == counts["billing.billers"] == 3
    assert counts["billing.customers"] == 3 * SUBSCRIBERS
    assert counts["billing.tariffs"] == len(demo_tariffs("STE", "ELEC", "WATER"))
    with seeded.uow(readonly=True) as uow:
        telecom, electricity, water = (uow.billers.get(b.code) for b in data.DEMO_BILLERS)
    assert telecom is not None and electricity is not None and water is not None
    assert set(telecom.service_kinds) == {ServiceKind.LANDLINE, ServiceKind.INTERNET}
    assert electricity.payment_rule.kind is PaymentRuleKind.PARTIAL
    assert "counter" not in water.channels


def test_some_telecom_customers_have_both_a_landline_and_internet(seeded: Platform) -> None:
    s = tables.services.c
    query = (
        select(s.customer_id)
        .where(s.biller_code == "STE")
        .group_by(s.customer_id)
        .having(func.count() == 2)
    )
    assert len(rows(billing(seeded), query)) > SUBSCRIBERS // 5


def test_every_landline_reference_is_a_valid_fixed_line_of_its_governorate(
    seeded: Platform,
) -> None:
    codes = {g.name_en: {a.code for a in g.area_codes} for g in data.GOVERNORATES}
    query = (
        select(tables.services.c.reference, tables.customers.c.governorate)
        .join(tables.customers)
        .where(tables.services.c.kind == "landline")
    )
    found = rows(billing(seeded), query)
    assert len(found) == SUBSCRIBERS
    for reference, governorate in found:
        assert isinstance(reference, str) and isinstance(governorate, str)
        number = phonenumbers.parse(reference, "SY")
        assert phonenumbers.is_valid_number(number), reference
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
        assert "0" + phonenumbers.national_significant_number(number) == reference
        assert any(reference.startswith(code) for code in codes[governorate]), reference


def test_every_msisdn_is_a_valid_syrian_mobile_number(seeded: Platform) -> None:
    found = [m for (m,) in rows(billing(seeded), select(tables.customers.c.msisdn)) if m]
    assert len(found) > 0.9 * 3 * SUBSCRIBERS
    for msisdn in found:
        assert isinstance(msisdn, str) and msisdn.startswith("+9639")
        number = phonenumbers.parse(msisdn)
        assert phonenumbers.is_valid_number(number), msisdn
        assert phonenumbers.region_code_for_number(number) == "SY"
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == msisdn


def luhn_valid(number: str) -> bool:
    """Written again here, so the check does not trust the code under test."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


@pytest.mark.parametrize(("kind", "length"), [("electricity", 10), ("water", 8)])
def test_every_meter_reference_passes_the_luhn_check(
    seeded: Platform, kind: str, length: int
) -> None:
    query = select(tables.services.c.reference).where(tables.services.c.kind == kind)
    found = [str(reference) for (reference,) in rows(billing(seeded), query)]
    assert len(found) == SUBSCRIBERS
    for reference in found:
        assert reference.isdigit() and len(reference) == length, reference
        assert luhn_valid(reference), reference


def test_internet_references_are_net_and_eight_digits(seeded: Platform) -> None:
    query = select(tables.services.c.reference).where(tables.services.c.kind == "internet")
    for (reference,) in rows(billing(seeded), query):
        assert isinstance(reference, str)
        assert reference.startswith("NET") and reference[3:].isdigit() and len(reference) == 11


def test_the_customers_cover_all_fourteen_governorates(seeded: Platform) -> None:
    found = {g for (g,) in rows(billing(seeded), select(tables.customers.c.governorate).distinct())}
    assert found == {g.name_en for g in data.GOVERNORATES}
    assert len(found) == 14


def test_customers_have_arabic_names_and_english_transliterations(seeded: Platform) -> None:
    query = select(tables.customers.c.name_ar, tables.customers.c.name_en)
    for name_ar, name_en in rows(billing(seeded), query):
        assert isinstance(name_ar, str) and isinstance(name_en, str)
        assert all("\u0600" <= c <= "\u06ff" or c == " " for c in name_ar), name_ar
        assert name_en.isascii() and len(name_en.split()) >= 3, name_en


# --- Usage and bills --------------------------------------------------------


def test_the_bill_count_equals_the_active_services_with_usage(seeded: Platform) -> None:
    s, u = tables.services.c, tables.usage_records.c
    with_usage = (
        select(func.count())
        .select_from(tables.services.join(tables.usage_records, u.service_id == s.id))
        .where(s.state == "active")
    )
    bills = select(func.count()).select_from(tables.bills)
    assert rows(billing(seeded), bills) == rows(billing(seeded), with_usage)
    unread = rows(billing(seeded), select(func.sum(tables.bill_runs.c.services_without_usage)))
    assert unread[0][0], "some meters are left unread, so the demo shows unbilled services"


def test_the_switch_holds_a_copy_of_every_open_bill_uploaded_by_its_biller(
    seeded: Platform,
) -> None:
    b, p = tables.bills.c, tables.presented_bills.c
    billed = rows(billing(seeded), select(b.id, b.amount_minor).where(b.amount_minor > 0))
    copied = rows(seeded.engine, select(p.id, p.amount_minor).where(p.amount_minor > 0))
    assert billed and sorted(copied) == sorted(billed)
    assert not {"bills", "services", "customers"} & set(tables.switch_metadata.tables)


def test_each_biller_is_billed_for_its_demo_cycle(seeded: Platform) -> None:
    b = tables.bills.c
    query = select(b.biller_code, b.cycle_id, b.issued_on, b.due_on).distinct()
    found = {row[0]: row[1:] for row in rows(billing(seeded), query)}
    assert set(found) == {"STE", "ELEC", "WATER"}
    assert found["STE"][0] == data.TELECOM_CYCLE
    assert found["ELEC"][0] == found["WATER"][0] == data.METER_CYCLE
    for _, issued_on, due_on in found.values():
        assert str(issued_on) == "2026-11-01" and str(due_on) == "2026-12-01"


def test_at_least_one_water_bill_prices_the_whole_quantity(seeded: Platform) -> None:
    query = select(tables.bills.c.lines).where(tables.bills.c.biller_code == "WATER")
    whole = [
        lines
        for (lines,) in rows(billing(seeded), query)
        if any(
            line["en"].endswith("(whole quantity m3)")
            for line in (json.loads(lines) if isinstance(lines, str) else lines)
        )  # type: ignore[union-attr]
    ]
    assert whole


def test_the_ledger_is_balanced_and_holds_the_chart_of_accounts(seeded: Platform) -> None:
    report = verify_ledger(seeded.uow(readonly=True))
    assert report.balanced
    codes = {code for (code,) in rows(seeded.engine, select(tables.ledger_accounts.c.code))}
    assert {
        "biller:STE:payable",
        "biller:ELEC:payable",
        "biller:WATER:payable",
        "bank:CBSY:settlement",
        "bank:BEMO:settlement",
        "bank:BARAKA:settlement",
        "switch:suspense",
        "switch:cash_rounding",
    } <= codes


# --- The tariffs, as worked examples from reference/syria.md -----------------


def tariff(kind: ServiceKind, tariff_class: str) -> Tariff:
    return next(
        t
        for t in demo_tariffs("STE", "ELEC", "WATER")
        if t.service_kind is kind and t.tariff_class == tariff_class
    )


def total_minor(t: Tariff, quantity: int) -> int:
    return sum(line.amount_minor for line in t.price(quantity))


def test_the_official_400_kwh_estimate_costs_3200_new_pounds() -> None:
    # 300 × 600 + 100 × 1,400 = 320,000 old SYP a cycle (§3) = 3,200.00 new.
    assert total_minor(tariff(ServiceKind.ELECTRICITY, "residential"), 400) == 320_000


def test_a_commercial_kwh_costs_14_new_pounds() -> None:
    assert total_minor(tariff(ServiceKind.ELECTRICITY, "commercial"), 1_000) == 1_400_000


def test_the_landline_rental_and_call_unit_carry_both_increases() -> None:
    landline = tariff(ServiceKind.LANDLINE, "residential")
    assert landline.fixed_fee is not None and landline.fixed_fee.amount_minor == 1_755
    assert landline.blocks[0].rate.to_text() == "0.026325"
    # 17.55 + 200 units × 0.026325 = 17.55 + 5.265 → 5.27 (half up) = 22.82.
    assert total_minor(landline, 200) == 2_282


def test_the_1_mbit_adsl_package_rounds_a_half_qirsh_up() -> None:
    # 4,500 old × 1.30 × 1.35 = 7,897.5 old = 78.975 new → 78.98.
    package = tariff(ServiceKind.INTERNET, "adsl-1m")
    assert package.fixed_fee is not None and package.fixed_fee.amount_minor == 7_898
    assert total_minor(package, 0) == 7_898


@pytest.mark.parametrize(
    ("cubic_metres", "minor"),
    [
        (5, 0),  # the first 5 m³ are free
        (20, 70 + 75),  # 10 × 0.07 + 5 × 0.15
        (50, 70 + 150 + 220 + 2_250),  # blocks 1–5, incremental
        (60, 24_000),  # 60 × 4.00, the whole quantity
        (100, 150_000),  # 100 × 15.00
        (130, 390_000),  # 130 × 30.00
    ],
)
def test_the_water_tariff_prices_the_upper_blocks_on_the_whole_quantity(
    cubic_metres: int, minor: int
) -> None:
    assert total_minor(tariff(ServiceKind.WATER, "household"), cubic_metres) == minor


def test_the_demo_payments_move_money_in_balanced_books_and_pay_their_bills(
    seeded: Platform,
) -> None:
    from sqlalchemy import func, select

    from fawtara.demo.payments import DEMO_PAYMENTS_PER_BILLER
    from fawtara.storage import tables
    from fawtara.switch.use_cases.ledger import verify_ledger

    platform = seeded
    with billing(platform).connect() as connection:
        postings = connection.execute(select(func.count()).select_from(tables.biller_postings))
        assert postings.scalar_one() == 3 * DEMO_PAYMENTS_PER_BILLER
    report = verify_ledger(platform.uow(readonly=True))
    # each payment: one pending reservation and the transfer that posts it
    assert report.balanced and report.transfers_checked == 2 * 3 * DEMO_PAYMENTS_PER_BILLER
