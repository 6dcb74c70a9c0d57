"""The demo's counters and staff, with well-known keys and passwords.

DAM01 (Damascus) and ALP01 (Aleppo); the passwords and the station keys
(`DAM01.demo-dam01-key`, `ALP01.demo-alp01-key`) are for the demo database
only: a real counter gets a random key from `fawtara counters add`, and real
staff choose their passwords. Each step is skipped when already done, so a
second seed changes nothing.
"""

from __future__ import annotations

from fawtara.counters.bootstrap import issue_counter_keys, password_hasher, save_counter_keys
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases.counters import register_counter
from fawtara.counters.use_cases.staff import SHELL, add_staff
from fawtara.wiring import Platform

DEMO_COUNTERS = (
    Counter("DAM01", "مركز هاتف دمشق", "Damascus telephone centre", "Damascus"),
    Counter("ALP01", "مركز هاتف حلب", "Aleppo telephone centre", "Aleppo"),
)
DEMO_STAFF: tuple[tuple[StaffMember, str], ...] = (
    (StaffMember("rana", "رنا الحلبي", Role.CASHIER, "DAM01"), "demo-cashier"),
    (StaffMember("omar", "عمر الشامي", Role.CASHIER, "ALP01"), "demo-cashier"),
    (StaffMember("huda", "هدى العلي", Role.SUPERVISOR, "DAM01"), "demo-supervisor"),
    (StaffMember("admin", "مدير النظام", Role.ADMINISTRATOR, None), "demo-admin"),
    (StaffMember("ops", "فريق العمليات", Role.OPERATOR, None), "demo-operator"),
)


def demo_counter_key(code: str) -> str:
    return f"{code}.demo-{code.lower()}-key"


def register_demo_counters(platform: Platform) -> int:
    """Add the demo counters and staff that are missing; returns how many were added."""
    added = 0
    with platform.uow(readonly=True) as uow:
        counters = {counter.code for counter in uow.counters.list()}
        people = {member.username for member, _ in DEMO_STAFF if uow.staff.get(member.username)}
    for counter in DEMO_COUNTERS:
        if counter.code in counters:
            continue
        keys = issue_counter_keys(platform, counter.code)
        if keys is not None:
            counter = Counter(
                counter.code,
                counter.name_ar,
                counter.name_en,
                counter.governorate,
                keys.public_key_pem,
                keys.certificate,
            )
        secret = demo_counter_key(counter.code).split(".", 1)[1]
        register_counter(platform.uow_factory(), platform.clock, counter, SHELL, secret)
        if keys is not None:
            save_counter_keys(platform, counter.code, keys)
        added += 1
    hasher = password_hasher()
    for member, password in DEMO_STAFF:
        if member.username not in people:
            add_staff(platform.uow_factory(), hasher, platform.clock, member, password, SHELL)
            added += 1
    return added
