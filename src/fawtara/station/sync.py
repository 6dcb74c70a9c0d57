"""The sync loop: the journal pushed in order, the snapshot refreshed, by itself.

One thread owns the link. Batches are cut by count (the switch's 200) and by
size (its 64 KiB body limit). A page that wrote an entry wakes it and waits a few
seconds for the answer (`push_and_wait`); when the link is down the entry stays
pending and the loop tries again with backoff until the switch answers. The
switch is idempotent by entry id, so an entry whose answer was lost is simply
sent again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from fawtara.kernel import limits
from fawtara.kernel.ports import Clock
from fawtara.station.link import LinkDown, SwitchLink
from fawtara.station.model import EntryState
from fawtara.station.rules import entries_that_fit, retry_delay_s, synced_through
from fawtara.station.store import LocalStore

log = logging.getLogger("fawtara.station.sync")


@dataclass(frozen=True)
class LinkStatus:
    up: bool | None  # None: not tried yet
    reason: str
    last_contact_at: datetime | None


class Syncer:
    def __init__(self, store: LocalStore, link: SwitchLink, clock: Clock) -> None:
        self.store, self.link, self.clock = store, link, clock
        self.status = LinkStatus(None, "not tried yet", None)
        self._wake = threading.Event()
        self._answered = threading.Condition()
        # Rounds of the loop, started and finished: a page that wrote an entry waits
        # for the first round that started after it, whatever that round's fate.
        self._rounds_started = 0
        self._rounds_finished = 0
        self._busy = threading.Lock()

    def push_pending(self) -> int:
        """Push every pending entry, in order, in batches; how many were answered."""
        answered = 0
        with self._busy:
            while batch := self.store.pending_entries(limits.counter_journal_entries_max):
                through = synced_through(self.store.oldest_pending_at(), self.clock.now())
                batch = batch[: entries_that_fit([entry.wire() for entry in batch], through)]
                results = self.link.push(batch, through)
                now = self.clock.now()
                with self.store.write() as writer:
                    for result in results:
                        writer.record_result(result, now)
                answered += len(results)
                self._contact()
                with self._answered:
                    self._answered.notify_all()
                if len(results) < len(batch):
                    raise LinkDown(f"switch answered {len(results)} of {len(batch)} entries")
            if answered == 0:  # nothing pending: tell the switch we are up to date
                self.link.push([], self.clock.now())
                self._contact()
        return answered

    def refresh_snapshot(self) -> None:
        first, bills = self.link.snapshot()
        with self.store.write() as writer:
            writer.replace_snapshot(first, bills)
        self._contact()
        log.info("snapshot refreshed: %d unpaid bills", len(bills))

    def wake(self) -> None:
        """Push soon, without waiting for the answer."""
        self._wake.set()

    def push_and_wait(self, entry_id: str, wait_s: float = limits.station_push_wait_s) -> bool:
        """Wake the loop and wait for the switch's answer to one entry; True if it came."""
        deadline = time.monotonic() + wait_s
        with self._answered:
            round_wanted = self._rounds_started + 1
        self._wake.set()
        with self._answered:
            while self._entry_pending(entry_id):
                left = deadline - time.monotonic()
                if left <= 0 or self._rounds_finished >= round_wanted:
                    return False
                self._answered.wait(left)
        return True

    def _entry_pending(self, entry_id: str) -> bool:
        return self.store.entry_state(entry_id) is EntryState.PENDING

    def _contact(self) -> None:
        self.status = LinkStatus(True, "connected", self.clock.now())

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: push, refresh every so often, back off while the link is down."""
        failures = 0
        refresh_due = 0.0
        while not stop.is_set():
            with self._answered:
                self._rounds_started += 1
            try:
                self.push_pending()
                if time.monotonic() >= refresh_due:
                    self.refresh_snapshot()
                    refresh_due = time.monotonic() + limits.station_snapshot_refresh_s
                failures = 0
            except LinkDown as error:
                failures += 1
                self.status = LinkStatus(False, str(error), self.status.last_contact_at)
                log.warning("link down (%d in a row): %s", failures, error)
            with self._answered:
                self._rounds_finished += 1
                self._answered.notify_all()  # a waiting page learns its entry stays pending
            pause = retry_delay_s(failures) if failures else limits.station_snapshot_refresh_s
            self._wake.wait(pause)
            self._wake.clear()
