"""The SMS part of the wiring: which SMPP gateway and which store the worker gets.

Kept beside bootstrap.py (and named so that tests/test_architecture.py treats
it as bootstrap: adapters may not import it, entry points may), until it is
folded into bootstrap.py.
"""

from __future__ import annotations

from functools import partial

from fawtara.sms.adapters.config import SmppConfig
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.storage.schema import BILLING, SWITCH
from fawtara.switch.bootstrap import Platform

__all__ = ["SmppConfig", "SmppGateway", "open_sms_gateway", "smpp_config", "sms_uow_factory"]


def smpp_config() -> SmppConfig:
    """FAWTARA_SMSC_* and FAWTARA_SMS_* from the environment, demo defaults otherwise."""
    return SmppConfig.from_environment()


def open_sms_gateway(config: SmppConfig) -> SmppGateway:
    """A bound gateway; SmsGatewayMisconfigured when the SMSC refuses our login."""
    gateway = SmppGateway(config)
    gateway.start()
    return gateway


def sms_uow_factory(platform: Platform, system: str = SWITCH) -> partial[SqlSmsUnitOfWork]:
    """The SMS outbox of one system's store: the switch's (payment confirmations) or the
    billing system's (reminders, suspension and reconnection notices)."""
    engine = platform.billing_store() if system == BILLING else platform.engine
    return partial(SqlSmsUnitOfWork, engine)
