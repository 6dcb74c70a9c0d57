"""A biller's network, simulated in process: it records every order and the lines' states.

In process, not an HTTP child like the bank simulators, because nothing in
the order path is a wire protocol we must get right: the order leaves the
switch's database through the outbox and the `ProvisioningGateway` port,
idempotent by order id, which is what tests need to see. A real network link
(an HTTP or SOAP call to the telecom's exchange system, a work order to the
meter crew) replaces this class in bootstrap and nowhere else.

Like the bank simulator it can fail: `fail_next` orders get no answer
(`ProvisioningUnreachable`), and they are sent again by the scheduler.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from fawtara.billing.domain.lifecycle import OrderAction, ProvisioningOrder
from fawtara.billing.use_cases.ports import ProvisioningUnreachable

ORDERS_KEPT_MAX = 1_000_000  # a demo quarter makes a few thousand


@dataclass(frozen=True, slots=True)
class ReceivedOrder:
    order: ProvisioningOrder
    received_at: datetime


class NetworkSimulator:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.orders: dict[str, ReceivedOrder] = {}  # by order id: a resend is recognised
        self.lines: dict[tuple[str, str], str] = {}  # (biller, service ref) -> "suspended"|"active"
        self.fail_next = 0
        self.duplicates = 0  # orders received again (after a lost answer): harmless

    def send(self, order: ProvisioningOrder) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise ProvisioningUnreachable(f"network of {order.biller_code} did not answer")
            if order.order_id in self.orders:
                self.duplicates += 1
                return
            assert len(self.orders) < ORDERS_KEPT_MAX
            self.orders[order.order_id] = ReceivedOrder(order, datetime.now(UTC))
            state = "suspended" if order.action is OrderAction.SUSPEND else "active"
            self.lines[(order.biller_code, order.service_ref)] = state

    def suspended_lines(self) -> set[tuple[str, str]]:
        with self._lock:
            return {line for line, state in self.lines.items() if state == "suspended"}
