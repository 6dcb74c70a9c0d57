"""SMPP 3.4 PDUs: the header, the bodies this network uses, and their codes.

Shared by the client (adapters.sms.client) and the SMSC simulator. Only the
PDUs a bill-payment notifier needs are given typed bodies; any other command
is read as a header with raw bytes, and answered with generic_nack by both
sides.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field

HEADER = struct.Struct(">IIII")
PDU_LENGTH_MAX = 64 * 1024  # a submit_sm is at most ~ 300 octets; anything huge is garbage
INTERFACE_VERSION = 0x34


class Command(enum.IntEnum):
    GENERIC_NACK = 0x80000000
    BIND_RECEIVER = 0x00000001
    BIND_TRANSMITTER = 0x00000002
    QUERY_SM = 0x00000003
    SUBMIT_SM = 0x00000004
    DELIVER_SM = 0x00000005
    UNBIND = 0x00000006
    BIND_TRANSCEIVER = 0x00000009
    ENQUIRE_LINK = 0x00000015
    BIND_RECEIVER_RESP = 0x80000001
    BIND_TRANSMITTER_RESP = 0x80000002
    QUERY_SM_RESP = 0x80000003
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM_RESP = 0x80000005
    UNBIND_RESP = 0x80000006
    BIND_TRANSCEIVER_RESP = 0x80000009
    ENQUIRE_LINK_RESP = 0x80000015


RESPONSE_BIT = 0x80000000
BINDS = (Command.BIND_RECEIVER, Command.BIND_TRANSMITTER, Command.BIND_TRANSCEIVER)


class Status(enum.IntEnum):
    """command_status values (SMPP 3.4 section 5.1.3) this code names."""

    ESME_ROK = 0x00
    ESME_RINVMSGLEN = 0x01
    ESME_RINVCMDLEN = 0x02
    ESME_RINVCMDID = 0x03
    ESME_RINVBNDSTS = 0x04
    ESME_RALYBND = 0x05
    ESME_RSYSERR = 0x08
    ESME_RINVSRCADR = 0x0A
    ESME_RINVDSTADR = 0x0B
    ESME_RINVMSGID = 0x0C
    ESME_RBINDFAIL = 0x0D
    ESME_RINVPASWD = 0x0E
    ESME_RINVSYSID = 0x0F
    ESME_RMSGQFUL = 0x14
    ESME_RINVESMCLASS = 0x43
    ESME_RSUBMITFAIL = 0x45
    ESME_RTHROTTLED = 0x58
    ESME_RX_T_APPN = 0x64
    ESME_RUNKNOWNERR = 0xFF


def status_name(status: int) -> str:
    try:
        return f"{Status(status).name} (0x{status:02X})"
    except ValueError:
        return f"0x{status:08X}"


# Try again later: the SMSC refused for now, not for ever.
TRANSIENT_STATUSES = frozenset(
    {Status.ESME_RTHROTTLED, Status.ESME_RMSGQFUL, Status.ESME_RSYSERR, Status.ESME_RX_T_APPN}
)
# Our login is wrong: no retry helps, an operator must fix the configuration.
BIND_REJECTIONS = frozenset({Status.ESME_RBINDFAIL, Status.ESME_RINVPASWD, Status.ESME_RINVSYSID})


class PduError(Exception):
    """Bytes that are not a well-formed PDU."""


@dataclass(frozen=True, slots=True)
class Pdu:
    command_id: int
    command_status: int
    sequence_number: int
    body: bytes = b""

    def encode(self) -> bytes:
        return (
            HEADER.pack(
                HEADER.size + len(self.body),
                self.command_id,
                self.command_status,
                self.sequence_number,
            )
            + self.body
        )

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESPONSE_BIT)


def decode_header(header: bytes) -> tuple[int, int, int, int]:
    length, command_id, status, sequence = HEADER.unpack(header)
    if not HEADER.size <= length <= PDU_LENGTH_MAX:
        raise PduError(f"command_length {length} out of range")
    return length, command_id, status, sequence


def decode(data: bytes) -> Pdu:
    length, command_id, status, sequence = decode_header(data[: HEADER.size])
    if length != len(data):
        raise PduError(f"command_length {length} but {len(data)} octets")
    return Pdu(command_id, status, sequence, data[HEADER.size :])


class _Reader:
    def __init__(self, body: bytes) -> None:
        self.body, self.offset = body, 0

    def cstring(self, size_max: int) -> str:
        end = self.body.find(b"\x00", self.offset)
        if end < 0 or end - self.offset >= size_max:
            raise PduError(f"C-octet string missing its NULL within {size_max} octets")
        text = self.body[self.offset : end].decode("latin-1")
        self.offset = end + 1
        return text

    def byte(self) -> int:
        if self.offset >= len(self.body):
            raise PduError("body too short")
        self.offset += 1
        return self.body[self.offset - 1]

    def octets(self, length: int) -> bytes:
        if self.offset + length > len(self.body):
            raise PduError("body too short")
        self.offset += length
        return self.body[self.offset - length : self.offset]

    def rest(self) -> bytes:
        return self.body[self.offset :]


def _cstring(text: str, size_max: int) -> bytes:
    raw = text.encode("latin-1")
    assert len(raw) < size_max, f"{text!r} longer than {size_max - 1}"
    return raw + b"\x00"


@dataclass(frozen=True, slots=True)
class Bind:
    system_id: str
    password: str
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""

    def encode(self) -> bytes:
        return (
            _cstring(self.system_id, 16)
            + _cstring(self.password, 9)
            + _cstring(self.system_type, 13)
            + bytes((self.interface_version, self.addr_ton, self.addr_npi))
            + _cstring(self.address_range, 41)
        )

    @classmethod
    def decode(cls, body: bytes) -> Bind:
        read = _Reader(body)
        return cls(
            read.cstring(16),
            read.cstring(9),
            read.cstring(13),
            read.byte(),
            read.byte(),
            read.byte(),
            read.cstring(41),
        )


@dataclass(frozen=True, slots=True)
class ShortMessage:
    """The body of submit_sm and deliver_sm (same layout), TLVs kept raw."""

    source_addr: str
    destination_addr: str
    short_message: bytes
    esm_class: int = 0
    data_coding: int = 0
    registered_delivery: int = 0
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    dest_addr_ton: int = 1  # international
    dest_addr_npi: int = 1  # ISDN (E.164)
    service_type: str = ""
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    replace_if_present_flag: int = 0
    sm_default_msg_id: int = 0
    tlvs: bytes = field(default=b"")

    def encode(self) -> bytes:
        assert len(self.short_message) <= 254, "longer texts go in parts"
        return b"".join(
            (
                _cstring(self.service_type, 6),
                bytes((self.source_addr_ton, self.source_addr_npi)),
                _cstring(self.source_addr, 21),
                bytes((self.dest_addr_ton, self.dest_addr_npi)),
                _cstring(self.destination_addr, 21),
                bytes((self.esm_class, self.protocol_id, self.priority_flag)),
                _cstring(self.schedule_delivery_time, 17),
                _cstring(self.validity_period, 17),
                bytes(
                    (
                        self.registered_delivery,
                        self.replace_if_present_flag,
                        self.data_coding,
                        self.sm_default_msg_id,
                        len(self.short_message),
                    )
                ),
                self.short_message,
                self.tlvs,
            )
        )

    @classmethod
    def decode(cls, body: bytes) -> ShortMessage:
        read = _Reader(body)
        service_type = read.cstring(6)
        source_ton, source_npi = read.byte(), read.byte()
        source = read.cstring(21)
        dest_ton, dest_npi = read.byte(), read.byte()
        destination = read.cstring(21)
        esm_class, protocol_id, priority = read.byte(), read.byte(), read.byte()
        schedule, validity = read.cstring(17), read.cstring(17)
        registered, replace, coding, default_id = read.byte(), read.byte(), read.byte(), read.byte()
        message = read.octets(read.byte())
        return cls(
            source_addr=source,
            destination_addr=destination,
            short_message=message,
            esm_class=esm_class,
            data_coding=coding,
            registered_delivery=registered,
            source_addr_ton=source_ton,
            source_addr_npi=source_npi,
            dest_addr_ton=dest_ton,
            dest_addr_npi=dest_npi,
            service_type=service_type,
            protocol_id=protocol_id,
            priority_flag=priority,
            schedule_delivery_time=schedule,
            validity_period=validity,
            replace_if_present_flag=replace,
            sm_default_msg_id=default_id,
            tlvs=read.rest(),
        )


def encode_message_id(message_id: str) -> bytes:
    """Body of submit_sm_resp (and of deliver_sm_resp, with an empty id)."""
    return _cstring(message_id, 65)


def decode_message_id(body: bytes) -> str:
    """An error response may come with no body at all (SMPP 3.4 leaves it open)."""
    return _Reader(body).cstring(65) if body else ""


def encode_system_id(system_id: str) -> bytes:
    return _cstring(system_id, 16)
