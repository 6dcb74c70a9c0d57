"""The switch's Biller API side called in process (both systems, each on its own store)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy.exc import OperationalError

from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.kernel.notices import DownloadedFile, InFlight
from fawtara.kernel.ports import Clock
from fawtara.kernel.presentment import UploadedRow
from fawtara.switch.use_cases.bill_files import accept_bill_file
from fawtara.switch.use_cases.biller_side import in_flight
from fawtara.switch.use_cases.payment_files import acknowledge, download
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.switch.use_cases.ports import UnitOfWork


class InProcessSwitchLink:
    def __init__(
        self,
        switch_uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        switch: Callable[[], Switch] | None = None,
    ) -> None:
        self.uow_factory = switch_uow_factory
        self.clock = clock
        # The payment switch itself (payments files complete payments); built on demand.
        self.switch = switch
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

    def payment_files(self, biller_code: str, after: str | None) -> list[DownloadedFile]:
        self._check()
        try:
            files = download(self._switch(), biller_code, after)
        except OperationalError as error:
            raise SwitchUnreachable(str(error)) from error
        return [DownloadedFile(f.file_id, f.payments, f.created_at) for f in files]

    def acknowledge_payment_file(
        self, biller_code: str, file_id: str, receipts: dict[str, str]
    ) -> None:
        self._check()
        try:
            acknowledge(self._switch(), biller_code, file_id, receipts)
        except OperationalError as error:
            raise SwitchUnreachable(str(error)) from error

    def _switch(self) -> Switch:
        assert self.switch is not None, "payments files need the switch itself"
        return self.switch()
