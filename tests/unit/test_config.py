"""Settings read from the environment: each malformed value is a startup error that names
the variable; each default is what the README says."""

from __future__ import annotations

import pytest

from fawtara.config import (
    DEFAULT_BILLER_LINKS,
    Settings,
    parse_banks,
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
    assert dict(parse_banks(DEFAULT_BILLER_LINKS)).keys() >= {"ELEC", "STE"}
    assert parse_keys("STE=STE.secret") == [("STE", "STE.secret")]
    with pytest.raises(ValueError, match=r"CODE=CODE\.SECRET"):
        parse_keys("STE=OTHER.secret")
