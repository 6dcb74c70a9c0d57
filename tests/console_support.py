"""The operations console's people, its app over a test Network, and SMS that get delivered."""

from __future__ import annotations

from fastapi import FastAPI

from fawtara.counters.bootstrap import password_hasher
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases.counters import register_counter
from fawtara.counters.use_cases.staff import SHELL, add_staff
from fawtara.ops.bootstrap import Probes
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.adapters.sms_repository import SqlSmsUnitOfWork
from fawtara.sms.use_cases.notifications import ReceiptBacklog, WorkerPolicy, work_once
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.switch.use_cases.payment_history import payment_history
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.smsc_support import Smsc, fresh, wait_until

PASSWORD = "console-pass-1"
# username -> role; the cashier and the supervisor work at counter DAM01.
STAFF = {
    "amal": Role.OPERATOR,
    "sami": Role.ADMINISTRATOR,
    "omar": Role.CASHIER,
    "huda": Role.SUPERVISOR,
}


def add_console_staff(platform: Platform) -> None:
    register_counter(
        platform.uow_factory(),
        platform.clock,
        Counter("DAM01", "صندوق المزة", "Mezzeh counter", "Damascus"),
        SHELL,
    )
    for username, role in STAFF.items():
        counter = "DAM01" if role.works_at_a_counter else None
        member = StaffMember(username, f"موظف {username}", role, counter)
        add_staff(
            platform.uow_factory(),
            password_hasher(cheap=True),
            platform.clock,
            member,
            PASSWORD,
            SHELL,
        )


def console_app(net: Network, smsc_port: int) -> FastAPI:
    """The app over the network's storage and bank; no bank link probed, the SMSC at a port."""
    app = create_app(net.platform, net.bank)
    app.state.probes = Probes(net.platform.engine, [], ("127.0.0.1", smsc_port), cache_s=0)
    return app


def deliver_sms(net: Network, smsc: Smsc, payment_id: str) -> None:
    """Run the SMS worker until the payment's SMS has a receipt for every part."""
    policy = WorkerPolicy(backoff_ms_min=50, backoff_ms_max=200, receipt_match_grace_s=5)
    backlog = ReceiptBacklog()

    def delivered() -> bool:
        work_once(
            lambda: SqlSmsUnitOfWork(net.platform.engine), gateway, net.clock, policy, backlog
        )
        sms = payment_history(net.platform.uow(readonly=True), payment_id).sms
        return bool(sms) and sms[0].state == "delivered"

    with SmppGateway(fresh(smsc).config()) as gateway:
        wait_until(delivered, timeout_s=15, step_s=0.02)
