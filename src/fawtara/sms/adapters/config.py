"""How to reach the operator's SMSC: one frozen record, read from the environment once.

Each system that sends SMS has its own account (its own login) at the operator's
SMSC, as the switch (the payment company) and a billing system (the utility) are
different customers of the operator: the SMSC returns a message's delivery receipts
to the account that submitted it. The login variables are one system's
(`SmppLogin`); the host, port, sender and rates are shared.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from fawtara.kernel import limits

BIND_MODES = ("transmitter", "transceiver")


@dataclass(frozen=True, slots=True)
class SmppLogin:
    """Where one system's SMPP login is read from, and the demo's login."""

    system_id_variable: str
    password_variable: str
    system_id: str
    password: str


SWITCH_LOGIN = SmppLogin("FAWTARA_SMSC_SYSTEM_ID", "FAWTARA_SMSC_PASSWORD", "fawtara", "fawtara1")
BILLING_LOGIN = SmppLogin(
    "FAWTARA_BILLING_SMSC_SYSTEM_ID", "FAWTARA_BILLING_SMSC_PASSWORD", "fawtara-billing", "billing1"
)
# The bank simulators' one-time codes (a bank is an operator's customer of its own too).
BANK_LOGIN = SmppLogin(
    "FAWTARA_BANK_SMSC_SYSTEM_ID", "FAWTARA_BANK_SMSC_PASSWORD", "fawtara-banks", "banks1"
)


@dataclass(frozen=True, slots=True)
class SmppConfig:
    """Defaults fit the demo: the simulator on 127.0.0.1:2775 (`fawtara smsc-sim`)."""

    host: str = "127.0.0.1"
    port: int = 2775
    system_id: str = "fawtara"
    password: str = "fawtara1"  # SMPP 3.4 passwords are at most 8 characters
    source_addr: str = "Fawtara"  # alphanumeric sender id, or a short code
    bind_mode: str = "transceiver"  # a transmitter bind receives no delivery receipts
    rate_per_s: int = 0  # submit_sm PDUs (parts) per second; 0 = no limit
    window: int = 32  # submit_sm written and not yet answered
    enquire_link_interval_s: float = 30.0
    response_timeout_s: float = 10.0  # SMPP's response_timer
    connect_timeout_s: float = 5.0
    rebind_backoff_s_min: float = 0.2
    rebind_backoff_s_max: float = 30.0
    # How long one part may wait for a bound session before it goes back to
    # the worker's queue (to be retried with the worker's own backoff).
    part_deadline_s: float = 20.0

    def __post_init__(self) -> None:
        if self.bind_mode not in BIND_MODES:
            raise ValueError(f"bind mode must be one of {BIND_MODES}, not {self.bind_mode!r}")
        if not 1 <= self.window <= limits.smpp_window_max:
            raise ValueError(f"window must be 1..{limits.smpp_window_max}")
        if not 0 <= self.rate_per_s <= limits.smpp_rate_per_s_max:
            raise ValueError(f"rate must be 0..{limits.smpp_rate_per_s_max} per second")
        if len(self.system_id) > 15 or len(self.password) > 8 or len(self.source_addr) > 20:
            raise ValueError("system_id ≤ 15, password ≤ 8, source address ≤ 20 characters")
        if not 0 < self.rebind_backoff_s_min <= self.rebind_backoff_s_max:
            raise ValueError("rebind backoff: 0 < min ≤ max")

    @property
    def source_is_alphanumeric(self) -> bool:
        return not self.source_addr.lstrip("+").isdigit()

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, login: SmppLogin = SWITCH_LOGIN
    ) -> SmppConfig:
        """FAWTARA_SMSC_* and FAWTARA_SMS_*, with the login of `login` (the switch's by
        default, BILLING_LOGIN for a billing system's sender)."""
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            host=env.get("FAWTARA_SMSC_HOST", default.host),
            port=int(env.get("FAWTARA_SMSC_PORT", default.port)),
            system_id=env.get(login.system_id_variable, login.system_id),
            password=env.get(login.password_variable, login.password),
            source_addr=env.get("FAWTARA_SMS_SOURCE", default.source_addr),
            bind_mode=env.get("FAWTARA_SMSC_BIND_MODE", default.bind_mode),
            rate_per_s=int(env.get("FAWTARA_SMS_RATE_PER_S", default.rate_per_s)),
            window=int(env.get("FAWTARA_SMS_WINDOW", default.window)),
        )
