"""The demo's counters and staff (demo/counters.py), on both engines."""

from __future__ import annotations

from fawtara.counters.bootstrap import password_hasher
from fawtara.counters.use_cases import staff
from fawtara.demo.counters import demo_counter_key, register_demo_counters
from fawtara.switch.use_cases.participants import authenticate
from fawtara.wiring import Platform


def test_the_demo_counters_have_well_known_keys_and_staff_sign_in(platform: Platform) -> None:
    assert register_demo_counters(platform) == 7
    assert register_demo_counters(platform) == 0  # a second seed adds nothing
    station = authenticate(platform.uow(readonly=True), demo_counter_key("DAM01"))
    assert (station.code, station.channels) == ("DAM01", ("counter",))
    assert demo_counter_key("ALP01") == "ALP01.demo-alp01-key"
    session = staff.sign_in(
        platform.uow_factory(), password_hasher(), platform.clock, "rana", "demo-cashier", "DAM01"
    )
    assert session.counter_code == "DAM01"
    with platform.uow(readonly=True) as uow:
        governorates = {c.code: c.governorate for c in uow.counters.list()}
    assert governorates == {"ALP01": "Aleppo", "DAM01": "Damascus"}
