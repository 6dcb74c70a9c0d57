"""Settings from the environment, read once, frozen."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from fawtara.counters.domain.cash import DEFAULT_DENOMINATIONS, parse_denominations
from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError, ValidationError

DEFAULT_DATABASE_URL = "sqlite:///var/fawtara.db"
# The billing system's own store (the utility's, apart from the switch's).
DEFAULT_BILLING_DATABASE_URL = "sqlite:///var/billing.db"
DEFAULT_BILLING_PORT = 8200
# The demo's billers are served by the billing service (make run starts it):
# ELEC and STE online (the switch calls them), WATER in upload mode (it uploads
# its bills and collects its payments as payments files; the switch never calls it).
DEFAULT_BILLER_LINKS = "ELEC=http://127.0.0.1:8200,STE=http://127.0.0.1:8200,WATER=upload"
UPLOAD_MODE = "upload"
# The key the switch presents to the billers' systems (demo only; set your own).
DEFAULT_BILLER_API_KEY = "SWITCH.demo-biller-api-key"
# The demo's two bank simulators (make run starts them).
DEFAULT_BANKS = "BEMO=http://127.0.0.1:8101,CBSY=http://127.0.0.1:8102"
DEFAULT_KEYS_DIR = "var/keys"
# `fawtara up`: where the simulators and the demo counter station keep their
# files, and the ports of the pages it starts beside the API.
DEFAULT_VAR_DIR = "var"
DEFAULT_SMSC_HTTP_PORT = 2776
DEFAULT_STATION_PORT = 8300


# The demo billers' participant keys at the switch (demo only; set your own).
DEFAULT_SWITCH_KEYS = "STE=STE.demo-ste-key,ELEC=ELEC.demo-elec-key,WATER=WATER.demo-water-key"


N = TypeVar("N", int, float)


class SettingsInvalid(ValidationError, ValueError):
    """A setting from the environment that cannot be used: the process does not start, and
    the command says which variable is wrong (one line, exit status 2)."""


def _number(name: str, default: str, kind: Callable[[str], N]) -> N:
    text = os.environ.get(name, default)
    try:
        return kind(text)
    except ValueError:
        raise SettingsInvalid(f"{name} must be a number, not {text!r}") from None


def _denominations(text: str) -> tuple[int, ...]:
    try:
        return parse_denominations(text)
    except (ValueError, FawtaraError) as error:
        raise SettingsInvalid(f"FAWTARA_CASH_DENOMINATIONS: {error}") from None


def parse_keys(text: str) -> list[tuple[str, str]]:
    """'CODE=CODE.SECRET,…' into pairs; a malformed entry is a startup error."""
    pairs: list[tuple[str, str]] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        code, sep, key = entry.partition("=")
        if not sep or not key.startswith(f"{code.strip()}."):
            raise SettingsInvalid(
                f"FAWTARA_BILLING_SWITCH_KEYS entry {entry!r} is not CODE=CODE.SECRET"
            )
        pairs.append((code.strip(), key.strip()))
    return pairs


def parse_banks(text: str, variable: str = "FAWTARA_BANKS") -> dict[str, str]:
    """'CODE=URL,CODE=URL' into a mapping; a malformed entry is a startup error."""
    banks: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        code, sep, url = entry.partition("=")
        if not sep or not code.strip() or not url.strip().startswith(("http://", "https://")):
            raise SettingsInvalid(f"{variable} entry {entry!r} is not CODE=http(s)://host:port")
        banks[code.strip().upper()] = url.strip()
    return banks


def parse_reminder_days(text: str) -> int:
    """FAWTARA_REMINDER_DAYS_BEFORE: 1..limits.reminder_days_before_max; else a startup error."""
    if not text.isdigit() or not 0 < int(text) <= limits.reminder_days_before_max:
        raise SettingsInvalid(
            f"FAWTARA_REMINDER_DAYS_BEFORE must be 1..{limits.reminder_days_before_max}: {text!r}"
        )
    return int(text)


def parse_biller_links(text: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """'CODE=URL,CODE=upload' into the online links and the upload-mode billers."""
    online: dict[str, str] = {}
    upload: list[str] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        code, sep, target = entry.partition("=")
        if sep and code.strip() and target.strip() == UPLOAD_MODE:
            upload.append(code.strip().upper())
        else:
            online.update(parse_banks(entry, "FAWTARA_BILLER_LINKS"))
    return online, tuple(upload)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    host: str
    port: int
    banks: tuple[tuple[str, str], ...] = ()
    bank_timeout_s: float = 5.0
    keys_dir: Path = Path(DEFAULT_KEYS_DIR)  # the switch's receipt-signing key pair
    # Notes and coins in circulation, minor units ascending (counters/domain/cash.py).
    cash_denominations_minor: tuple[int, ...] = parse_denominations(DEFAULT_DENOMINATIONS)
    var_dir: Path = Path(DEFAULT_VAR_DIR)
    smsc_http_port: int = DEFAULT_SMSC_HTTP_PORT
    station_port: int = DEFAULT_STATION_PORT
    billing_database_url: str | None = None  # None: no billing store in this process
    billing_port: int = DEFAULT_BILLING_PORT
    # Online billers: code → base URL of its Biller API. Empty: the billing
    # system's use cases are called in process (tests that run both systems).
    biller_links: tuple[tuple[str, str], ...] = ()
    # Billers in upload mode (FAWTARA_BILLER_LINKS `CODE=upload`): the switch never
    # calls them; they collect their payments as payments files.
    upload_billers: tuple[str, ...] = ()
    biller_api_key: str = DEFAULT_BILLER_API_KEY
    biller_timeout_s: float = 5.0
    # The billing system's link to the switch: None calls it in process (tests);
    # each biller it serves signs in with its own participant key there.
    switch_url: str | None = None
    switch_keys: tuple[tuple[str, str], ...] = ()
    # Days before a bill's due date that the billing system texts its reminder.
    reminder_days_before: int = limits.reminder_days_before_default

    @classmethod
    def from_environment(cls) -> Settings:
        links, upload_billers = parse_biller_links(
            os.environ.get("FAWTARA_BILLER_LINKS", DEFAULT_BILLER_LINKS)
        )
        return cls(
            database_url=os.environ.get("FAWTARA_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("FAWTARA_HOST", "127.0.0.1"),
            port=_number("FAWTARA_PORT", "8000", int),
            banks=tuple(parse_banks(os.environ.get("FAWTARA_BANKS", DEFAULT_BANKS)).items()),
            bank_timeout_s=_number("FAWTARA_BANK_TIMEOUT_S", "5", float),
            keys_dir=Path(os.environ.get("FAWTARA_KEYS_DIR", DEFAULT_KEYS_DIR)),
            cash_denominations_minor=_denominations(
                os.environ.get("FAWTARA_CASH_DENOMINATIONS", DEFAULT_DENOMINATIONS)
            ),
            var_dir=Path(os.environ.get("FAWTARA_VAR_DIR", DEFAULT_VAR_DIR)),
            smsc_http_port=int(
                os.environ.get("FAWTARA_SMSC_HTTP_PORT", str(DEFAULT_SMSC_HTTP_PORT))
            ),
            station_port=_number("FAWTARA_STATION_PORT", str(DEFAULT_STATION_PORT), int),
            billing_database_url=os.environ.get(
                "FAWTARA_BILLING_DATABASE_URL", DEFAULT_BILLING_DATABASE_URL
            ),
            billing_port=_number("FAWTARA_BILLING_PORT", str(DEFAULT_BILLING_PORT), int),
            biller_links=tuple(links.items()),
            upload_billers=upload_billers,
            biller_api_key=os.environ.get("FAWTARA_BILLER_API_KEY", DEFAULT_BILLER_API_KEY),
            biller_timeout_s=_number("FAWTARA_BILLER_TIMEOUT_S", "5", float),
            switch_url=os.environ.get(
                "FAWTARA_SWITCH_URL", f"http://127.0.0.1:{os.environ.get('FAWTARA_PORT', '8000')}"
            ),
            switch_keys=tuple(
                parse_keys(os.environ.get("FAWTARA_BILLING_SWITCH_KEYS", DEFAULT_SWITCH_KEYS))
            ),
            reminder_days_before=parse_reminder_days(
                os.environ.get(
                    "FAWTARA_REMINDER_DAYS_BEFORE", str(limits.reminder_days_before_default)
                )
            ),
        )

    @property
    def sqlite_path(self) -> Path | None:
        """The switch's SQLite file (None: its store is not SQLite)."""
        return sqlite_file(self.database_url)

    @property
    def billing_sqlite_path(self) -> Path | None:
        """The billing system's SQLite file (None: not SQLite, or no billing store here)."""
        return sqlite_file(self.billing_database_url) if self.billing_database_url else None


def sqlite_file(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None
