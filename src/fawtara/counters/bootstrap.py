"""The counters part of the wiring: password hashing, the journal's desk, counter keys.

Kept beside bootstrap.py like billing/bootstrap.py (tests/test_architecture.py
treats it as bootstrap: entry points may import it, adapters may not).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fawtara.counters.adapters.passwords import Argon2PasswordHasher
from fawtara.counters.use_cases.counter_journal import JournalServices
from fawtara.kernel.errors import SigningKeyMissing
from fawtara.receipts.adapters import signing
from fawtara.receipts.bootstrap import issue_counter_credentials
from fawtara.switch.bootstrap import Platform
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import PasswordHasher

__all__ = [
    "CounterKeys",
    "counter_desk",
    "issue_counter_keys",
    "password_hasher",
    "save_counter_keys",
]


def password_hasher(cheap: bool = False) -> PasswordHasher:
    """argon2id with argon2-cffi's production parameters; `cheap` for tests only."""
    return Argon2PasswordHasher.cheap() if cheap else Argon2PasswordHasher()


def counter_desk(platform: Platform, switch: Switch) -> JournalServices:
    return JournalServices(switch)


@dataclass(frozen=True, slots=True)
class CounterKeys:
    """A counter's receipt-signing key pair, certified by the switch's key."""

    private_key_pem: bytes  # for the counter's station only
    public_key_pem: str
    certificate: str


def issue_counter_keys(platform: Platform, counter_code: str) -> CounterKeys | None:
    """New keys for a counter; None when the switch has no signing key (`fawtara keys init`)."""
    try:
        private_pem, certificate = issue_counter_credentials(platform.settings, counter_code)
    except SigningKeyMissing:
        return None
    public_pem = signing.public_pem(signing.load_private_key(private_pem).public_key())
    return CounterKeys(private_pem, public_pem.decode(), certificate)


def save_counter_keys(platform: Platform, counter_code: str, keys: CounterKeys) -> Path:
    """KEYS_DIR/counters/CODE.key.pem (0600) and CODE.cert beside it, for the station."""
    folder = platform.settings.keys_dir / "counters"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{counter_code}.key.pem"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(keys.private_key_pem)
    (folder / f"{counter_code}.cert").write_text(keys.certificate + "\n", encoding="ascii")
    return path
