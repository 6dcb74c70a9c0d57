"""The biller gateway that calls the billing system's own use cases, in process."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from fawtara.service_layer.ports import BillerUnreachable, Clock, UnitOfWork
from fawtara.service_layer.post_payment import (
    PostingResult,
    PostPayment,
    post_payment,
    reverse_posting,
)


class InProcessBillerGateway:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow_factory = uow_factory
        self.clock = clock

    def post(self, command: PostPayment) -> PostingResult:
        try:
            return post_payment(self.uow_factory(), command, self.clock.now())
        except OperationalError as error:  # the billing system's database is not there
            raise BillerUnreachable(str(error)) from error

    def reverse(self, payment_id: str, reason: str) -> None:
        try:
            reverse_posting(self.uow_factory(), payment_id, reason, self.clock.now())
        except OperationalError as error:
            raise BillerUnreachable(str(error)) from error
