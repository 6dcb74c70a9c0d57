"""The SmsGateway port over SMPP: the asyncio client on a thread of its own.

The worker is synchronous (one database transaction after another); the SMPP
session must keep answering enquire_link and reading receipts meanwhile, so
the client runs on its own event loop in a daemon thread, and `submit` hands
it a batch and waits for every outcome.

Parts of one message go one after the other (the next only once the previous
was accepted), so a refusal leaves a clean prefix of accepted parts and a
retry sends only the rest. Messages of a batch go side by side, up to the
SMPP window.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from fawtara.kernel import limits
from fawtara.sms.adapters import pdu as p
from fawtara.sms.adapters.client import SmppBindRejected, SmppClient, SmscUnavailable
from fawtara.sms.adapters.config import SmppConfig
from fawtara.sms.domain.sms import DATA_CODING_UCS2, ESM_CLASS_UDHI, DeliveryReceipt
from fawtara.sms.use_cases.notifications import (
    OutgoingSms,
    SmsGateway,
    SmsGatewayMisconfigured,
    SubmitOutcome,
    SubmitStatus,
)

T = TypeVar("T")


class SmppGateway:
    def __init__(self, config: SmppConfig) -> None:
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="smpp-client", daemon=True
        )
        self._receipts: collections.deque[DeliveryReceipt] = collections.deque()
        self._client = SmppClient(config, self._keep_receipt)
        self._login_error: str | None = None

    def __enter__(self) -> SmppGateway:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Bind (waiting up to connect_timeout_s); SmsGatewayMisconfigured for bad credentials."""
        self._thread.start()
        try:
            self._run(self._client.start(), self.config.connect_timeout_s + 5)
        except SmppBindRejected as error:
            self._login_error = str(error)
            self.close()
            raise SmsGatewayMisconfigured(str(error)) from error

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._run(self._client.stop(), 5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    @property
    def login_error(self) -> str | None:
        return self._login_error

    @property
    def client(self) -> SmppClient:
        return self._client

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    def _keep_receipt(self, receipt: DeliveryReceipt) -> bool:
        if len(self._receipts) >= limits.smpp_receipts_buffered_max:
            return False
        self._receipts.append(receipt)
        return True

    def take_receipts(self) -> list[DeliveryReceipt]:
        taken = []
        while self._receipts:
            taken.append(self._receipts.popleft())
        return taken

    def submit(self, messages: Sequence[OutgoingSms]) -> list[SubmitOutcome]:
        # Every part bounds its own wait (part_deadline_s, response timer), so
        # this bound is never the one that fires; it guards against a bug.
        per_part = self.config.part_deadline_s + 2 * self.config.response_timeout_s
        bound = per_part * limits.sms_parts_max + 30
        outcomes: list[SubmitOutcome] = self._run(self._submit_all(messages), bound)
        return outcomes

    async def _submit_all(self, messages: Sequence[OutgoingSms]) -> list[SubmitOutcome]:
        return list(await asyncio.gather(*(self._submit_one(m) for m in messages)))

    async def _submit_one(self, message: OutgoingSms) -> SubmitOutcome:
        accepted: list[str] = []
        esm_class = ESM_CLASS_UDHI if len(message.parts) > 1 else 0

        def outcome(status: SubmitStatus, reason: str = "") -> SubmitOutcome:
            return SubmitOutcome(message.message_id, status, tuple(accepted), reason)

        for part in message.parts[message.first_part :]:
            try:
                result = await self._client.submit_part(
                    message.msisdn, part, esm_class, DATA_CODING_UCS2
                )
            except SmscUnavailable as error:
                return outcome(SubmitStatus.RETRY, f"SMSC_UNAVAILABLE: {error}")
            except SmppBindRejected as error:
                self._login_error = str(error)
                return outcome(SubmitStatus.RETRY, f"SMSC_LOGIN_REJECTED: {error}")
            if result.accepted:
                accepted.append(result.message_id)
                continue
            reason = p.status_name(result.status)
            if result.status in p.TRANSIENT_STATUSES:
                return outcome(SubmitStatus.RETRY, reason)
            return outcome(SubmitStatus.REJECTED, reason)
        return outcome(SubmitStatus.SENT)


def _conforms(config: SmppConfig) -> SmsGateway:
    """Type-checked only: SmppGateway implements the SmsGateway port."""
    return SmppGateway(config)
