"""An SMPP 3.4 ESME on asyncio: bind, keep alive, rebind, window, rate, receipts.

One supervisor task owns the connection: it connects, binds (transmitter or
transceiver), and after a drop binds again with exponential backoff between
`rebind_backoff_s_min` and `_max`. A bind refused for bad credentials
(ESME_RBINDFAIL, ESME_RINVPASWD, ESME_RINVSYSID) is final: `SmppBindRejected`
is raised to every caller and logged at CRITICAL, because no retry can help.

`submit_part` sends one submit_sm and waits for its response. The rule for a
part written on a session that then died (dropped by the SMSC, or its
response timer expired, after which the session is closed so that no late
answer can come): this process knows no response arrived, and the SMSC did
not take responsibility for the part, so the part is sent again on the next
session. Only a process that died itself cannot know whether a response
arrived; that case is the worker's (see service_layer.notifications).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from fawtara.kernel.backoff import backoff_s
from fawtara.sms.adapters import pdu as p
from fawtara.sms.adapters.config import SmppConfig
from fawtara.sms.domain.sms import DeliveryReceipt, parse_receipt

log = logging.getLogger("fawtara.sms.smpp")

ESM_CLASS_DELIVERY_RECEIPT = 0x04


class SmppBindRejected(Exception):
    """The SMSC refused our login: a configuration error, never retried."""

    def __init__(self, status: int) -> None:
        super().__init__(f"SMSC refused the bind: {p.status_name(status)}")
        self.status = status


class SmscUnavailable(Exception):
    """No bound session within the part's deadline (SMSC down or unreachable)."""


class SessionLost(Exception):
    """The session ended before the response came."""


@dataclass(frozen=True, slots=True)
class PartResult:
    status: int
    message_id: str

    @property
    def accepted(self) -> bool:
        return self.status == p.Status.ESME_ROK


class _Session:
    """One TCP connection, bound or binding."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.pending: dict[int, asyncio.Future[p.Pdu]] = {}
        self.closed = asyncio.Event()
        self.reader_task: asyncio.Task[None] | None = None
        self._sequence = itertools.count(1)

    def next_sequence(self) -> int:
        return next(self._sequence) % 0x7FFFFFFF or 1

    def send(self, pdu: p.Pdu) -> None:
        if self.closed.is_set():
            raise SessionLost("session closed")
        self.writer.write(pdu.encode())

    async def request(self, command_id: int, body: bytes, timeout_s: float) -> p.Pdu:
        sequence = self.next_sequence()
        future: asyncio.Future[p.Pdu] = asyncio.get_running_loop().create_future()
        self.pending[sequence] = future
        try:
            self.send(p.Pdu(command_id, 0, sequence, body))
            if self.writer.transport.get_write_buffer_size() > 256 * 1024:
                await self.writer.drain()
            return await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            # SMPP's response_timer expired: close, so that no late answer can
            # arrive after the part is sent again on a new session.
            self.close(f"no response to 0x{command_id:08X} within {timeout_s} s")
            raise SessionLost("response timer expired") from None
        except (ConnectionError, RuntimeError) as error:
            self.close(str(error))
            raise SessionLost(str(error)) from error
        finally:
            self.pending.pop(sequence, None)

    def close(self, reason: str) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        log.log(
            logging.INFO if reason == "unbound" else logging.WARNING,
            "SMPP session closed: %s",
            reason,
        )
        for future in self.pending.values():
            if not future.done():
                future.set_exception(SessionLost(reason))
        self.writer.close()


class SmppClient:
    def __init__(
        self, config: SmppConfig, on_receipt: Callable[[DeliveryReceipt], bool] | None = None
    ) -> None:
        self.config = config
        self.on_receipt = on_receipt or (lambda _receipt: True)
        self._session: _Session | None = None
        self._bound = asyncio.Event()
        self._fatal: SmppBindRejected | None = None
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        self._window = asyncio.Semaphore(config.window)
        self._next_slot = 0.0
        self.binds = 0  # sessions bound so far (tests and metrics)
        self.parts_resent = 0  # parts sent again after a lost session

    # Lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Start binding; wait for the first outcome up to connect_timeout_s.

        Raises SmppBindRejected at once for bad credentials. An unreachable
        SMSC is not an error here: the supervisor keeps trying with backoff.
        """
        self._supervisor = asyncio.create_task(self._supervise(), name="smpp-supervisor")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._bound.wait(), self.config.connect_timeout_s)
        if self._fatal is not None:
            raise self._fatal

    async def stop(self) -> None:
        """Unbind politely (bounded wait), then close."""
        self._stopping = True
        session = self._session
        if session is not None and not session.closed.is_set() and self._bound.is_set():
            with contextlib.suppress(SessionLost, OSError):
                await session.request(
                    p.Command.UNBIND, b"", min(2.0, self.config.response_timeout_s)
                )
            session.close("unbound")
        elif session is not None:
            session.close("unbound")
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor

    @property
    def is_bound(self) -> bool:
        return self._bound.is_set()

    async def _supervise(self) -> None:
        failures = 0  # binds failed in a row
        first_s, max_s = self.config.rebind_backoff_s_min, self.config.rebind_backoff_s_max
        while not self._stopping:
            try:
                session = await self._connect_and_bind()
            except SmppBindRejected as error:
                self._fatal = error
                self._bound.set()  # wake every waiter: they raise the error
                log.critical("%s: check FAWTARA_SMSC_SYSTEM_ID / _PASSWORD", error)
                return
            except (OSError, SessionLost, TimeoutError, p.PduError) as error:
                failures += 1
                delay_s = backoff_s(failures, first_s, max_s)
                log.warning(
                    "SMSC %s:%s unreachable (%s); retry in %.1f s",
                    self.config.host,
                    self.config.port,
                    error,
                    delay_s,
                )
                await asyncio.sleep(delay_s)
                continue
            failures = 0
            self._session = session
            self.binds += 1
            self._bound.set()
            keepalive = asyncio.create_task(self._enquire_links(session))
            try:
                await session.closed.wait()
            finally:
                self._bound.clear()
                keepalive.cancel()
                if session.reader_task is not None:
                    session.reader_task.cancel()
            if not self._stopping:
                await asyncio.sleep(backoff_s(1, first_s, max_s))

    async def _connect_and_bind(self) -> _Session:
        config = self.config
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(config.host, config.port), config.connect_timeout_s
        )
        session = _Session(reader, writer)
        session.reader_task = asyncio.create_task(self._read(session), name="smpp-reader")
        command = (
            p.Command.BIND_TRANSCEIVER
            if config.bind_mode == "transceiver"
            else p.Command.BIND_TRANSMITTER
        )
        bind = p.Bind(config.system_id, config.password, system_type="fawtara")
        answer = await session.request(command, bind.encode(), config.response_timeout_s)
        if answer.command_status in p.BIND_REJECTIONS:
            session.close("bind refused")
            raise SmppBindRejected(answer.command_status)
        if answer.command_status != p.Status.ESME_ROK:
            session.close(f"bind failed: {p.status_name(answer.command_status)}")
            raise SessionLost(p.status_name(answer.command_status))
        log.info(
            "bound to SMSC %s:%s as %s (%s)",
            config.host,
            config.port,
            config.system_id,
            config.bind_mode,
        )
        return session

    async def _enquire_links(self, session: _Session) -> None:
        while not session.closed.is_set():
            await asyncio.sleep(self.config.enquire_link_interval_s)
            with contextlib.suppress(SessionLost):
                await session.request(p.Command.ENQUIRE_LINK, b"", self.config.response_timeout_s)

    # Reading -----------------------------------------------------------------

    async def _read(self, session: _Session) -> None:
        try:
            while True:
                header = await session.reader.readexactly(p.HEADER.size)
                length, command_id, status, sequence = p.decode_header(header)
                body = await session.reader.readexactly(length - p.HEADER.size)
                self._dispatch(session, p.Pdu(command_id, status, sequence, body))
        except (asyncio.IncompleteReadError, ConnectionError, OSError, SessionLost) as error:
            lost = f"connection lost ({type(error).__name__})"
            session.close("unbound" if self._stopping else lost)
        except p.PduError as error:
            session.close(f"garbled PDU: {error}")

    def _dispatch(self, session: _Session, pdu: p.Pdu) -> None:
        if pdu.is_response:
            future = session.pending.get(pdu.sequence_number)
            if future is not None and not future.done():
                future.set_result(pdu)
            return
        if pdu.command_id == p.Command.ENQUIRE_LINK:
            session.send(p.Pdu(p.Command.ENQUIRE_LINK_RESP, 0, pdu.sequence_number))
        elif pdu.command_id == p.Command.DELIVER_SM:
            status = self._receive_deliver_sm(pdu)
            body = p.encode_message_id("")
            session.send(p.Pdu(p.Command.DELIVER_SM_RESP, status, pdu.sequence_number, body))
        elif pdu.command_id == p.Command.UNBIND:
            session.send(p.Pdu(p.Command.UNBIND_RESP, 0, pdu.sequence_number))
            session.close("the SMSC unbound")
        else:
            nack = p.Pdu(p.Command.GENERIC_NACK, p.Status.ESME_RINVCMDID, pdu.sequence_number)
            session.send(nack)

    def _receive_deliver_sm(self, pdu: p.Pdu) -> int:
        try:
            message = p.ShortMessage.decode(pdu.body)
        except p.PduError:
            return int(p.Status.ESME_RSYSERR)
        if not message.esm_class & ESM_CLASS_DELIVERY_RECEIPT:
            log.info("ignored a mobile-originated message from %s", message.source_addr)
            return int(p.Status.ESME_ROK)
        receipt = parse_receipt(message.short_message.decode("latin-1"), message.source_addr)
        if receipt is None:
            log.warning("unreadable delivery receipt %r", message.short_message[:80])
            return int(p.Status.ESME_ROK)
        # A full buffer answers "try later": the SMSC keeps the receipt and resends it.
        return int(p.Status.ESME_ROK if self.on_receipt(receipt) else p.Status.ESME_RX_T_APPN)

    # Submitting --------------------------------------------------------------

    async def _wait_bound(self, deadline: float) -> _Session:
        loop = asyncio.get_running_loop()
        while True:
            if self._fatal is not None:
                raise self._fatal
            session = self._session
            if self._bound.is_set() and session is not None and not session.closed.is_set():
                return session
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SmscUnavailable(f"no SMPP session to {self.config.host}:{self.config.port}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._bound.wait(), min(remaining, 0.5))

    async def _pace(self) -> None:
        """Space submits 1/rate apart (rate 0: no limit)."""
        if not self.config.rate_per_s:
            return
        loop = asyncio.get_running_loop()
        slot = max(loop.time(), self._next_slot)
        self._next_slot = slot + 1 / self.config.rate_per_s
        if slot > loop.time():
            await asyncio.sleep(slot - loop.time())

    async def submit_part(
        self, destination: str, short_message: bytes, esm_class: int, data_coding: int
    ) -> PartResult:
        """submit_sm one part and return the SMSC's answer.

        Raises SmscUnavailable when no session could be had before the part's
        deadline (the part was then not answered: it may be sent again), and
        SmppBindRejected for bad credentials.
        """
        config = self.config
        message = p.ShortMessage(
            source_addr=config.source_addr,
            source_addr_ton=5 if config.source_is_alphanumeric else 1,
            source_addr_npi=0 if config.source_is_alphanumeric else 1,
            destination_addr=destination.lstrip("+"),
            short_message=short_message,
            esm_class=esm_class,
            data_coding=data_coding,
            registered_delivery=1,  # a transmitter bind: the SMSC keeps receipts for a receiver
        )
        body = message.encode()
        deadline = asyncio.get_running_loop().time() + config.part_deadline_s
        while True:
            session = await self._wait_bound(deadline)
            await self._pace()
            async with self._window:
                try:
                    answer = await session.request(
                        p.Command.SUBMIT_SM, body, config.response_timeout_s
                    )
                except SessionLost:
                    self.parts_resent += 1
                    continue  # the rule in the module docstring
            if answer.command_id == p.Command.GENERIC_NACK:
                return PartResult(answer.command_status or p.Status.ESME_RSYSERR, "")
            message_id = p.decode_message_id(answer.body) if answer.command_status == 0 else ""
            return PartResult(answer.command_status, message_id)
