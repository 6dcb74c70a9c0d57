"""The receipts part of the wiring: signing keys, PDFs, and reading receipts back.

Kept beside bootstrap.py (named so that tests/test_architecture.py treats it
as bootstrap: adapters may not import it, entry points may). Entry points
(CLI, API, counter station, portal) reach the receipt adapters only through
here. The switch's keys are in `settings.keys_dir` (FAWTARA_KEYS_DIR).
"""

from __future__ import annotations

from pathlib import Path

from fawtara.config import Settings
from fawtara.receipts.adapters.pdf import (
    bill_html,
    receipt_html,
    render_bill_pdf,
    render_receipt_pdf,
)
from fawtara.receipts.adapters.qr_scan import qr_text_from_file
from fawtara.receipts.adapters.signing import (
    ReceiptSigner,
    VerifiedReceipt,
    init_keys,
    issue_counter_keys,
    load_public_key,
    load_switch_key,
    load_switch_public_pem,
    verify_qr_text,
)
from fawtara.receipts.domain.receipts import QR_PREFIX
from fawtara.receipts.use_cases.receipts import payment_receipt
from fawtara.switch.bootstrap import Platform
from fawtara.switch.domain.participants import Participant

__all__ = [
    "ReceiptSigner",
    "VerifiedReceipt",
    "bill_html",
    "bill_pdf",
    "counter_signer",
    "init_switch_keys",
    "issue_counter_credentials",
    "receipt_html",
    "render_bill_pdf",
    "render_receipt_pdf",
    "switch_public_pem",
    "switch_receipt_pdf",
    "switch_signer",
    "verify_receipt",
]


def init_switch_keys(settings: Settings) -> bool:
    """Create the switch's receipt-signing key pair unless it exists; True when created."""
    return init_keys(settings.keys_dir)


def switch_public_pem(settings: Settings) -> bytes:
    """The switch's public key (PEM): all anyone needs to verify receipts offline."""
    return load_switch_public_pem(settings.keys_dir)


def switch_signer(settings: Settings) -> ReceiptSigner:
    """Signs receipts with the switch's own key (bank and portal payments)."""
    return ReceiptSigner(load_switch_key(settings.keys_dir))


def counter_signer(private_key_pem: bytes, certificate_text: str) -> ReceiptSigner:
    """Signs receipts at a counter station, offline too, and carries its certificate."""
    return ReceiptSigner.for_counter(private_key_pem, certificate_text)


def issue_counter_credentials(settings: Settings, counter_code: str) -> tuple[bytes, str]:
    """(the counter's new private key as PEM, its certificate signed by the switch)."""
    return issue_counter_keys(load_switch_key(settings.keys_dir), counter_code)


def verify_receipt(
    argument: str, settings: Settings, public_key_pem: bytes | None = None
) -> VerifiedReceipt:
    """Verify a receipt given as its QR text, or as a PDF or photo of it.

    Uses `public_key_pem` when given, else the switch's public key in the keys
    directory. Raises the named error that says why the receipt is not valid.
    """
    text = argument.strip()
    if not text.startswith(QR_PREFIX + "."):
        text = qr_text_from_file(Path(argument))
    pem = public_key_pem if public_key_pem is not None else switch_public_pem(settings)
    return verify_qr_text(text, load_public_key(pem))


def switch_receipt_pdf(platform: Platform, participant: Participant, payment_id: str) -> bytes:
    """The switch-signed PDF receipt of a completed payment the participant may see."""
    receipt = payment_receipt(platform.uow(readonly=True), participant, payment_id)
    return render_receipt_pdf(receipt, switch_signer(platform.settings).sign(receipt))


def bill_pdf(platform: Platform, biller_code: str, customer_ref: str, bill_id: str) -> bytes:
    """The A4 PDF of a subscriber's bill (UnknownBill unless it is that subscriber's)."""
    return platform.biller.bill_document(biller_code, customer_ref, bill_id)
