"""The SMSC simulator's SMPP side: a real SMPP 3.4 server on asyncio.

It holds several accounts (system_id → password), as an operator's SMSC holds
one per customer: the switch's and each billing system's. It checks the login
(unknown system_id → ESME_RBINDFAIL, wrong password → ESME_RINVPASWD), answers
enquire_link and unbind (with unbind_resp), joins concatenated parts by their
UDH (reference, seq) in whatever order they come, and sends a delivery receipt
per part (deliver_sm, esm_class 0x04) after `receipt_delay_ms` to a bound
transceiver/receiver session of the account that submitted it, never to
another account's; receipts wait for one when none is bound. Faults, set at
run time:

    throttle_next      answer ESME_RTHROTTLED to the next N submit_sm
    throttle_after     … after letting this many more through first
    reject_next        answer ESME_RSUBMITFAIL to the next N submit_sm
    drop_after_pdus    on reading the Nth PDU from now, close the TCP
                       connection without processing that PDU (one shot)
    resp_delay_ms      accept each submit_sm at once, answer it this late
    undeliverable      numbers whose receipts say stat:UNDELIV
    invalid            numbers refused with ESME_RINVDSTADR
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fawtara.sms.adapters import pdu as p
from fawtara.sms.domain.sms import (
    ESM_CLASS_UDHI,
    ConcatenatedPart,
    ReceiptStat,
    parse_concatenated,
    reassemble,
    receipt_text,
)

log = logging.getLogger("fawtara.simulators.smsc")
ESM_CLASS_DELIVERY_RECEIPT = 0x04
RECEIPT_RETRY_S = 1.0
PENDING_PARTS_MAX = 100_000  # incomplete concatenated messages kept (a bound on memory)


@dataclass
class Faults:
    throttle_next: int = 0
    throttle_after: int = 0
    reject_next: int = 0
    drop_after_pdus: int = 0
    resp_delay_ms: int = 0
    undeliverable: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)

    def update(self, changes: dict[str, Any]) -> None:
        if changes.get("reset"):
            self.throttle_next = self.throttle_after = self.reject_next = 0
            self.drop_after_pdus = self.resp_delay_ms = 0
            self.undeliverable, self.invalid = set(), set()
        for name in (
            "throttle_next",
            "throttle_after",
            "reject_next",
            "drop_after_pdus",
            "resp_delay_ms",
        ):
            if name in changes:
                value = int(changes[name])
                if value < 0:
                    raise ValueError(f"{name} must be ≥ 0")
                setattr(self, name, value)
        for name in ("undeliverable", "invalid"):
            if name in changes:
                setattr(self, name, {"+" + str(n).lstrip("+") for n in changes[name]})

    def as_dict(self) -> dict[str, Any]:
        return {
            "throttle_next": self.throttle_next,
            "throttle_after": self.throttle_after,
            "reject_next": self.reject_next,
            "drop_after_pdus": self.drop_after_pdus,
            "resp_delay_ms": self.resp_delay_ms,
            "undeliverable": sorted(self.undeliverable),
            "invalid": sorted(self.invalid),
        }


@dataclass
class ReceivedMessage:
    to: str
    sender: str
    text: str
    parts: int
    message_ids: list[str]
    received_at: str
    system_id: str  # the account that submitted it

    def as_dict(self) -> dict[str, Any]:
        return {
            "system_id": self.system_id,
            "to": self.to,
            "from": self.sender,
            "text": self.text,
            "parts": self.parts,
            "message_ids": self.message_ids,
            "received_at": self.received_at,
        }


@dataclass
class _Receipt:
    system_id: str
    handset: str  # E.164 without '+'
    our_address: str
    text: str


class _Session:
    def __init__(self, smsc: SmscSimulator, writer: asyncio.StreamWriter) -> None:
        self.smsc, self.writer = smsc, writer
        self.system_id: str | None = None
        self.can_receive = False
        self.can_transmit = False
        self.sequence = itertools.count(1)
        self.receipts_in_flight: dict[int, _Receipt] = {}
        self.closed = False

    def send(self, pdu: p.Pdu) -> None:
        if not self.closed:
            self.writer.write(pdu.encode())

    def abort(self) -> None:
        self.closed = True
        self.writer.transport.abort()


class SmscSimulator:
    def __init__(self, accounts: Mapping[str, str], receipt_delay_ms: int = 200) -> None:
        assert accounts, "an SMSC with no account accepts no bind"
        self.accounts = dict(accounts)  # system_id → password
        self.receipt_delay_ms = receipt_delay_ms  # < 0: no receipts
        self.faults = Faults()
        self.messages: list[ReceivedMessage] = []
        self.pdus_received = 0
        self.submits_received = 0
        self._pending: dict[tuple[str, str, str, int], dict[int, tuple[ConcatenatedPart, str]]] = {}
        self._sessions: set[_Session] = set()
        # Receipts for accounts with no receiving session bound, by system_id.
        self._receipts_waiting: dict[str, list[_Receipt]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def bound_sessions(self) -> int:
        return sum(self.bound_by_account.values())

    @property
    def bound_by_account(self) -> dict[str, int]:
        """Bound sessions per system_id (an account with none bound is left out)."""
        counts: dict[str, int] = {}
        for session in self._sessions:
            if session.system_id and not session.closed:
                counts[session.system_id] = counts.get(session.system_id, 0) + 1
        return counts

    def reset(self) -> None:
        """Forget messages, faults, counters, incomplete parts and receipts not yet sent."""
        self.faults.update({"reset": True})
        self.messages.clear()
        self.pdus_received = self.submits_received = 0
        self._pending.clear()
        self._receipts_waiting.clear()
        for session in self._sessions:
            session.receipts_in_flight.clear()
        for task in list(self._tasks):
            task.cancel()

    # Connections ---------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(self, writer)
        self._sessions.add(session)
        try:
            while not session.closed:
                header = await reader.readexactly(p.HEADER.size)
                length, command_id, status, sequence = p.decode_header(header)
                body = await reader.readexactly(length - p.HEADER.size)
                self.pdus_received += 1
                if self.faults.drop_after_pdus:
                    self.faults.drop_after_pdus -= 1
                    if self.faults.drop_after_pdus == 0:
                        log.warning("fault: dropping the connection of %s", session.system_id)
                        session.abort()
                        break
                self._dispatch(session, p.Pdu(command_id, status, sequence, body))
                if writer.transport.get_write_buffer_size() > 256 * 1024:
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, p.PduError):
            pass
        finally:
            session.closed = True
            self._sessions.discard(session)
            for receipt in session.receipts_in_flight.values():
                self._hold(receipt)
            with contextlib.suppress(Exception):
                writer.close()

    def _dispatch(self, session: _Session, pdu: p.Pdu) -> None:
        command = pdu.command_id
        if command in p.BINDS:
            self._bind(session, pdu)
        elif command == p.Command.ENQUIRE_LINK:
            session.send(p.Pdu(p.Command.ENQUIRE_LINK_RESP, 0, pdu.sequence_number))
        elif command == p.Command.UNBIND:
            session.send(p.Pdu(p.Command.UNBIND_RESP, 0, pdu.sequence_number))
            session.closed = True
            session.writer.close()
        elif command == p.Command.SUBMIT_SM:
            self._submit(session, pdu)
        elif command == p.Command.DELIVER_SM_RESP:
            receipt = session.receipts_in_flight.pop(pdu.sequence_number, None)
            if receipt is not None and pdu.command_status != p.Status.ESME_ROK:
                self._later(RECEIPT_RETRY_S, self._send_receipt(receipt))
        elif pdu.is_response:
            pass
        else:
            nack = p.Pdu(p.Command.GENERIC_NACK, p.Status.ESME_RINVCMDID, pdu.sequence_number)
            session.send(nack)

    def _bind(self, session: _Session, pdu: p.Pdu) -> None:
        answer_id = pdu.command_id | p.RESPONSE_BIT
        try:
            bind = p.Bind.decode(pdu.body)
        except p.PduError:
            session.send(p.Pdu(answer_id, p.Status.ESME_RSYSERR, pdu.sequence_number))
            return
        if session.system_id is not None:
            status = p.Status.ESME_RALYBND
        elif bind.system_id not in self.accounts:
            status = p.Status.ESME_RBINDFAIL
        elif bind.password != self.accounts[bind.system_id]:
            status = p.Status.ESME_RINVPASWD
        else:
            status = p.Status.ESME_ROK
        if status != p.Status.ESME_ROK:
            log.warning("refused bind of %r: %s", bind.system_id, p.status_name(status))
            session.send(p.Pdu(answer_id, status, pdu.sequence_number))
            return
        session.system_id = bind.system_id
        session.can_transmit = pdu.command_id != p.Command.BIND_RECEIVER
        session.can_receive = pdu.command_id != p.Command.BIND_TRANSMITTER
        body = p.encode_system_id("fawtara-smsc")
        session.send(p.Pdu(answer_id, 0, pdu.sequence_number, body))
        log.info("bound %s (%s)", bind.system_id, p.Command(pdu.command_id).name.lower())
        if session.can_receive:
            for receipt in self._receipts_waiting.pop(bind.system_id, []):
                self._later(0, self._send_receipt(receipt))

    # Messages ------------------------------------------------------------------

    def _refusal(self, session: _Session, message: p.ShortMessage) -> int:
        to = "+" + message.destination_addr.lstrip("+")
        if session.system_id is None or not session.can_transmit:
            return p.Status.ESME_RINVBNDSTS
        if not message.destination_addr.isdigit() or not 8 <= len(message.destination_addr) <= 15:
            return p.Status.ESME_RINVDSTADR
        if to in self.faults.invalid:
            return p.Status.ESME_RINVDSTADR
        if self.faults.throttle_next and self.faults.throttle_after:
            self.faults.throttle_after -= 1
        elif self.faults.throttle_next:
            self.faults.throttle_next -= 1
            return p.Status.ESME_RTHROTTLED
        if self.faults.reject_next:
            self.faults.reject_next -= 1
            return p.Status.ESME_RSUBMITFAIL
        return p.Status.ESME_ROK

    def _submit(self, session: _Session, pdu: p.Pdu) -> None:
        self.submits_received += 1
        try:
            message = p.ShortMessage.decode(pdu.body)
        except p.PduError:
            session.send(
                p.Pdu(p.Command.SUBMIT_SM_RESP, p.Status.ESME_RSYSERR, pdu.sequence_number)
            )
            return
        status = self._refusal(session, message)
        if status != p.Status.ESME_ROK:
            session.send(p.Pdu(p.Command.SUBMIT_SM_RESP, status, pdu.sequence_number))
            return
        message_id = secrets.token_hex(5)
        self._accept(session, message, message_id)
        answer = p.Pdu(
            p.Command.SUBMIT_SM_RESP, 0, pdu.sequence_number, p.encode_message_id(message_id)
        )
        delay_s = self.faults.resp_delay_ms / 1000
        if delay_s:
            self._later(delay_s, self._answer_late(session, answer))
        else:
            session.send(answer)
        if message.registered_delivery & 1 and self.receipt_delay_ms >= 0:
            receipt = self._receipt_for(session, message, message_id)
            self._later(delay_s + self.receipt_delay_ms / 1000, self._send_receipt(receipt))

    async def _answer_late(self, session: _Session, answer: p.Pdu) -> None:
        session.send(answer)

    def _accept(self, session: _Session, message: p.ShortMessage, message_id: str) -> None:
        part = (
            parse_concatenated(message.short_message)
            if message.esm_class & ESM_CLASS_UDHI
            else None
        )
        if part is None:
            text = message.short_message.decode("utf-16-be", "replace")
            self._record(session, message, [message_id], text, 1)
            return
        key = (
            session.system_id or "",
            message.source_addr,
            message.destination_addr,
            part.reference,
        )
        parts = self._pending.setdefault(key, {})
        parts[part.seq] = (part, message_id)
        if len(parts) == part.total and sorted(parts) == list(range(1, part.total + 1)):
            del self._pending[key]
            text = reassemble(found for found, _ in parts.values())
            ids = [parts[seq][1] for seq in sorted(parts)]
            self._record(session, message, ids, text, part.total)
        elif len(self._pending) > PENDING_PARTS_MAX:
            self._pending.pop(next(iter(self._pending)))

    def _record(
        self, session: _Session, message: p.ShortMessage, ids: list[str], text: str, parts: int
    ) -> None:
        received = ReceivedMessage(
            to="+" + message.destination_addr.lstrip("+"),
            sender=message.source_addr,
            text=text,
            parts=parts,
            message_ids=ids,
            received_at=datetime.now(UTC).isoformat(),
            system_id=session.system_id or "",
        )
        self.messages.append(received)
        log.info(
            "SMS of %s to %s from %s, %d part(s), ids %s: %s",
            received.system_id,
            received.to,
            received.sender,
            parts,
            ",".join(ids),
            text,
        )

    # Receipts ------------------------------------------------------------------

    def _receipt_for(self, session: _Session, message: p.ShortMessage, message_id: str) -> _Receipt:
        handset = message.destination_addr.lstrip("+")
        stat = (
            ReceiptStat.UNDELIVERABLE
            if "+" + handset in self.faults.undeliverable
            else ReceiptStat.DELIVERED
        )
        now = datetime.now(UTC)
        text = receipt_text(message_id, stat, now, now)
        return _Receipt(session.system_id or "", handset, message.source_addr, text)

    async def _send_receipt(self, receipt: _Receipt) -> None:
        receivers = [
            s
            for s in self._sessions
            if s.can_receive and s.system_id == receipt.system_id and not s.closed
        ]
        if not receivers:
            self._hold(receipt)
            return
        session = receivers[0]
        sequence = next(session.sequence)
        deliver = p.ShortMessage(
            source_addr=receipt.handset,
            source_addr_ton=1,
            source_addr_npi=1,
            destination_addr=receipt.our_address,
            short_message=receipt.text.encode("ascii"),
            esm_class=ESM_CLASS_DELIVERY_RECEIPT,
        )
        session.receipts_in_flight[sequence] = receipt
        session.send(p.Pdu(p.Command.DELIVER_SM, 0, sequence, deliver.encode()))

    def _hold(self, receipt: _Receipt) -> None:
        """Keep a receipt until a receiving session of its account binds."""
        self._receipts_waiting.setdefault(receipt.system_id, []).append(receipt)

    def _later(self, delay_s: float, coroutine: Any) -> None:
        async def run() -> None:
            if delay_s:
                await asyncio.sleep(delay_s)
            await coroutine

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
