"""The SMPP client, through the SmsGateway port, against the simulator over real TCP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fawtara.sms.adapters.config import SmppConfig
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.domain.sms import split_into_parts
from fawtara.sms.use_cases.notifications import (
    OutgoingSms,
    SmsGatewayMisconfigured,
    SubmitStatus,
)
from tests.smsc_support import Smsc, free_port, fresh, running_smsc, wait_until

MOBILE = "+963933123456"
ARABIC = "تم تسديد فاتورة كهرباء دمشق عن تشرين الأول ٢٠٢٦ بمبلغ ١٬٢٣٤٫٥٠ ل.س. "


def arabic(length: int, seed: int = 0) -> str:
    return (ARABIC * 10)[seed : seed + length]


def outgoing(message_id: int, text: str, msisdn: str = MOBILE, first_part: int = 0) -> OutgoingSms:
    return OutgoingSms(message_id, msisdn, split_into_parts(text, message_id % 256), first_part)


@pytest.fixture(scope="module")
def module_smsc() -> Iterator[Smsc]:
    with running_smsc(receipt_delay_ms=20) as running:
        yield running


@pytest.fixture
def smsc(module_smsc: Smsc) -> Smsc:
    return fresh(module_smsc)


@pytest.fixture
def gateway(smsc: Smsc) -> Iterator[SmppGateway]:
    with SmppGateway(smsc.config()) as bound:
        yield bound


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (134, 2), (200, 3)])
def test_arabic_text_arrives_byte_exact_after_reassembly(
    smsc: Smsc, gateway: SmppGateway, length: int, parts: int
) -> None:
    text = arabic(length)
    [outcome] = gateway.submit([outgoing(1, text)])
    assert outcome.status is SubmitStatus.SENT
    assert len(outcome.accepted_ids) == parts
    [received] = smsc.messages()
    assert received["text"].encode("utf-16-be") == text.encode("utf-16-be")
    assert (received["to"], received["from"], received["parts"]) == (MOBILE, "Fawtara", parts)
    assert received["message_ids"] == list(outcome.accepted_ids)


def test_every_part_gets_a_delivery_receipt_naming_its_smsc_id(
    smsc: Smsc, gateway: SmppGateway
) -> None:
    [outcome] = gateway.submit([outgoing(1, arabic(200))])
    receipts: list = []
    wait_until(lambda: bool(receipts.extend(gateway.take_receipts())) or len(receipts) >= 3)
    assert sorted(r.smsc_message_id for r in receipts) == sorted(outcome.accepted_ids)
    assert {r.stat.value for r in receipts} == {"DELIVRD"}
    assert {r.msisdn for r in receipts} == {MOBILE.lstrip("+")}


def test_the_smsc_dropping_the_connection_mid_stream_loses_and_doubles_nothing(
    smsc: Smsc,
) -> None:
    with SmppGateway(smsc.config(window=4)) as gateway:
        smsc.faults(drop_after_pdus=8)
        texts = [arabic(150 + n, seed=n) for n in range(12)]
        outcomes = gateway.submit([outgoing(n, text) for n, text in enumerate(texts, 1)])
        assert {o.status for o in outcomes} == {SubmitStatus.SENT}
        assert gateway.client.binds == 2
        assert gateway.client.parts_resent >= 1
    received = sorted(m["text"] for m in smsc.messages())
    assert received == sorted(texts)


def test_a_throttled_message_comes_back_for_retry_and_is_then_sent_once(
    smsc: Smsc, gateway: SmppGateway
) -> None:
    smsc.faults(throttle_next=1)
    [first] = gateway.submit([outgoing(1, arabic(200))])
    assert (first.status, first.reason) == (SubmitStatus.RETRY, "ESME_RTHROTTLED (0x58)")
    assert first.accepted_ids == ()
    [second] = gateway.submit([outgoing(1, arabic(200))])
    assert second.status is SubmitStatus.SENT
    assert len(smsc.messages()) == 1


def test_a_retry_after_a_throttled_second_part_sends_only_the_parts_left(
    smsc: Smsc, gateway: SmppGateway
) -> None:
    text = arabic(200)
    message = outgoing(2, text)
    smsc.faults(throttle_after=1, throttle_next=1)
    [throttled] = gateway.submit([message])
    assert throttled.status is SubmitStatus.RETRY
    assert len(throttled.accepted_ids) == 1
    assert smsc.messages() == []  # the handset holds one part of three
    [rest] = gateway.submit([OutgoingSms(2, MOBILE, message.parts, first_part=1)])
    assert rest.status is SubmitStatus.SENT and len(rest.accepted_ids) == 2
    [received] = smsc.messages()
    assert received["text"] == text
    assert received["message_ids"] == [*throttled.accepted_ids, *rest.accepted_ids]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"invalid": [MOBILE]}, "ESME_RINVDSTADR (0x0B)"),
        ({"reject_next": 1}, "ESME_RSUBMITFAIL (0x45)"),
    ],
)
def test_a_refused_message_is_rejected_for_good(
    smsc: Smsc, gateway: SmppGateway, fault: dict, reason: str
) -> None:
    smsc.faults(**fault)
    [outcome] = gateway.submit([outgoing(1, arabic(200))])
    assert (outcome.status, outcome.reason) == (SubmitStatus.REJECTED, reason)
    assert smsc.messages() == []


def test_a_malformed_destination_is_refused_by_the_smsc(smsc: Smsc, gateway: SmppGateway) -> None:
    [outcome] = gateway.submit([outgoing(1, "ب", msisdn="12")])
    assert (outcome.status, outcome.reason) == (SubmitStatus.REJECTED, "ESME_RINVDSTADR (0x0B)")


@pytest.mark.parametrize(
    ("changes", "status"),
    [({"password": "wrong"}, "ESME_RINVPASWD"), ({"system_id": "intruder"}, "ESME_RBINDFAIL")],
)
def test_bad_credentials_are_a_configuration_error_raised_at_once(
    smsc: Smsc, changes: dict, status: str
) -> None:
    gateway = SmppGateway(smsc.config(**changes))
    started = time.monotonic()
    with pytest.raises(SmsGatewayMisconfigured, match=status):
        gateway.start()
    assert time.monotonic() - started < 2, "no retry loop on a refused login"


def test_an_unreachable_smsc_gives_the_message_back_for_a_later_retry() -> None:
    nobody = SmppConfig(port=free_port(), part_deadline_s=0.5, connect_timeout_s=0.2)
    gateway = SmppGateway(nobody)
    gateway.start()
    try:
        [outcome] = gateway.submit([outgoing(1, "ب")])
    finally:
        gateway.close()
    assert outcome.status is SubmitStatus.RETRY
    assert outcome.reason.startswith("SMSC_UNAVAILABLE")


def test_the_rate_limit_spaces_the_submits(smsc: Smsc) -> None:
    with SmppGateway(smsc.config(rate_per_s=40)) as gateway:
        started = time.monotonic()
        gateway.submit([outgoing(n, "ب") for n in range(1, 21)])
        elapsed = time.monotonic() - started
    assert elapsed >= 19 / 40 * 0.9


def test_the_window_bounds_the_submits_waiting_for_a_response(smsc: Smsc) -> None:
    smsc.faults(resp_delay_ms=200)
    with SmppGateway(smsc.config(window=2)) as gateway:
        started = time.monotonic()
        gateway.submit([outgoing(n, "ب") for n in range(1, 7)])
        elapsed = time.monotonic() - started
    assert 0.6 <= elapsed < 2.0  # 6 submits, 2 at a time, 0.2 s each


def test_enquire_link_keeps_one_session_alive(smsc: Smsc) -> None:
    with SmppGateway(smsc.config(enquire_link_interval_s=0.05)) as gateway:
        time.sleep(0.4)
        assert gateway.client.is_bound
        assert gateway.client.binds == 1
        health = smsc.call("GET", "/healthz")
    assert health["bound_sessions"] == 1
