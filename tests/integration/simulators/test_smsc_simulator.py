"""The SMSC simulator as a peer sees it: raw SMPP over TCP, an independent client, HTTP."""

from __future__ import annotations

import asyncio
import socket
import urllib.error
from collections.abc import Iterator

import pytest
import smpp34

from fawtara.sms.adapters import pdu as p
from fawtara.sms.domain.sms import parse_receipt, split_into_parts
from tests.smsc_support import (
    BILLING_PASSWORD,
    BILLING_SYSTEM_ID,
    PASSWORD,
    SYSTEM_ID,
    Smsc,
    fresh,
    running_smsc,
    wait_until,
)

HANDSET = "963933123456"


@pytest.fixture(scope="module")
def module_smsc() -> Iterator[Smsc]:
    with running_smsc(receipt_delay_ms=30) as running:
        yield running


@pytest.fixture
def smsc(module_smsc: Smsc) -> Smsc:
    return fresh(module_smsc)


class Peer:
    """A hand-driven ESME: one PDU out, one PDU in."""

    def __init__(self, smsc: Smsc) -> None:
        self.socket = socket.create_connection(("127.0.0.1", smsc.smpp_port), timeout=5)
        self.sequence = 0

    def send(self, command_id: int, body: bytes = b"") -> int:
        self.sequence += 1
        self.socket.sendall(p.Pdu(command_id, 0, self.sequence, body).encode())
        return self.sequence

    def read(self) -> p.Pdu:
        header = self._exactly(p.HEADER.size)
        length = p.decode_header(header)[0]
        return p.decode(header + self._exactly(length - p.HEADER.size))

    def nothing_within(self, seconds: float) -> bool:
        """True when the SMSC sends this peer no byte for `seconds`."""
        self.socket.settimeout(seconds)
        try:
            self.socket.recv(1, socket.MSG_PEEK)
        except TimeoutError:
            return True
        finally:
            self.socket.settimeout(5)
        return False

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.socket.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed by the SMSC")
            data += chunk
        return data

    def bind(self, system_id: str = SYSTEM_ID, password: str = PASSWORD) -> p.Pdu:
        self.send(p.Command.BIND_TRANSCEIVER, p.Bind(system_id, password).encode())
        return self.read()

    def submit(self, short_message: bytes, esm_class: int = 0) -> p.Pdu:
        message = p.ShortMessage(
            "Fawtara",
            HANDSET,
            short_message,
            esm_class=esm_class,
            data_coding=8,
            registered_delivery=1,
        )
        self.send(p.Command.SUBMIT_SM, message.encode())
        return self.read()


@pytest.fixture
def peer(smsc: Smsc) -> Iterator[Peer]:
    connection = Peer(smsc)
    yield connection
    connection.socket.close()


@pytest.mark.parametrize(
    ("system_id", "password", "status"),
    [
        (SYSTEM_ID, "wrong", p.Status.ESME_RINVPASWD),
        ("intruder", PASSWORD, p.Status.ESME_RBINDFAIL),
        (SYSTEM_ID, PASSWORD, p.Status.ESME_ROK),
        (BILLING_SYSTEM_ID, BILLING_PASSWORD, p.Status.ESME_ROK),
        (BILLING_SYSTEM_ID, PASSWORD, p.Status.ESME_RINVPASWD),
    ],
)
def test_the_login_is_checked(peer: Peer, system_id: str, password: str, status: int) -> None:
    answer = peer.bind(system_id, password)
    assert (answer.command_id, answer.command_status) == (p.Command.BIND_TRANSCEIVER_RESP, status)


def test_a_submit_before_bind_is_refused(peer: Peer, smsc: Smsc) -> None:
    answer = peer.submit("ب".encode("utf-16-be"))
    assert answer.command_status == p.Status.ESME_RINVBNDSTS
    assert smsc.messages() == []


def test_parts_sent_out_of_order_are_joined_by_their_udh(peer: Peer, smsc: Smsc) -> None:
    text = "تم تسديد فاتورة المياه عن أيلول ٢٠٢٦، رقم الإيصال R-1. " * 3
    parts = split_into_parts(text, 200)
    assert len(parts) == 3
    peer.bind()
    ids = {}
    for seq in (3, 1, 2):
        answer = peer.submit(parts[seq - 1], esm_class=0x40)
        assert answer.command_status == p.Status.ESME_ROK
        ids[seq] = p.decode_message_id(answer.body)
    [received] = smsc.messages()
    assert received["text"] == text
    assert (received["parts"], received["to"]) == (3, "+" + HANDSET)
    assert received["message_ids"] == [ids[1], ids[2], ids[3]]


def test_two_interleaved_long_messages_are_kept_apart_by_reference(peer: Peer, smsc: Smsc) -> None:
    first, second = "أ" * 100, "ب" * 100
    a, b = split_into_parts(first, 1), split_into_parts(second, 2)
    peer.bind()
    for part in (a[0], b[1], b[0], a[1]):
        peer.submit(part, esm_class=0x40)
    assert [m["text"] for m in smsc.messages()] == [second, first]


def test_a_delivery_receipt_follows_each_part(peer: Peer) -> None:
    peer.bind()
    accepted = p.decode_message_id(peer.submit("ب".encode("utf-16-be")).body)
    deliver = peer.read()
    assert deliver.command_id == p.Command.DELIVER_SM
    message = p.ShortMessage.decode(deliver.body)
    assert message.esm_class == 0x04
    receipt = parse_receipt(message.short_message.decode("ascii"), message.source_addr)
    assert receipt is not None
    assert (receipt.smsc_message_id, receipt.stat.value, receipt.msisdn) == (
        accepted,
        "DELIVRD",
        HANDSET,
    )


def test_a_number_marked_undeliverable_gets_an_undeliv_receipt(peer: Peer, smsc: Smsc) -> None:
    smsc.faults(undeliverable=["+" + HANDSET])
    peer.bind()
    peer.submit("ب".encode("utf-16-be"))
    receipt = p.ShortMessage.decode(peer.read().body).short_message.decode("ascii")
    assert "stat:UNDELIV" in receipt


def test_throttle_and_reject_faults_answer_their_status_then_clear(peer: Peer, smsc: Smsc) -> None:
    smsc.faults(throttle_next=1, reject_next=1)
    peer.bind()
    statuses = [peer.submit("ب".encode("utf-16-be")).command_status for _ in range(3)]
    assert statuses == [p.Status.ESME_RTHROTTLED, p.Status.ESME_RSUBMITFAIL, p.Status.ESME_ROK]
    assert len(smsc.messages()) == 1


def test_the_drop_fault_closes_the_connection_without_taking_the_pdu(
    peer: Peer, smsc: Smsc
) -> None:
    peer.bind()
    smsc.faults(drop_after_pdus=2)
    assert peer.submit("أ".encode("utf-16-be")).command_status == p.Status.ESME_ROK
    with pytest.raises(ConnectionError):
        peer.submit("ب".encode("utf-16-be"))
    assert [m["text"] for m in smsc.messages()] == ["أ"]
    assert smsc.call("GET", "/admin/faults")["drop_after_pdus"] == 0


def test_unbind_is_answered_with_unbind_resp_before_closing(peer: Peer) -> None:
    peer.bind()
    sequence = peer.send(p.Command.UNBIND)
    answer = peer.read()
    assert (answer.command_id, answer.sequence_number) == (p.Command.UNBIND_RESP, sequence)


def test_enquire_link_is_answered_and_an_unknown_command_is_nacked(peer: Peer) -> None:
    peer.bind()
    peer.send(p.Command.ENQUIRE_LINK)
    assert peer.read().command_id == p.Command.ENQUIRE_LINK_RESP
    peer.send(0x00000103)  # data_sm: not offered by this SMSC
    answer = peer.read()
    assert (answer.command_id, answer.command_status) == (
        p.Command.GENERIC_NACK,
        p.Status.ESME_RINVCMDID,
    )


def test_receipts_wait_for_a_bound_receiver_when_the_sender_is_gone(smsc: Smsc) -> None:
    smsc.faults(resp_delay_ms=300)
    sender = Peer(smsc)
    sender.bind()
    message = p.ShortMessage(
        "Fawtara", HANDSET, "ب".encode("utf-16-be"), data_coding=8, registered_delivery=1
    )
    sender.send(p.Command.SUBMIT_SM, message.encode())
    wait_until(lambda: len(smsc.messages()) == 1)
    sender.socket.close()  # gone before the response: the message was still taken
    later = Peer(smsc)
    later.bind()
    deliver = later.read()
    assert deliver.command_id == p.Command.DELIVER_SM
    receipt = p.ShortMessage.decode(deliver.body).short_message.decode("ascii")
    assert f"id:{smsc.messages()[0]['message_ids'][0]}" in receipt
    later.socket.close()


def receipt_id(deliver: p.Pdu) -> str:
    assert deliver.command_id == p.Command.DELIVER_SM
    text = p.ShortMessage.decode(deliver.body).short_message.decode("ascii")
    receipt = parse_receipt(text, HANDSET)
    assert receipt is not None
    return receipt.smsc_message_id


def test_each_accounts_receipts_go_to_its_own_sessions_only(smsc: Smsc) -> None:
    """The switch and the billing system bind with their own logins: neither gets the
    other's receipts, however many sessions are bound."""
    switch, billing = Peer(smsc), Peer(smsc)
    try:
        assert switch.bind().command_status == p.Status.ESME_ROK
        assert billing.bind(BILLING_SYSTEM_ID, BILLING_PASSWORD).command_status == 0
        accepted = {}
        for peer in (switch, billing, switch, billing):
            answer = peer.submit("ب".encode("utf-16-be"))
            accepted.setdefault(peer, []).append(p.decode_message_id(answer.body))
        for peer in (switch, billing):
            assert sorted(receipt_id(peer.read()) for _ in range(2)) == sorted(accepted[peer])
            assert peer.nothing_within(0.3)
        assert [m["system_id"] for m in smsc.messages()] == [
            SYSTEM_ID,
            BILLING_SYSTEM_ID,
            SYSTEM_ID,
            BILLING_SYSTEM_ID,
        ]
        assert smsc.call("GET", "/healthz")["bound_by_account"] == {
            SYSTEM_ID: 1,
            BILLING_SYSTEM_ID: 1,
        }
    finally:
        switch.socket.close()
        billing.socket.close()


def test_an_accounts_receipts_wait_for_it_while_another_account_is_bound(smsc: Smsc) -> None:
    switch = Peer(smsc)
    switch.bind()
    sender = Peer(smsc)  # the billing system's, gone before its receipt comes
    sender.bind(BILLING_SYSTEM_ID, BILLING_PASSWORD)
    smsc.faults(resp_delay_ms=300)
    message = p.ShortMessage(
        "ELEC", HANDSET, "ب".encode("utf-16-be"), data_coding=8, registered_delivery=1
    )
    sender.send(p.Command.SUBMIT_SM, message.encode())
    wait_until(lambda: len(smsc.messages()) == 1)
    sender.socket.close()
    try:
        assert switch.nothing_within(0.6), "another account's receipt reached the switch"
        later = Peer(smsc)
        later.bind(BILLING_SYSTEM_ID, BILLING_PASSWORD)
        assert receipt_id(later.read()) == smsc.messages()[0]["message_ids"][0]
        later.socket.close()
    finally:
        switch.socket.close()


def test_an_independent_smpp_client_binds_submits_and_gets_its_receipt(smsc: Smsc) -> None:
    async def converse() -> tuple[int, str | None, int, bytes]:
        client = smpp34.Client("127.0.0.1", smsc.smpp_port, SYSTEM_ID, PASSWORD, bind_type="TRX")
        session = await client.connect()
        answer = await session.submit_sm(
            HANDSET,
            "سلام".encode("utf-16-be"),
            source_addr="Other",
            data_coding=8,
            registered_delivery=1,
        )
        event = await asyncio.wait_for(session.next(), 5)
        assert isinstance(event, smpp34.DeliverSmEvent)
        await session.unbind()
        await client.stop()
        return answer.command_status, answer.message_id, event.esm_class, event.short_message

    status, message_id, esm_class, receipt = asyncio.run(converse())
    assert (status, esm_class) == (0, 0x04)
    assert f"id:{message_id} ".encode() in receipt
    assert [(m["from"], m["text"]) for m in smsc.messages()] == [("Other", "سلام")]


def test_the_http_api_reports_health_and_refuses_bad_faults(smsc: Smsc) -> None:
    assert smsc.call("GET", "/healthz") == {
        "status": "ok",
        "bound_sessions": 0,
        "bound_by_account": {},
        "messages": 0,
        "submits_received": 0,
    }
    with pytest.raises(urllib.error.HTTPError) as refused:
        smsc.call("POST", "/admin/faults", {"throttle_next": -1})
    assert refused.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as missing:
        smsc.call("GET", "/nowhere")
    assert missing.value.code == 404
    assert smsc.faults(reset=True)["throttle_next"] == 0
