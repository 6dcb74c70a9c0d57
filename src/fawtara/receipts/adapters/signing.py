"""Ed25519 signatures on receipts: the switch's keys, counter certificates, verification.

The switch's key pair lives in two PEM files in the keys directory
(FAWTARA_KEYS_DIR, default var/keys): the private key readable by its owner
only (0600), the public key for anyone who wants to check receipts. Each
counter gets a key pair of its own and a certificate signed by the switch, so
a counter station signs receipts offline and a verifier still needs only the
switch's public key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fawtara.kernel.errors import (
    CounterCertificateInvalid,
    ReceiptInvalid,
    ReceiptSignatureInvalid,
    SigningKeyMissing,
)
from fawtara.receipts.domain.receipts import (
    CounterCertificate,
    Receipt,
    b64url_decode,
    b64url_encode,
    certificate_signing_input,
    decode_certificate,
    encode_certificate,
    encode_qr_text,
    parse_qr_text,
    receipt_from_payload,
    receipt_payload,
    receipt_signing_input,
)

PRIVATE_KEY_FILE = "switch-receipts.key.pem"
PUBLIC_KEY_FILE = "switch-receipts.pub.pem"


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("the private key is not an Ed25519 key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; ReceiptInvalid naming the problem otherwise."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as error:
        raise ReceiptInvalid(f"the public key is not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ReceiptInvalid("the public key is not an Ed25519 key")
    return key


def init_keys(keys_dir: Path) -> bool:
    """Create the switch's key pair unless it exists; True when created now."""
    private_path, public_path = keys_dir / PRIVATE_KEY_FILE, keys_dir / PUBLIC_KEY_FILE
    if private_path.exists():
        if not public_path.exists():  # the public half can always be derived again
            public_path.write_bytes(public_pem(load_switch_key(keys_dir).public_key()))
        return False
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    # O_EXCL: two processes initialising at once cannot both write a key.
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(private_pem(key))
    public_path.write_bytes(public_pem(key.public_key()))
    return True


def load_switch_key(keys_dir: Path) -> Ed25519PrivateKey:
    path = keys_dir / PRIVATE_KEY_FILE
    try:
        return load_private_key(path.read_bytes())
    except FileNotFoundError:
        raise SigningKeyMissing(
            f"no receipt-signing key at {path}; run `fawtara keys init`"
        ) from None


def load_switch_public_pem(keys_dir: Path) -> bytes:
    path = keys_dir / PUBLIC_KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyMissing(f"no public key at {path}; run `fawtara keys init`") from None


def issue_counter_keys(
    switch_key: Ed25519PrivateKey, counter_code: str, issued_at: datetime | None = None
) -> tuple[bytes, str]:
    """A new key pair for a counter: (its private key as PEM, its certificate text).

    The certificate text is what the counter puts after the last dot of its QR codes.
    """
    counter_key = Ed25519PrivateKey.generate()
    raw_public = counter_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    certificate = CounterCertificate(counter_code, raw_public, issued_at or datetime.now(UTC))
    signature = switch_key.sign(certificate_signing_input(certificate))
    return private_pem(counter_key), b64url_encode(encode_certificate(certificate, signature))


@dataclass(frozen=True)
class ReceiptSigner:
    """Signs receipts: with the switch's key, or a counter's key and its certificate."""

    key: Ed25519PrivateKey
    certificate_text: str | None = None

    @classmethod
    def for_counter(cls, private_key_pem: bytes, certificate_text: str) -> ReceiptSigner:
        return cls(load_private_key(private_key_pem), certificate_text)

    def sign(self, receipt: Receipt) -> str:
        """The QR text of the receipt: FWR1.payload.signature[.certificate]."""
        payload = receipt_payload(receipt)
        signature = self.key.sign(receipt_signing_input(payload))
        certificate = (
            b64url_decode(self.certificate_text) if self.certificate_text is not None else None
        )
        return encode_qr_text(payload, signature, certificate)


@dataclass(frozen=True, slots=True)
class VerifiedReceipt:
    receipt: Receipt
    certificate: CounterCertificate | None  # set when a counter signed it

    @property
    def signed_by(self) -> str:
        if self.certificate is None:
            return "switch"
        return f"counter {self.certificate.counter_code}"


def verify_qr_text(text: str, switch_public_key: Ed25519PublicKey) -> VerifiedReceipt:
    """The receipt a QR text carries, once its signature chain checks out.

    ReceiptInvalid (not a receipt), CounterCertificateInvalid (a certificate the
    switch did not sign, or for another counter), ReceiptSignatureInvalid (the
    data was changed after signing, or signed by another key).
    """
    parts = parse_qr_text(text)
    certificate = None
    signer = switch_public_key
    if parts.certificate is not None:
        certificate, certificate_signature = decode_certificate(parts.certificate)
        try:
            switch_public_key.verify(certificate_signature, certificate_signing_input(certificate))
        except InvalidSignature:
            raise CounterCertificateInvalid(
                f"the certificate of counter {certificate.counter_code} was not issued by "
                "this switch's key"
            ) from None
        signer = Ed25519PublicKey.from_public_bytes(certificate.public_key)
    try:
        signer.verify(parts.signature, receipt_signing_input(parts.payload))
    except InvalidSignature:
        raise ReceiptSignatureInvalid(
            "the signature does not match the receipt: it was changed after signing "
            f"or signed by another key than the {'counter' if certificate else 'switch'}'s"
        ) from None
    receipt = receipt_from_payload(parts.payload)
    if certificate is not None and receipt.counter_code != certificate.counter_code:
        raise CounterCertificateInvalid(
            f"the receipt names counter {receipt.counter_code} but its certificate is for "
            f"{certificate.counter_code}"
        )
    return VerifiedReceipt(receipt, certificate)
