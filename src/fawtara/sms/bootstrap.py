"""The SMS part of the wiring: which SMPP gateway and which store the worker gets.

Both systems send SMS, each from its own store's outbox: this takes any
process's wiring that can name a system's store (`Stores`).
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from sqlalchemy import Engine

from fawtara.kernel.ports import Clock
from fawtara.sms.adapters.config import (
    BANK_LOGIN,
    BILLING_LOGIN,
    SWITCH_LOGIN,
    SmppConfig,
    SmppLogin,
)
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.storage.schema import BILLING, SWITCH

__all__ = [
    "BANKS",
    "BILLING",
    "SWITCH",
    "SmppConfig",
    "SmppGateway",
    "Stores",
    "login_environment",
    "open_sms_gateway",
    "smpp_config",
    "sms_uow_factory",
]


class Stores(Protocol):
    """What the SMS sender needs of its process's wiring: its clock, and the engine of a
    system's store."""

    @property
    def clock(self) -> Clock: ...
    def store(self, system: str) -> Engine: ...


BANKS = "banks"  # the bank simulators' code sender: a sender of SMS, with no store here
# Each system binds with its own account: the SMSC returns receipts to the submitter's.
LOGINS: dict[str, SmppLogin] = {SWITCH: SWITCH_LOGIN, BILLING: BILLING_LOGIN, BANKS: BANK_LOGIN}


def smpp_config(system: str = SWITCH) -> SmppConfig:
    """FAWTARA_SMSC_* and FAWTARA_SMS_* from the environment, demo defaults otherwise,
    with `system`'s login: FAWTARA_SMSC_SYSTEM_ID/_PASSWORD for the switch,
    FAWTARA_BILLING_SMSC_SYSTEM_ID/_PASSWORD for the billing system,
    FAWTARA_BANK_SMSC_SYSTEM_ID/_PASSWORD for the bank simulators."""
    return SmppConfig.from_environment(login=LOGINS[system])


def login_environment(system: str, config: SmppConfig) -> dict[str, str]:
    """The variables that hand `config`'s login to `system`'s sender in a child process."""
    login = LOGINS[system]
    return {login.system_id_variable: config.system_id, login.password_variable: config.password}


def open_sms_gateway(config: SmppConfig) -> SmppGateway:
    """A bound gateway; SmsGatewayMisconfigured when the SMSC refuses our login."""
    gateway = SmppGateway(config)
    gateway.start()
    return gateway


def sms_uow_factory(wired: Stores, system: str = SWITCH) -> partial[SqlSmsUnitOfWork]:
    """The SMS outbox of one system's store: the switch's (payment confirmations) or the
    billing system's (reminders, suspension and reconnection notices)."""
    return partial(SqlSmsUnitOfWork, wired.store(system))
