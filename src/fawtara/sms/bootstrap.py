"""The SMS part of the wiring: which SMPP gateway and which store the worker gets.

Both systems send SMS, each from its own store's outbox: this takes any
process's wiring that can name a system's store (`Stores`).
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from sqlalchemy import Engine

from fawtara.kernel.ports import Clock
from fawtara.sms.adapters.config import SmppConfig
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.storage.schema import SWITCH

__all__ = [
    "SWITCH",
    "SmppConfig",
    "SmppGateway",
    "Stores",
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


def smpp_config() -> SmppConfig:
    """FAWTARA_SMSC_* and FAWTARA_SMS_* from the environment, demo defaults otherwise."""
    return SmppConfig.from_environment()


def open_sms_gateway(config: SmppConfig) -> SmppGateway:
    """A bound gateway; SmsGatewayMisconfigured when the SMSC refuses our login."""
    gateway = SmppGateway(config)
    gateway.start()
    return gateway


def sms_uow_factory(wired: Stores, system: str = SWITCH) -> partial[SqlSmsUnitOfWork]:
    """The SMS outbox of one system's store: the switch's (payment confirmations) or the
    billing system's (reminders, suspension and reconnection notices)."""
    return partial(SqlSmsUnitOfWork, wired.store(system))
