"""Settings from the environment, read once, frozen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fawtara.domain.cash import DEFAULT_DENOMINATIONS, parse_denominations

DEFAULT_DATABASE_URL = "sqlite:///var/fawtara.db"
# The demo's two bank simulators (make run starts them).
DEFAULT_BANKS = "BEMO=http://127.0.0.1:8101,CBSY=http://127.0.0.1:8102"
DEFAULT_KEYS_DIR = "var/keys"
# `fawtara up`: where the simulators and the demo counter station keep their
# files, and the ports of the pages it starts beside the API.
DEFAULT_VAR_DIR = "var"
DEFAULT_SMSC_HTTP_PORT = 2776
DEFAULT_STATION_PORT = 8300


def parse_banks(text: str) -> dict[str, str]:
    """'CODE=URL,CODE=URL' into a mapping; a malformed entry is a startup error."""
    banks: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        code, sep, url = entry.partition("=")
        if not sep or not code.strip() or not url.strip().startswith(("http://", "https://")):
            raise ValueError(f"FAWTARA_BANKS entry {entry!r} is not CODE=http(s)://host:port")
        banks[code.strip().upper()] = url.strip()
    return banks


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    host: str
    port: int
    banks: tuple[tuple[str, str], ...] = ()
    bank_timeout_s: float = 5.0
    keys_dir: Path = Path(DEFAULT_KEYS_DIR)  # the switch's receipt-signing key pair
    # Notes and coins in circulation, minor units ascending (domain/cash.py).
    cash_denominations_minor: tuple[int, ...] = parse_denominations(DEFAULT_DENOMINATIONS)
    var_dir: Path = Path(DEFAULT_VAR_DIR)
    smsc_http_port: int = DEFAULT_SMSC_HTTP_PORT
    station_port: int = DEFAULT_STATION_PORT

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            database_url=os.environ.get("FAWTARA_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("FAWTARA_HOST", "127.0.0.1"),
            port=int(os.environ.get("FAWTARA_PORT", "8000")),
            banks=tuple(parse_banks(os.environ.get("FAWTARA_BANKS", DEFAULT_BANKS)).items()),
            bank_timeout_s=float(os.environ.get("FAWTARA_BANK_TIMEOUT_S", "5")),
            keys_dir=Path(os.environ.get("FAWTARA_KEYS_DIR", DEFAULT_KEYS_DIR)),
            cash_denominations_minor=parse_denominations(
                os.environ.get("FAWTARA_CASH_DENOMINATIONS", DEFAULT_DENOMINATIONS)
            ),
            var_dir=Path(os.environ.get("FAWTARA_VAR_DIR", DEFAULT_VAR_DIR)),
            smsc_http_port=int(
                os.environ.get("FAWTARA_SMSC_HTTP_PORT", str(DEFAULT_SMSC_HTTP_PORT))
            ),
            station_port=int(os.environ.get("FAWTARA_STATION_PORT", str(DEFAULT_STATION_PORT))),
        )

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        return (
            Path(self.database_url[len(prefix) :]) if self.database_url.startswith(prefix) else None
        )
