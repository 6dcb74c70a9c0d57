"""Each system's SMPP login: the switch's from FAWTARA_SMSC_*, the billing system's from
FAWTARA_BILLING_SMSC_* (host, port and rates shared), and the accounts the SMSC
simulator is started with."""

from __future__ import annotations

import pytest
import typer

from fawtara.simulators.smsc.cli import parse_accounts
from fawtara.sms.bootstrap import BANKS, BILLING, SWITCH, login_environment, smpp_config

LOGIN_VARIABLES = (
    "FAWTARA_SMSC_SYSTEM_ID",
    "FAWTARA_SMSC_PASSWORD",
    "FAWTARA_BILLING_SMSC_SYSTEM_ID",
    "FAWTARA_BILLING_SMSC_PASSWORD",
    "FAWTARA_BANK_SMSC_SYSTEM_ID",
    "FAWTARA_BANK_SMSC_PASSWORD",
)


@pytest.fixture(autouse=True)
def no_login_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*LOGIN_VARIABLES, "FAWTARA_SMSC_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_the_demo_logins_of_the_senders_differ() -> None:
    switch, billing, banks = smpp_config(SWITCH), smpp_config(BILLING), smpp_config(BANKS)
    assert (switch.system_id, switch.password) == ("fawtara", "fawtara1")
    assert (billing.system_id, billing.password) == ("fawtara-billing", "billing1")
    assert (banks.system_id, banks.password) == ("fawtara-banks", "banks1")
    assert smpp_config() == switch


def test_each_system_reads_its_own_login_and_shares_the_smsc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAWTARA_SMSC_PORT", "2999")
    monkeypatch.setenv("FAWTARA_SMSC_SYSTEM_ID", "payco")
    monkeypatch.setenv("FAWTARA_BILLING_SMSC_SYSTEM_ID", "elec")
    monkeypatch.setenv("FAWTARA_BILLING_SMSC_PASSWORD", "pw-elec")
    switch, billing = smpp_config(SWITCH), smpp_config(BILLING)
    assert (switch.system_id, switch.password, switch.port) == ("payco", "fawtara1", 2999)
    assert (billing.system_id, billing.password, billing.port) == ("elec", "pw-elec", 2999)


def test_the_login_handed_to_a_child_is_the_one_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    handed = login_environment(BILLING, smpp_config(BILLING))
    assert handed == {
        "FAWTARA_BILLING_SMSC_SYSTEM_ID": "fawtara-billing",
        "FAWTARA_BILLING_SMSC_PASSWORD": "billing1",
    }
    monkeypatch.setenv("FAWTARA_BILLING_SMSC_SYSTEM_ID", "elec")
    assert login_environment(BILLING, smpp_config(BILLING))["FAWTARA_BILLING_SMSC_SYSTEM_ID"] == (
        "elec"
    )


def test_the_simulators_accounts_start_with_the_default_login() -> None:
    assert parse_accounts("fawtara", "fawtara1", []) == {"fawtara": "fawtara1"}
    assert parse_accounts("fawtara", "fawtara1", ["fawtara-billing:billing1", "w:x:y"]) == {
        "fawtara": "fawtara1",
        "fawtara-billing": "billing1",
        "w": "x:y",
    }
    assert parse_accounts("fawtara", "fawtara1", ["fawtara:fawtara1"]) == {"fawtara": "fawtara1"}


@pytest.mark.parametrize(
    "account",
    ["no-colon", ":password", "fawtara:other", "sixteen-chars-id:pw", "elec:ninechars"],
)
def test_a_malformed_or_conflicting_account_is_refused(account: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_accounts("fawtara", "fawtara1", [account])
