"""A long offline backlog reaches the switch whole (issue 5).

A day of payments taken with the line down is more than one journal push can
carry under the switch's 64 KiB body limit; the station cuts its pushes by
size, so every payment lands once when the line returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from fawtara.kernel import limits
from fawtara.station.rules import journal_body
from fawtara.storage import tables as t
from fawtara.switch.use_cases.ledger import verify_ledger
from tests.station_support import BILLER, CASHIER, CASHIER_PASSWORD, station_line, wait_until

BACKLOG = 170  # ~415 bytes each: ~70 kB, over the body limit in one push
SYNC_S_MAX = 90.0


def test_a_backlog_larger_than_one_push_syncs_every_payment_once(
    database_url: str, billing_database_url: str, tmp_path: Path
) -> None:
    with station_line(database_url, tmp_path, BACKLOG, billing_database_url) as line:
        desk, store = line.station.desk, line.station.store
        member = desk.signed_in(desk.sign_in(CASHIER, CASHIER_PASSWORD))
        desk.open_shift(member, 50_000)
        wait_until(lambda: store.pending_count() == 0, "the shift's opening synced")
        line.proxy.cut()
        paid = []
        for bill in line.bills[:BACKLOG]:
            quote = desk.quote(member, BILLER, bill.meter, [bill.bill_id])
            paid.append(desk.take_payment(member, quote, quote.cash_to_take_minor))
        pending = store.pending_entries(limits.counter_journal_entries_max)
        assert len(pending) == BACKLOG  # all of them would fit one push by count...
        body = journal_body([entry.wire() for entry in pending], datetime.now(UTC))
        assert len(body) > limits.request_body_bytes_max  # ...but not by size

        line.proxy.restore()
        line.station.syncer.wake()
        wait_until(lambda: store.pending_count() == 0, "the backlog synced", SYNC_S_MAX)

        with line.platform.engine.connect() as db:
            states = db.execute(
                select(t.payments.c.payment_id, t.payments.c.state).where(
                    t.payments.c.channel == "counter"
                )
            ).all()
        assert sorted(states) == sorted((payment_id, "completed") for payment_id in paid)
        assert verify_ledger(line.platform.uow(readonly=True)).balanced
