"""The receipt's canonical payload, its QR text and the counter certificate format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fawtara.kernel.errors import CounterCertificateInvalid, ReceiptInvalid
from fawtara.receipts.domain.receipts import (
    CounterCertificate,
    QrParts,
    ReceiptStatus,
    b64url_encode,
    decode_certificate,
    encode_certificate,
    encode_qr_text,
    mask_account,
    parse_qr_text,
    receipt_from_payload,
    receipt_payload,
)
from tests.receipt_support import sample_receipt

SIGNATURE = bytes(range(64))


def test_the_payload_is_sorted_compact_json_with_integer_money_and_utc_time() -> None:
    payload = receipt_payload(sample_receipt())
    fields = json.loads(payload)
    compact = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert payload == compact.encode("utf-8")
    assert "السورية للاتصالات".encode() in payload  # UTF-8, not \\u escapes
    assert fields["amount_minor"] == 223_350
    assert fields["accepted_at"] == "2026-11-01T10:00:00Z"
    assert fields["bills"][0] == ["STE-2026-10-41", "2026-10", 123_450]


def test_a_payload_reads_back_as_the_same_receipt() -> None:
    receipt = sample_receipt(status=ReceiptStatus.PENDING_SYNC, credit_minor=5)
    assert receipt_from_payload(receipt_payload(receipt)) == receipt


def test_the_same_receipt_always_gives_the_same_bytes() -> None:
    assert receipt_payload(sample_receipt()) == receipt_payload(sample_receipt())


@pytest.mark.parametrize(
    "edit",
    [
        lambda f: f.update(amount_minor="223350"),  # money as text
        lambda f: f.update(amount_minor=True),  # a boolean is not an amount
        lambda f: f.update(amount_minor=-1),
        lambda f: f.update(status="paid"),
        lambda f: f.update(accepted_at="2026-11-01 10:00"),
        lambda f: f.update(currency="USD"),
        lambda f: f.update(bills=[]),
        lambda f: f.update(counter_code="dam01"),
        lambda f: f.update(unexpected="field"),
        lambda f: f.pop("receipt_no"),
    ],
)
def test_a_malformed_payload_is_receipt_invalid(edit: object) -> None:
    fields = json.loads(receipt_payload(sample_receipt()))
    edit(fields)  # type: ignore[operator]
    with pytest.raises(ReceiptInvalid):
        receipt_from_payload(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())


def test_a_payload_that_is_not_canonical_is_refused() -> None:
    fields = json.loads(receipt_payload(sample_receipt()))
    spaced = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    with pytest.raises(ReceiptInvalid, match="canonical"):
        receipt_from_payload(spaced)


def test_the_qr_text_round_trips_with_and_without_a_certificate() -> None:
    payload = receipt_payload(sample_receipt())
    plain = encode_qr_text(payload, SIGNATURE)
    assert plain.startswith("FWR1.") and plain.count(".") == 2 and "=" not in plain
    assert parse_qr_text(plain) == QrParts(payload, SIGNATURE, None)
    chained = encode_qr_text(payload, SIGNATURE, b"certificate")
    assert parse_qr_text(chained) == QrParts(payload, SIGNATURE, b"certificate")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "FWR2.e30." + b64url_encode(SIGNATURE),
        "FWR1.e30",
        "FWR1.e30." + b64url_encode(SIGNATURE) + ".Y2VydA.extra",
        "FWR1.e3+0." + b64url_encode(SIGNATURE),  # not base64url
        "FWR1.e30." + b64url_encode(SIGNATURE[:32]),  # a short signature
        "FWR1." + "A" * 3000 + "." + b64url_encode(SIGNATURE),
    ],
)
def test_text_that_is_not_a_receipt_is_receipt_invalid(text: str) -> None:
    with pytest.raises(ReceiptInvalid):
        parse_qr_text(text)


def test_a_certificate_round_trips_and_rejects_tampering() -> None:
    certificate = CounterCertificate("DAM01", bytes(32), datetime(2026, 11, 1, tzinfo=UTC))
    encoded = encode_certificate(certificate, SIGNATURE)
    assert decode_certificate(encoded) == (certificate, SIGNATURE)
    with pytest.raises(CounterCertificateInvalid):
        decode_certificate(encoded.replace(b"DAM01", b"ALP01").replace(b'"counter"', b'"x"'))
    with pytest.raises(CounterCertificateInvalid):
        decode_certificate(b"not json")


@pytest.mark.parametrize(
    ("code", "key"), [("dam01", bytes(32)), ("D", bytes(32)), ("DAM01", bytes(31))]
)
def test_a_certificate_needs_a_counter_code_and_an_ed25519_key(code: str, key: bytes) -> None:
    with pytest.raises(CounterCertificateInvalid):
        CounterCertificate(code, key, datetime(2026, 11, 1, tzinfo=UTC))


def test_an_account_shows_only_its_last_four_characters() -> None:
    assert mask_account("0100200300") == "******0300"
    assert mask_account("123") == "**123"
