"""The switch's Biller API side called in process (both systems, each on its own store)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy.exc import OperationalError

from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.kernel.notices import InFlight
from fawtara.kernel.ports import Clock
from fawtara.kernel.presentment import UploadedRow
from fawtara.switch.use_cases.bill_files import accept_bill_file
from fawtara.switch.use_cases.biller_side import in_flight
from fawtara.switch.use_cases.ports import UnitOfWork


class InProcessSwitchLink:
    def __init__(self, switch_uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow_factory = switch_uow_factory
        self.clock = clock
        self.reachable = True  # tests cut the link by setting this False

    def _check(self) -> None:
        if not self.reachable:
            raise SwitchUnreachable("the link to the switch is down")

    def upload_bills(self, biller_code: str, file_id: str, rows: Sequence[UploadedRow]) -> int:
        self._check()
        checksum = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
        try:
            result = accept_bill_file(
                self.uow_factory, self.clock, biller_code, file_id, checksum, rows
            )
        except OperationalError as error:
            raise SwitchUnreachable(str(error)) from error
        return result.rows_applied + result.rows_unchanged

    def in_flight(self, biller_code: str, references: Sequence[str]) -> InFlight:
        self._check()
        try:
            return in_flight(self.uow_factory(), self.clock, biller_code, references)
        except OperationalError as error:
            raise SwitchUnreachable(str(error)) from error
