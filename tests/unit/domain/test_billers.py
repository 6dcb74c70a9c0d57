"""Billers and the rule a payment to them must follow."""

from __future__ import annotations

from typing import Any

import pytest

from fawtara.kernel import limits
from fawtara.kernel.billers import Biller, CalendarKind, PaymentRule, PaymentRuleKind, ServiceKind
from fawtara.kernel.errors import AmountNotAllowed, ValidationError

EXACT = PaymentRuleKind.EXACT
PARTIAL = PaymentRuleKind.PARTIAL
ADVANCE = PaymentRuleKind.ADVANCE


# Payment rule bounds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum_minor", "maximum_minor"),
    [
        (0, 100),
        (-1, 100),
        (101, 100),  # minimum above maximum
        (1, limits.amount_minor_max + 1),
        (1, 0),
    ],
)
def test_payment_rule_bounds_out_of_order_are_refused(
    minimum_minor: int, maximum_minor: int
) -> None:
    with pytest.raises(ValidationError, match="out of order") as caught:
        PaymentRule(PARTIAL, minimum_minor=minimum_minor, maximum_minor=maximum_minor)
    assert caught.type is ValidationError


def test_payment_rule_defaults_span_one_qirsh_to_the_amount_limit() -> None:
    rule = PaymentRule(EXACT)
    assert (rule.minimum_minor, rule.maximum_minor) == (1, 10**15)
    assert PaymentRule(EXACT, minimum_minor=500, maximum_minor=500).maximum_minor == 500


@pytest.mark.parametrize(
    ("kind", "amount_minor", "outstanding_minor"),
    [
        (PARTIAL, 99, 1_000),  # below the minimum of 100
        (ADVANCE, 99, 1_000),
        (ADVANCE, 100_001, 1_000),  # above the maximum of 100,000
        (EXACT, 999, 1_000),
        (EXACT, 1_001, 1_000),
        (PARTIAL, 1_001, 1_000),  # no advances under the partial rule
    ],
)
def test_payment_rule_refuses_an_amount_the_biller_does_not_allow(
    kind: PaymentRuleKind, amount_minor: int, outstanding_minor: int
) -> None:
    rule = PaymentRule(kind, minimum_minor=100, maximum_minor=100_000)
    with pytest.raises(AmountNotAllowed):
        rule.check(amount_minor, outstanding_minor)


@pytest.mark.parametrize(
    ("kind", "amount_minor", "outstanding_minor"),
    [
        (EXACT, 1_000, 1_000),
        (PARTIAL, 100, 1_000),  # the minimum
        (PARTIAL, 1_000, 1_000),
        (ADVANCE, 1_001, 1_000),
        (ADVANCE, 100_000, 1_000),  # the maximum
    ],
)
def test_payment_rule_accepts_an_amount_within_its_rule_and_bounds(
    kind: PaymentRuleKind, amount_minor: int, outstanding_minor: int
) -> None:
    PaymentRule(kind, minimum_minor=100, maximum_minor=100_000).check(
        amount_minor, outstanding_minor
    )


# Biller validation -------------------------------------------------------------------------


def a_biller(**changes: Any) -> Biller:
    fields: dict[str, Any] = {
        "code": "STE",
        "name_ar": "الشركة السورية للاتصالات",
        "name_en": "Syrian Telecom",
        "service_kinds": (ServiceKind.LANDLINE, ServiceKind.INTERNET),
        "calendar": CalendarKind.MONTHLY,
        "payment_rule": PaymentRule(EXACT),
    }
    fields.update(changes)
    return Biller(**fields)


def test_a_biller_has_sensible_defaults() -> None:
    biller = a_biller()
    assert (biller.due_days, biller.grace_days, biller.currency) == (30, 0, "SYP")
    assert biller.channels == ("bank", "portal", "counter")


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "AB"},
        {"code": "ABCDEFGHIJKLMNOP"},  # 16 letters
        {"due_days": 1},
        {"due_days": limits.due_days_max},
        {"grace_days": 0},
        {"grace_days": limits.grace_days_max},
        {"service_kinds": (ServiceKind.WATER,)},
    ],
)
def test_a_biller_at_the_edges_of_its_bounds_is_valid(changes: dict[str, Any]) -> None:
    biller = a_biller(**changes)
    for field, value in changes.items():
        assert getattr(biller, field) == value


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"code": "ste"}, "upper-case"),
        ({"code": "Ste"}, "upper-case"),
        ({"code": "S"}, "upper-case"),
        ({"code": "ABCDEFGHIJKLMNOPQ"}, "upper-case"),  # 17 letters
        ({"code": ""}, "upper-case"),
        ({"code": "ÉDAM"}, "upper-case"),
        ({"code": "كهرباء"}, "upper-case"),
        ({"code": "123"}, "upper-case"),
        ({"due_days": 0}, "due days"),
        ({"due_days": limits.due_days_max + 1}, "due days"),
        ({"grace_days": -1}, "grace days"),
        ({"grace_days": limits.grace_days_max + 1}, "grace days"),
        ({"service_kinds": ()}, "at least one kind"),
    ],
)
def test_an_invalid_biller_is_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        a_biller(**changes)
    assert caught.type is ValidationError


@pytest.mark.parametrize("code", ["E DAM", "E:DAM", "E-DAM"])
def test_a_biller_code_with_a_separator_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        a_biller(code=code)
