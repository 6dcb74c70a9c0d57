"""Settings read from the environment: each malformed value is a startup error that names
the variable; each default is what the README says. FAWTARA_BILLER_LINKS: online billers
by URL, upload-mode billers by `upload`."""

from __future__ import annotations

import pytest

from fawtara.config import (
    DEFAULT_BILLER_LINKS,
    Settings,
    SettingsInvalid,
    parse_banks,
    parse_biller_links,
    parse_keys,
    parse_reminder_days,
)
from fawtara.kernel import limits


def test_reminder_days_default_and_bounds() -> None:
    assert parse_reminder_days("3") == 3
    assert (
        parse_reminder_days(str(limits.reminder_days_before_max)) == limits.reminder_days_before_max
    )
    for bad in ("0", "-1", "x", "", str(limits.reminder_days_before_max + 1)):
        with pytest.raises(ValueError, match="FAWTARA_REMINDER_DAYS_BEFORE"):
            parse_reminder_days(bad)


def test_settings_read_the_reminder_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAWTARA_REMINDER_DAYS_BEFORE", "5")
    assert Settings.from_environment().reminder_days_before == 5
    monkeypatch.delenv("FAWTARA_REMINDER_DAYS_BEFORE")
    assert Settings.from_environment().reminder_days_before == limits.reminder_days_before_default
    monkeypatch.setenv("FAWTARA_REMINDER_DAYS_BEFORE", "99")
    with pytest.raises(ValueError, match=r"1\.\.30"):
        Settings.from_environment()


def test_links_and_keys_are_parsed_or_refused() -> None:
    assert parse_banks("bemo=http://127.0.0.1:8101") == {"BEMO": "http://127.0.0.1:8101"}
    with pytest.raises(ValueError, match="FAWTARA_BILLER_LINKS"):
        parse_banks("ELEC=ftp://x", "FAWTARA_BILLER_LINKS")
    assert parse_keys("STE=STE.secret") == [("STE", "STE.secret")]
    with pytest.raises(ValueError, match=r"CODE=CODE\.SECRET"):
        parse_keys("STE=OTHER.secret")


def test_the_demo_links_call_elec_and_ste_online_and_water_in_upload_mode() -> None:
    online, upload = parse_biller_links(DEFAULT_BILLER_LINKS)
    assert online == {"ELEC": "http://127.0.0.1:8200", "STE": "http://127.0.0.1:8200"}
    assert upload == ("WATER",)


def test_a_biller_in_upload_mode_has_no_address() -> None:
    assert parse_biller_links(" water=upload , ") == ({}, ("WATER",))


@pytest.mark.parametrize("text", ["WATER", "WATER=ftp://x", "=upload", "WATER=uploads"])
def test_a_malformed_link_is_a_startup_error(text: str) -> None:
    with pytest.raises(ValueError, match="FAWTARA_BILLER_LINKS"):
        parse_biller_links(text)


def test_a_bad_number_is_a_named_validation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAWTARA_BILLER_TIMEOUT_S", "soon")
    with pytest.raises(SettingsInvalid, match="FAWTARA_BILLER_TIMEOUT_S") as raised:
        Settings.from_environment()
    assert raised.value.code == "VALIDATION_ERROR"
