"""`fawtara keys …` and `fawtara receipt verify`, run as a subprocess as a verifier would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fawtara.receipts.adapters.pdf import render_receipt_pdf
from fawtara.receipts.adapters.signing import ReceiptSigner, load_switch_key, public_pem
from tests.receipt_support import BILLER_NAME_AR, sample_receipt, with_amount

FAWTARA = str(Path(sys.executable).parent / "fawtara")


def fawtara(keys: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FAWTARA_KEYS_DIR": str(keys), "COLUMNS": "200"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [FAWTARA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keys = tmp_path_factory.mktemp("keys")
    created = fawtara(keys, "keys", "init")
    assert created.returncode == 0 and "created" in created.stdout, created.stderr
    again = fawtara(keys, "keys", "init")
    assert again.returncode == 0 and "already present" in again.stdout
    return keys


@pytest.fixture(scope="module")
def qr_text(keys: Path) -> str:
    return ReceiptSigner(load_switch_key(keys)).sign(sample_receipt())


@pytest.fixture(scope="module")
def receipt_pdf(keys: Path, qr_text: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "receipt.pdf"
    path.write_bytes(render_receipt_pdf(sample_receipt(), qr_text))
    return path


def test_keys_public_prints_the_pem_that_verifies(keys: Path) -> None:
    shown = fawtara(keys, "keys", "public")
    assert shown.returncode == 0
    assert shown.stdout.strip() == public_pem(load_switch_key(keys).public_key()).decode().strip()


def test_a_receipt_pdf_verifies_and_its_fields_are_printed(keys: Path, receipt_pdf: Path) -> None:
    verified = fawtara(keys, "receipt", "verify", str(receipt_pdf))
    assert verified.returncode == 0, verified.stderr
    assert "valid receipt, signed by the switch" in verified.stdout
    assert "261101-ABCDEFGHIJ" in verified.stdout and BILLER_NAME_AR in verified.stdout
    assert "2,233.50 SYP" in verified.stdout and "٢٬٢٣٣٫٥٠ ل.س." in verified.stdout


def test_a_photo_of_the_receipt_verifies(keys: Path, receipt_pdf: Path) -> None:
    stem = receipt_pdf.with_name("photo")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(receipt_pdf), str(stem)], check=True
    )
    assert fawtara(keys, "receipt", "verify", f"{stem}.png").returncode == 0


def test_qr_text_verifies_and_an_edited_amount_does_not(keys: Path, qr_text: str) -> None:
    assert fawtara(keys, "receipt", "verify", qr_text).returncode == 0
    forged = fawtara(keys, "receipt", "verify", with_amount(qr_text, 1))
    assert forged.returncode == 1
    assert "invalid receipt: RECEIPT_SIGNATURE_INVALID" in forged.stderr
    assert "الإيصال غير صالح" in forged.stderr


def test_another_switch_public_key_refuses_the_receipt(
    keys: Path, qr_text: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    refused = fawtara(keys, "receipt", "verify", qr_text, "--public-key", str(other))
    assert refused.returncode == 1 and "RECEIPT_SIGNATURE_INVALID" in refused.stderr


@pytest.mark.parametrize(
    ("argument", "code"),
    [("no-such-receipt.pdf", "RECEIPT_INVALID"), ("FWR1.e30.AAAA", "RECEIPT_INVALID")],
)
def test_what_is_not_a_receipt_exits_1_with_the_reason(
    keys: Path, argument: str, code: str
) -> None:
    refused = fawtara(keys, "receipt", "verify", argument)
    assert refused.returncode == 1 and code in refused.stderr


def test_a_missing_decoder_is_named_with_its_package(keys: Path, receipt_pdf: Path) -> None:
    refused = fawtara(keys, "receipt", "verify", str(receipt_pdf), path="/nonexistent")
    assert refused.returncode == 1
    assert "TOOL_MISSING" in refused.stderr and "poppler-utils" in refused.stderr


def test_verify_without_keys_says_to_run_keys_init(tmp_path: Path, qr_text: str) -> None:
    refused = fawtara(tmp_path / "none", "receipt", "verify", qr_text)
    assert refused.returncode == 1 and "fawtara keys init" in refused.stderr
