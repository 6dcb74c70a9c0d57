"""The PDU codec agrees, both ways, with an independent SMPP 3.4 implementation (smpp34)."""

from __future__ import annotations

import pytest
import smpp34

from fawtara.sms.adapters import pdu as p


def test_our_submit_sm_decodes_field_for_field_in_smpp34() -> None:
    ours = p.ShortMessage(
        "Fawtara",
        "963933123456",
        bytes.fromhex("0500030A0201") + "تم".encode("utf-16-be"),
        esm_class=0x40,
        data_coding=8,
        registered_delivery=1,
        source_addr_ton=5,
    )
    theirs = smpp34.decode(p.Pdu(p.Command.SUBMIT_SM, 0, 7, ours.encode()).encode())
    assert isinstance(theirs, smpp34.SubmitSm)
    assert (theirs.sequence_number, theirs.source_addr, theirs.destination_addr) == (
        7,
        "Fawtara",
        "963933123456",
    )
    assert (theirs.esm_class, theirs.data_coding, theirs.registered_delivery) == (0x40, 8, 1)
    assert (theirs.source_addr_ton, theirs.dest_addr_ton, theirs.dest_addr_npi) == (5, 1, 1)
    assert theirs.short_message == ours.short_message


def test_a_deliver_sm_from_smpp34_decodes_in_ours() -> None:
    raw = smpp34.DeliverSm(
        "963933123456", "Fawtara", b"id:1 stat:DELIVRD", esm_class=4, sequence_number=3
    ).encode()
    pdu = p.decode(raw)
    message = p.ShortMessage.decode(pdu.body)
    assert (pdu.command_id, pdu.sequence_number) == (p.Command.DELIVER_SM, 3)
    assert (message.source_addr, message.esm_class, message.short_message) == (
        "963933123456",
        4,
        b"id:1 stat:DELIVRD",
    )


def test_a_bind_encodes_as_the_specification_lays_it_out() -> None:
    body = p.Bind("fawtara", "secret1").encode()
    assert body == b"fawtara\x00secret1\x00\x00\x34\x00\x00\x00"
    assert p.Bind.decode(body) == p.Bind("fawtara", "secret1")


def test_the_header_carries_length_id_status_and_sequence_big_endian() -> None:
    raw = p.Pdu(p.Command.ENQUIRE_LINK, 0, 0x01020304).encode()
    assert raw == bytes.fromhex("00000010000000150000000001020304")


@pytest.mark.parametrize(
    "raw",
    [
        bytes.fromhex("00000008000000150000000000000001"),  # shorter than a header
        bytes.fromhex("7FFFFFFF000000150000000000000001"),  # absurdly long
    ],
)
def test_a_header_with_an_impossible_length_is_refused(raw: bytes) -> None:
    with pytest.raises(p.PduError):
        p.decode_header(raw)


def test_a_string_without_its_null_is_refused() -> None:
    with pytest.raises(p.PduError):
        p.Bind.decode(b"x" * 40)


def test_an_error_response_may_come_without_a_body() -> None:
    assert p.decode_message_id(b"") == ""
    assert p.status_name(0x58) == "ESME_RTHROTTLED (0x58)"
    assert p.status_name(0x1234) == "0x00001234"
