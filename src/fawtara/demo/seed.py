"""`fawtara demo seed`: the demo data that `make run` starts with.

Three billers (Syrian Telecom with landline and internet, Damascus
electricity, Damascus water) with the current published tariffs in new
pounds (demo/tariffs.py), about `subscribers` customers per biller with
Arabic names and valid numbers, usage for one cycle, that cycle's bills (in
the billing store, then uploaded to the switch as bill files), and the chart
of accounts of the switch.

It runs on every `make run`, so it is idempotent: once every demo bill run
has completed it writes nothing and says the data is there. Each step is
also safe to repeat on its own, so a seed killed half-way is finished by the
next run instead of leaving a half-empty demo: billers and tariffs are added
unless present, accounts opened unless open, a biller's customers, services
and usage are written in one transaction only while it has no services, and
a bill run picks up where it stopped.

The subscribers are pseudo-random but the same on every machine (one
`random.Random` per biller, seeded by its code). Every number is checked by
the same functions that check a subscriber's input (kernel/references.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import ColumnElement, Table, func, select

from fawtara.billing.use_cases.bill_run import run_bill_run
from fawtara.billing.use_cases.publishing import publish_cycle
from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller
from fawtara.demo import data
from fawtara.demo.counters import register_demo_counters
from fawtara.demo.participants import register_demo_participants
from fawtara.demo.payments import pay_demo_bills
from fawtara.demo.tariffs import ADSL_PACKAGES, demo_tariffs
from fawtara.kernel.billers import ServiceKind, ServiceState
from fawtara.kernel.errors import ValidationError
from fawtara.kernel.references import (
    luhn_check_digit,
    normalise_landline,
    normalise_mobile,
    normalise_reference,
)
from fawtara.storage import tables
from fawtara.storage.uow import SqlUnitOfWork
from fawtara.switch.domain import accounts
from fawtara.switch.use_cases.billers import register_biller
from fawtara.switch.use_cases.ledger import open_accounts
from fawtara.wiring import Platform

# Per biller. Ten thousand keeps a seed within seconds and every numbering
# space of the demo (a million numbers per area code) far from exhausted.
DEMO_SUBSCRIBERS_MAX = 10_000
# Drawing a number already taken is rare; this many misses in a row is a bug.
UNIQUE_ATTEMPTS_MAX = 1_000

USAGE_SOURCE = "demo-seed"

# Shapes of the demo population (plausible, not statistics).
NO_MOBILE_SHARE = 0.05  # subscribers without a mobile number: no SMS for them
ENGLISH_SHARE = 0.05  # subscribers who asked for English messages
INTERNET_SHARE = 0.40  # landline subscribers who also have ADSL
ADSL_WEIGHTS = {"adsl-1m": 50, "adsl-2m": 35, "adsl-4m": 15}
COMMERCIAL_SHARE = 0.10  # electricity services on the commercial tariff
UNREAD_METER_SHARE = 0.02  # meters without a reading this cycle: not billed
CALL_UNITS_MAX = 600
# (lowest, highest m³ per cycle, weight): a quarter of the homes reach the
# whole-quantity blocks of the water tariff (above 50 m³).
WATER_BANDS: tuple[tuple[int, int, int], ...] = (
    (5, 35, 55),
    (36, 50, 20),
    (51, 80, 15),
    (81, 120, 7),
    (121, 140, 3),
)

assert set(ADSL_WEIGHTS) == {package[0] for package in ADSL_PACKAGES}


@dataclass(frozen=True, slots=True)
class DemoService:
    kind: ServiceKind
    reference: str
    tariff_class: str
    quantity: int | None  # usage in the demo cycle; None: the meter was not read


@dataclass(frozen=True, slots=True)
class DemoSubscriber:
    name_ar: str
    name_en: str
    msisdn: str | None
    governorate: str
    language: str
    services: tuple[DemoService, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    billers: int
    customers: int
    services: int
    bills: int
    accounts: int

    def __str__(self) -> str:
        return (
            f"{self.billers} billers, {self.customers} customers, {self.services} services, "
            f"{self.bills} bills, {self.accounts} ledger accounts"
        )


def seed_demo(platform: Platform, subscribers: int) -> str:
    """Seed the demo once; a one-line summary of what the database holds."""
    if not 0 <= subscribers <= DEMO_SUBSCRIBERS_MAX:
        raise ValidationError(
            f"subscribers per biller must be 0..{DEMO_SUBSCRIBERS_MAX}, got {subscribers}",
            f"عدد المشتركين لكل جهة مفوترة يجب أن يكون بين 0 و{DEMO_SUBSCRIBERS_MAX}",
        )
    if is_seeded(platform):
        register_demo_participants(platform)  # finishes a seed killed half-way
        register_demo_counters(platform)
        publish_demo_bills(platform)  # the switch's copy (a replayed file applies nothing)
        pay_demo_bills(platform)  # (all three write nothing when all is there)
        return f"demo data already there, nothing seeded: {count_rows(platform)}"
    register_billers(platform)
    open_chart_of_accounts(platform)
    for biller in data.DEMO_BILLERS:
        add_subscribers(platform, biller.code, subscribers)
    for biller in data.DEMO_BILLERS:
        cycle = data.CYCLES[biller.code]
        if bill_run_status(platform, biller.code, cycle) != "completed":
            run_bill_run(platform.billing_uow_factory(), biller.code, cycle, platform.clock)
    publish_demo_bills(platform)
    register_demo_participants(platform)
    register_demo_counters(platform)
    payments = pay_demo_bills(platform)
    return (
        f"demo seeded with {payments} bank payments ({data.TELECOM.code} "
        f"{data.TELECOM_CYCLE}, {data.ELECTRICITY.code} and {data.WATER.code} "
        f"{data.METER_CYCLE}): {count_rows(platform)}"
    )


def bill_run_status(platform: Platform, biller_code: str, cycle_id: str) -> str | None:
    with platform.billing_uow(readonly=True) as uow:
        status = uow.bill_runs.status(biller_code, cycle_id)
    return None if status is None else str(status["status"])


def is_seeded(platform: Platform) -> bool:
    """True when every demo bill run completed: the last step of a seed."""
    return all(
        bill_run_status(platform, biller.code, data.CYCLES[biller.code]) == "completed"
        for biller in data.DEMO_BILLERS
    )


def register_billers(platform: Platform) -> None:
    """Each biller in its own billing system and at the switch, which connects it."""
    for biller in data.DEMO_BILLERS:
        register_billing_biller(platform.billing_uow(), biller, platform.clock)
        register_biller(platform.uow(), biller, platform.clock)
    for tariff in demo_tariffs(data.TELECOM.code, data.ELECTRICITY.code, data.WATER.code):
        add_tariff(platform.billing_uow(), tariff, platform.clock)


def publish_demo_bills(platform: Platform) -> None:
    """Each billing system uploads its cycle's bills to the switch, as after every bill run;
    a biller whose bills the switch holds already is left alone (a seed run again)."""
    for biller in data.DEMO_BILLERS:
        with platform.uow(readonly=True) as uow:
            bills = tables.presented_bills
            if count_where(uow, bills, bills.c.biller_code == biller.code):
                continue
        cycle = data.CYCLES[biller.code]
        publish_cycle(platform.billing_uow_factory(), platform.switch_link, biller.code, cycle)


def open_chart_of_accounts(platform: Platform) -> None:
    specs = [
        *accounts.SWITCH_ACCOUNTS,
        *(accounts.biller_payable(biller.code, biller.name_ar) for biller in data.DEMO_BILLERS),
        *(accounts.bank_settlement(bank.code, bank.name_ar) for bank in data.DEMO_BANKS),
    ]
    open_accounts(platform.uow(), specs, platform.clock)


def add_subscribers(platform: Platform, biller_code: str, count: int) -> None:
    """Customers, services and one cycle's usage of a biller, in one transaction."""
    rng = random.Random(f"fawtara-demo-{biller_code}")
    with platform.billing_uow() as uow:
        if count_where(uow, tables.services, tables.services.c.biller_code == biller_code):
            return  # seeded already, or real services: never mix demo data in
        if biller_code == data.TELECOM.code:
            people = telecom_subscribers(rng, count)
        elif biller_code == data.ELECTRICITY.code:
            people = meter_subscribers(rng, ServiceKind.ELECTRICITY, count)
        else:
            people = meter_subscribers(rng, ServiceKind.WATER, count)
        insert_subscribers(uow, biller_code, people, platform)
        uow.commit()


def insert_subscribers(
    uow: SqlUnitOfWork, biller_code: str, people: Sequence[DemoSubscriber], platform: Platform
) -> None:
    if not people:
        return
    now = platform.clock.now()
    customer_ids = uow.customers.add(
        [
            {
                "biller_code": biller_code,
                "name_ar": p.name_ar,
                "name_en": p.name_en,
                "msisdn": p.msisdn,
                "governorate": p.governorate,
                "language": p.language,
                "created_at": now,
            }
            for p in people
        ]
    )
    owned = [
        (customer_id, service)
        for customer_id, person in zip(customer_ids, people, strict=True)
        for service in person.services
    ]
    service_ids = uow.services.add(
        [
            {
                "biller_code": biller_code,
                "customer_id": customer_id,
                "kind": service.kind.value,
                "reference": service.reference,
                "tariff_class": service.tariff_class,
                "state": ServiceState.ACTIVE.value,
                "created_at": now,
            }
            for customer_id, service in owned
        ]
    )
    cycle_id = data.CYCLES[biller_code]
    uow.usage.add(
        [
            {
                "service_id": service_id,
                "cycle_id": cycle_id,
                "biller_code": biller_code,
                "quantity": service.quantity,
                "source": USAGE_SOURCE,
                "imported_at": now,
            }
            for service_id, (_, service) in zip(service_ids, owned, strict=True)
            if service.quantity is not None
        ]
    )


# --- The subscribers --------------------------------------------------------


class UniqueNumbers:
    """Draws numbers until one is new: references are unique per biller."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def draw(self, make: Callable[[], str]) -> str:
        for _ in range(UNIQUE_ATTEMPTS_MAX):
            candidate = make()
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise AssertionError(f"no unused number after {UNIQUE_ATTEMPTS_MAX} draws")


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def mobile_number(rng: random.Random) -> str:
    prefixes = [prefix for prefix, _ in data.MOBILE_PREFIXES]
    weights = [weight for _, weight in data.MOBILE_PREFIXES]
    prefix = rng.choices(prefixes, weights)[0]
    return normalise_mobile(f"+963{prefix}{digits(rng, 7)}")


def landline_number(rng: random.Random, governorate: data.Governorate) -> str:
    area = governorate.area_codes[0] if rng.random() < 0.7 else rng.choice(governorate.area_codes)
    # Subscriber numbers in service start with 2..7 (0 and 1 lead to trunk
    # and service codes), so the demo draws no odd-looking numbers.
    number = str(rng.randint(2, 7)) + digits(rng, area.subscriber_digits - 1)
    return normalise_landline(area.code + number)


def meter_number(rng: random.Random, kind: ServiceKind) -> str:
    # Electricity meters: 9 digits from 1; water meters: 7 digits from 2; each
    # with its Luhn check digit (kernel/references.py).
    payload = "1" + digits(rng, 8) if kind is ServiceKind.ELECTRICITY else "2" + digits(rng, 6)
    return normalise_reference(kind, payload + luhn_check_digit(payload))


def internet_account(rng: random.Random) -> str:
    return normalise_reference(ServiceKind.INTERNET, f"NET{rng.randint(10_000_000, 99_999_999)}")


def spread(
    rng: random.Random, governorates: Sequence[data.Governorate], count: int
) -> list[data.Governorate]:
    """Each governorate once first (so all appear), the rest by weight."""
    weights = [g.weight for g in governorates]
    rest = rng.choices(governorates, weights, k=max(0, count - len(governorates)))
    return [*governorates, *rest][:count]


def person(
    rng: random.Random,
    governorate: data.Governorate,
    mobiles: UniqueNumbers,
    services: tuple[DemoService, ...],
) -> DemoSubscriber:
    """A subscriber named in the Syrian way: own name, father's name, family name."""
    first_ar, first_en = rng.choice(data.FEMALE_NAMES if rng.random() < 0.4 else data.MALE_NAMES)
    father_ar, father_en = rng.choice(data.MALE_NAMES)
    family_ar, family_en = rng.choice(data.FAMILY_NAMES)
    has_mobile = rng.random() >= NO_MOBILE_SHARE
    return DemoSubscriber(
        name_ar=f"{first_ar} {father_ar} {family_ar}",
        name_en=f"{first_en} {father_en} {family_en}",
        msisdn=mobiles.draw(partial(mobile_number, rng)) if has_mobile else None,
        governorate=governorate.name_en,
        language="en" if rng.random() < ENGLISH_SHARE else "ar",
        services=services,
    )


def telecom_subscribers(rng: random.Random, count: int) -> list[DemoSubscriber]:
    """A landline each (call units for the cycle); some also ADSL, unmetered."""
    mobiles, landlines, accounts_taken = UniqueNumbers(), UniqueNumbers(), UniqueNumbers()
    people = []
    for governorate in spread(rng, data.GOVERNORATES, count):
        services = [
            DemoService(
                ServiceKind.LANDLINE,
                landlines.draw(partial(landline_number, rng, governorate)),
                "residential",
                int(rng.triangular(0, CALL_UNITS_MAX, 150)),
            )
        ]
        if rng.random() < INTERNET_SHARE:
            package = rng.choices(list(ADSL_WEIGHTS), list(ADSL_WEIGHTS.values()))[0]
            # Zero usage is recorded so every billed service has its usage row.
            services.append(
                DemoService(
                    ServiceKind.INTERNET,
                    accounts_taken.draw(partial(internet_account, rng)),
                    package,
                    0,
                )
            )
        people.append(person(rng, governorate, mobiles, tuple(services)))
    return people


def meter_subscribers(rng: random.Random, kind: ServiceKind, count: int) -> list[DemoSubscriber]:
    """One meter each, in Damascus or Rif Dimashq, with this cycle's reading."""
    mobiles, meters = UniqueNumbers(), UniqueNumbers()
    people = []
    for governorate in spread(rng, data.METER_GOVERNORATES, count):
        if kind is ServiceKind.ELECTRICITY and rng.random() < COMMERCIAL_SHARE:
            tariff_class, quantity = "commercial", int(rng.triangular(300, 2_500, 800))
        elif kind is ServiceKind.ELECTRICITY:
            tariff_class, quantity = "residential", int(rng.triangular(150, 900, 400))
        else:
            low, high, _ = rng.choices(WATER_BANDS, [band[2] for band in WATER_BANDS])[0]
            tariff_class, quantity = "household", rng.randint(low, high)
        reading = None if rng.random() < UNREAD_METER_SHARE else quantity
        meter = DemoService(
            kind, meters.draw(partial(meter_number, rng, kind)), tariff_class, reading
        )
        people.append(person(rng, governorate, mobiles, (meter,)))
    return people


# --- Counting ---------------------------------------------------------------


def count_where(uow: SqlUnitOfWork, table: Table, *conditions: ColumnElement[bool]) -> int:
    assert uow.connection is not None
    query = select(func.count()).select_from(table).where(*conditions)
    return int(uow.connection.execute(query).scalar_one())


def count_rows(platform: Platform) -> Counts:
    """Billers and accounts at the switch; customers, services and bills in billing."""
    with platform.uow(readonly=True) as switch, platform.billing_uow(readonly=True) as billing:
        return Counts(
            billers=count_where(switch, tables.billers),
            customers=count_where(billing, tables.customers),
            services=count_where(billing, tables.services),
            bills=count_where(billing, tables.bills),
            accounts=count_where(switch, tables.ledger_accounts),
        )
