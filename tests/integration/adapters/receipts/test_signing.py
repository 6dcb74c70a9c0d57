"""Ed25519 receipts: the switch's keys on disk, counter certificates, the chain checked."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fawtara.kernel.errors import (
    CounterCertificateInvalid,
    ReceiptInvalid,
    ReceiptSignatureInvalid,
    SigningKeyMissing,
)
from fawtara.receipts.adapters.signing import (
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    ReceiptSigner,
    init_keys,
    issue_counter_keys,
    load_public_key,
    load_switch_key,
    load_switch_public_pem,
    verify_qr_text,
)
from fawtara.receipts.domain.receipts import parse_qr_text
from tests.receipt_support import sample_receipt, with_amount

ISSUED_AT = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def switch_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def counter_signer(switch_key: Ed25519PrivateKey, code: str = "DAM01") -> ReceiptSigner:
    private_pem, certificate = issue_counter_keys(switch_key, code, ISSUED_AT)
    return ReceiptSigner.for_counter(private_pem, certificate)


def test_init_keys_creates_a_private_key_only_its_owner_reads_once(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert init_keys(keys) is True
    first = (keys / PRIVATE_KEY_FILE).read_bytes()
    assert stat.S_IMODE((keys / PRIVATE_KEY_FILE).stat().st_mode) == 0o600
    assert init_keys(keys) is False
    assert (keys / PRIVATE_KEY_FILE).read_bytes() == first
    assert load_switch_public_pem(keys).startswith(b"-----BEGIN PUBLIC KEY-----")


def test_a_lost_public_key_file_is_derived_again(tmp_path: Path) -> None:
    init_keys(tmp_path)
    public = (tmp_path / PUBLIC_KEY_FILE).read_bytes()
    (tmp_path / PUBLIC_KEY_FILE).unlink()
    assert init_keys(tmp_path) is False
    assert (tmp_path / PUBLIC_KEY_FILE).read_bytes() == public


def test_a_missing_key_is_a_named_error_that_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyMissing, match="fawtara keys init"):
        load_switch_key(tmp_path)


def test_a_switch_signed_receipt_verifies_with_the_switch_public_key(
    switch_key: Ed25519PrivateKey,
) -> None:
    qr_text = ReceiptSigner(switch_key).sign(sample_receipt())
    verified = verify_qr_text(qr_text, switch_key.public_key())
    assert verified.receipt == sample_receipt()
    assert verified.signed_by == "switch"


def test_a_counter_signed_receipt_verifies_through_its_certificate(
    switch_key: Ed25519PrivateKey,
) -> None:
    qr_text = counter_signer(switch_key).sign(sample_receipt())
    assert parse_qr_text(qr_text).certificate is not None
    verified = verify_qr_text(qr_text, switch_key.public_key())
    assert verified.signed_by == "counter DAM01"
    assert verified.certificate is not None and verified.certificate.issued_at == ISSUED_AT


@pytest.mark.parametrize("signed_at", ["switch", "counter"])
def test_a_changed_amount_fails_verification(switch_key: Ed25519PrivateKey, signed_at: str) -> None:
    signer = ReceiptSigner(switch_key) if signed_at == "switch" else counter_signer(switch_key)
    forged = with_amount(signer.sign(sample_receipt()), 2_233_500)
    with pytest.raises(ReceiptSignatureInvalid, match="changed after signing"):
        verify_qr_text(forged, switch_key.public_key())


def test_a_receipt_signed_by_another_key_fails(switch_key: Ed25519PrivateKey) -> None:
    qr_text = ReceiptSigner(Ed25519PrivateKey.generate()).sign(sample_receipt())
    with pytest.raises(ReceiptSignatureInvalid):
        verify_qr_text(qr_text, switch_key.public_key())


def test_a_certificate_signed_by_another_key_fails(switch_key: Ed25519PrivateKey) -> None:
    qr_text = counter_signer(Ed25519PrivateKey.generate()).sign(sample_receipt())
    with pytest.raises(CounterCertificateInvalid, match="not issued by this switch"):
        verify_qr_text(qr_text, switch_key.public_key())


def test_a_counter_cannot_sign_for_another_counter(switch_key: Ed25519PrivateKey) -> None:
    qr_text = counter_signer(switch_key, "ALP02").sign(sample_receipt(counter_code="DAM01"))
    with pytest.raises(CounterCertificateInvalid, match="certificate is for ALP02"):
        verify_qr_text(qr_text, switch_key.public_key())


def test_a_certificate_moved_onto_another_counters_receipt_fails(
    switch_key: Ed25519PrivateKey,
) -> None:
    genuine = counter_signer(switch_key, "DAM01").sign(sample_receipt())
    other = counter_signer(switch_key, "DAM01").sign(replace(sample_receipt(), amount_minor=1))
    prefix, payload, signature, _ = other.split(".")
    transplanted = ".".join([prefix, payload, signature, genuine.split(".")[3]])
    with pytest.raises(ReceiptSignatureInvalid):
        verify_qr_text(transplanted, switch_key.public_key())


def test_a_public_key_that_is_not_pem_is_named() -> None:
    with pytest.raises(ReceiptInvalid, match="not a PEM public key"):
        load_public_key(b"hello")
