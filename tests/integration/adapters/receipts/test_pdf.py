"""Receipt and bill PDFs: Arabic joined and in order when read back, the QR code verifies."""

from __future__ import annotations

import io
import subprocess
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from fawtara.kernel.bill_documents import BillDocument
from fawtara.kernel.bills import BillLine, BillStatus
from fawtara.kernel.errors import ReceiptUnreadable
from fawtara.receipts.adapters.pdf import render_bill_pdf, render_receipt_pdf
from fawtara.receipts.adapters.qr_scan import qr_text_from_file
from fawtara.receipts.adapters.signing import ReceiptSigner, issue_counter_keys, verify_qr_text
from fawtara.receipts.domain.receipts import ReceiptStatus
from tests.receipt_support import BILLER_NAME_AR, sample_receipt

MM_PER_POINT = 25.4 / 72
# A receipt must come out of the printer at once; the first render also loads fonts.
RENDER_S_MAX = 1.0


@pytest.fixture(scope="module")
def switch_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def poppler_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext applies the bidi algorithm, as a reader copying from a viewer gets it."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def test_a_receipt_reads_back_in_arabic_joined_and_in_logical_order(
    switch_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    receipt = sample_receipt()
    pdf = render_receipt_pdf(receipt, ReceiptSigner(switch_key).sign(receipt))
    text = pdf_text(pdf)
    for expected in ("إيصال تسديد", BILLER_NAME_AR, "محمد عبد الرحمن الحلبي", "مركز هاتف المزة"):
        assert expected in text  # joined letters, in reading order (not reversed)
    for identifier in ("261101-ABCDEFGHIJ", "0112345678", "DAM01", "2,233.50 SYP"):
        assert identifier in text  # Latin figures keep their order inside <bdi dir=ltr>
    # pypdf takes U+0660–0669 for right-to-left letters and reverses Arabic-Indic
    # figures; poppler applies the bidi algorithm, as a PDF viewer's copy does.
    arabic = poppler_text(pdf, tmp_path)
    assert "٢٬٢٣٣٫٥٠" in arabic  # the amount
    assert "٢٬٢٣٥٫٠٠" in arabic  # the cash taken
    assert "٠١/١١/٢٠٢٦" in arabic and "١٣:٠٠" in arabic  # 10:00 UTC is 13:00 in Damascus


def test_a_receipt_is_cut_for_an_80_mm_roll(switch_key: Ed25519PrivateKey) -> None:
    receipt = sample_receipt()
    pdf = render_receipt_pdf(receipt, ReceiptSigner(switch_key).sign(receipt))
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    assert round(float(page.mediabox.width) * MM_PER_POINT) == 80


def test_the_qr_code_read_back_from_the_pdf_verifies(
    switch_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    private_pem, certificate = issue_counter_keys(switch_key, "DAM01")
    receipt = sample_receipt(status=ReceiptStatus.PENDING_SYNC)
    qr_text = ReceiptSigner.for_counter(private_pem, certificate).sign(receipt)
    path = tmp_path / "receipt.pdf"
    path.write_bytes(render_receipt_pdf(receipt, qr_text))
    assert qr_text_from_file(path) == qr_text
    assert verify_qr_text(qr_text_from_file(path), switch_key.public_key()).receipt == receipt


def test_a_receipt_of_many_bills_still_scans(switch_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    bills = tuple(
        replace(sample_receipt().bills[0], bill_id=f"STE-2026-{n:02d}-41") for n in range(1, 25)
    )
    receipt = sample_receipt(bills=bills)
    qr_text = ReceiptSigner(switch_key).sign(receipt)
    path = tmp_path / "long.pdf"
    path.write_bytes(render_receipt_pdf(receipt, qr_text))
    assert len(PdfReader(path).pages) == 1
    assert qr_text_from_file(path) == qr_text


def test_a_pending_receipt_says_so(switch_key: Ed25519PrivateKey) -> None:
    pending = sample_receipt(status=ReceiptStatus.PENDING_SYNC)
    final = sample_receipt()
    signer = ReceiptSigner(switch_key)
    assert "قيد المزامنة" in pdf_text(render_receipt_pdf(pending, signer.sign(pending)))
    assert "قيد المزامنة" not in pdf_text(render_receipt_pdf(final, signer.sign(final)))


def test_a_receipt_renders_quickly(switch_key: Ed25519PrivateKey) -> None:
    receipt = sample_receipt()
    qr_text = ReceiptSigner(switch_key).sign(receipt)
    render_receipt_pdf(receipt, qr_text)  # fonts loaded once per process
    started = time.perf_counter()
    render_receipt_pdf(receipt, qr_text)
    assert time.perf_counter() - started < RENDER_S_MAX


def test_an_image_without_a_receipt_code_is_unreadable(tmp_path: Path) -> None:
    image = tmp_path / "blank.png"
    image.write_bytes(  # a 1x1 white PNG
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944"
            "41540899636060600000000400019b1d5e0e0000000049454e44ae426082"
        )
    )
    with pytest.raises(ReceiptUnreadable):
        qr_text_from_file(image)


def bill_document(**changes: object) -> BillDocument:
    document = BillDocument(
        bill_id="ELEC-2026-B5-514",
        biller_code="ELEC",
        biller_name_ar="المؤسسة العامة لنقل وتوزيع الكهرباء",
        biller_name_en="Electricity",
        customer_ref="1236679872",
        customer_name_ar="سعاد الخطيب",
        period="2026-B5",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 10, 31),
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 12, 1),
        grace_days=7,
        amount_minor=349_400,
        paid_minor=0,
        currency="SYP",
        status=BillStatus.ISSUED,
        lines=(BillLine("Block 1", "الشريحة الأولى", 400, "kWh", "8.735", 349_400),),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def test_a_bill_is_an_a4_page_saying_what_is_due_and_what_happens_if_unpaid(
    tmp_path: Path,
) -> None:
    pdf = render_bill_pdf(bill_document())
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    assert round(float(page.mediabox.width) * MM_PER_POINT) == 210
    text = pdf_text(pdf)
    for expected in ("فاتورة", "سعاد الخطيب", "الشريحة الأولى", "ELEC-2026-B5-514", "1236679872"):
        assert expected in text
    assert "suspended" in text and "08/12/2026" in text  # due 1 Dec + 7 days of grace
    assert "٣٬٤٩٤٫٠٠" in poppler_text(pdf, tmp_path)


def test_a_paid_bill_says_paid_and_warns_of_nothing() -> None:
    text = pdf_text(render_bill_pdf(bill_document(paid_minor=349_400, status=BillStatus.PAID)))
    assert "مسددة" in text and "suspended" not in text
