"""The billing system collects its payments from the switch as payments files.

For a biller in upload mode the switch sends no notices: the billing system
downloads its payments files (docs/BILLER-API.md, "Payments file"), posts
each payment with `post_payment`, the use case an online notice calls, and
acknowledges the file with a receipt id for each payment it posted. A
payment it refuses (a named error: the bill is paid already, say) gets no
receipt, and the switch gives its money back.

Posting is idempotent by payment id, so a file collected twice, or again
after a crash between posting and the acknowledgement, posts nothing twice:
the second time every posting is a replay with the same receipt, and the
switch answers the same acknowledgement the same. Due dates are judged by
the payment's `accepted_at` at the switch, not by when it is collected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fawtara.billing.use_cases.ports import SwitchLink, UnitOfWork
from fawtara.billing.use_cases.post_payment import post_payment
from fawtara.kernel.errors import FawtaraError
from fawtara.kernel.notices import DownloadedFile
from fawtara.kernel.ports import Clock

log = logging.getLogger("fawtara.billing.collect")


@dataclass(frozen=True, slots=True)
class CollectedFile:
    """What one payments file brought: new postings, replays, and refusals by code."""

    biller_code: str
    file_id: str
    posted: int
    replayed: int
    refused: tuple[tuple[str, str], ...] = ()  # (payment id, error code)


@dataclass
class CollectionReport:
    files: list[CollectedFile] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "payment_files": len(self.files),
            "payments_posted": sum(f.posted for f in self.files),
            "payments_replayed": sum(f.replayed for f in self.files),
            "payments_refused": sum(len(f.refused) for f in self.files),
        }


def collect_payments(
    uow_factory: Callable[[], UnitOfWork],
    link: SwitchLink,
    clock: Clock,
    biller_codes: Sequence[str],
) -> CollectionReport:
    """Collect every open payments file of these billers (an online biller has none).

    The switch lists at most `limits.payment_files_open_max` files at a time; what
    is left is collected at the next run. A switch that does not answer raises
    SwitchUnreachable: nothing acknowledged is lost, the next run tries again."""
    report = CollectionReport()
    for biller_code in biller_codes:
        for downloaded in link.payment_files(biller_code, None):
            report.files.append(collect_file(uow_factory, link, clock, biller_code, downloaded))
    return report


def collect_file(
    uow_factory: Callable[[], UnitOfWork],
    link: SwitchLink,
    clock: Clock,
    biller_code: str,
    downloaded: DownloadedFile,
) -> CollectedFile:
    """Post each payment of the file, then acknowledge it with the receipts."""
    receipts: dict[str, str] = {}
    posted, replayed, refused = 0, 0, []
    for command in downloaded.payments:
        try:
            result = post_payment(uow_factory(), command, clock.now())
        except FawtaraError as refusal:  # what an online biller would answer 4xx
            refused.append((command.payment_id, refusal.code))
            log.warning("payment %s refused: %s", command.payment_id, refusal.message)
            continue
        receipts[command.payment_id] = result.receipt_id
        replayed, posted = (replayed + 1, posted) if result.replayed else (replayed, posted + 1)
    link.acknowledge_payment_file(biller_code, downloaded.file_id, receipts)
    return CollectedFile(biller_code, downloaded.file_id, posted, replayed, tuple(refused))
