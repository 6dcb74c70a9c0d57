"""The billing system's registry of billers and tariffs, on the fake store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fawtara.billing.use_cases.registry import add_tariff, register_billing_biller
from fawtara.kernel import limits
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import LimitExceeded
from tests.fakes.billing import FakeBillingStore
from tests.fakes.billing_world import ELEC, ELEC_RESIDENTIAL, NOW, STE


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def test_a_biller_is_registered_once(clock: ManualClock) -> None:
    store = FakeBillingStore()
    assert register_billing_biller(store.uow(), ELEC, clock)
    assert not register_billing_biller(store.uow(), replace(ELEC, grace_days=3), clock)
    with store.uow() as uow:
        assert uow.billers.get("ELEC") == ELEC
    assert store.commits == 1


def test_the_registry_holds_at_most_billers_max(
    clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FakeBillingStore()
    monkeypatch.setattr(limits, "billers_max", 1)
    register_billing_biller(store.uow(), ELEC, clock)
    with pytest.raises(LimitExceeded):
        register_billing_biller(store.uow(), STE, clock)
    with store.uow() as uow:
        assert [biller.code for biller in uow.billers.list()] == ["ELEC"]


def test_a_tariff_decision_is_recorded_once_and_a_new_one_beside_it(clock: ManualClock) -> None:
    store = FakeBillingStore()
    register_billing_biller(store.uow(), ELEC, clock)
    assert add_tariff(store.uow(), ELEC_RESIDENTIAL, clock)
    assert not add_tariff(store.uow(), replace(ELEC_RESIDENTIAL, decision="again"), clock)
    later = replace(ELEC_RESIDENTIAL, effective_from=date(2026, 6, 1), decision="687/2026")
    assert add_tariff(store.uow(), later, clock)
    with store.uow() as uow:
        assert uow.tariffs.for_biller("ELEC") == [ELEC_RESIDENTIAL, later]
