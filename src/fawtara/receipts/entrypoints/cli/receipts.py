"""`fawtara keys …` and `fawtara receipt verify`: the switch's signing keys, receipts checked.

`receipt verify` works offline with only the switch's public key: it exits 0
and prints the receipt's fields when the signature chain holds, or prints the
reason and exits 1 (a missing tool or key exits 1 too, naming what to do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fawtara.config import Settings
from fawtara.kernel.errors import FawtaraError
from fawtara.receipts.bootstrap import (
    VerifiedReceipt,
    init_switch_keys,
    switch_public_pem,
    verify_receipt,
)
from fawtara.receipts.domain.receipts import Receipt
from fawtara.sms.domain.sms import format_amount, format_instant, format_period

keys_app = typer.Typer(help="The switch's receipt-signing keys.", no_args_is_help=True)
receipt_app = typer.Typer(help="Signed receipts.", no_args_is_help=True)

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _refused(error: FawtaraError) -> typer.Exit:
    err.print(f"error: {error.code}: {error.message}", markup=False)
    return typer.Exit(1)


@keys_app.command("init")
def keys_init() -> None:
    """Create the switch's Ed25519 key pair in FAWTARA_KEYS_DIR unless it exists."""
    settings = Settings.from_environment()
    try:
        created = init_switch_keys(settings)
    except FawtaraError as error:
        raise _refused(error) from None
    state = "created" if created else "already present"
    out.print(f"receipt-signing keys {state} in {settings.keys_dir}", markup=False)


@keys_app.command("public")
def keys_public() -> None:
    """Print the switch's public key (PEM): give it to whoever verifies receipts."""
    try:
        pem = switch_public_pem(Settings.from_environment())
    except FawtaraError as error:
        raise _refused(error) from None
    out.print(pem.decode("ascii").rstrip(), markup=False)


def _money(amount_minor: int, currency: str) -> str:
    """Both scripts; signed, because a cash rounding may go either way."""
    sign, size = ("-" if amount_minor < 0 else ""), abs(amount_minor)
    english, arabic = format_amount(size, currency, "en"), format_amount(size, currency, "ar")
    return f"{sign}{english}  ({sign}{arabic})"


def receipt_fields(receipt: Receipt) -> list[tuple[str, str, str]]:
    """(English label, Arabic label, value) of every field the receipt carries."""
    currency = receipt.currency
    fields = [
        ("receipt no", "رقم الإيصال", receipt.receipt_no),
        ("status", "الحالة", receipt.status.value),
        ("payment id", "معرّف الدفعة", receipt.payment_id),
        ("channel", "القناة", receipt.channel),
        ("biller", "الجهة المفوترة", f"{receipt.biller_name_en} / {receipt.biller_name_ar}"),
        ("subscriber", "المشترك", f"{receipt.customer_name_ar} ({receipt.customer_ref})"),
        ("accepted at", "الوقت", f"{format_instant(receipt.accepted_at, 'en')} Damascus"),
        ("amount", "المبلغ", _money(receipt.amount_minor, currency)),
    ]
    for bill in receipt.bills:
        period = format_period(bill.period, "en")
        fields.append(
            ("bill", "فاتورة", f"{bill.bill_id} {period}: {_money(bill.amount_minor, currency)}")
        )
    amounts = [
        ("cash taken", "النقد المقبوض", receipt.cash_taken_minor),
        ("rounding", "فرق التقريب", receipt.rounding_minor or None),
        ("credit", "رصيد دائن", receipt.credit_minor or None),
        ("refund", "مبلغ مُعاد", receipt.refund_minor or None),
    ]
    fields += [(en, ar, _money(value, currency)) for en, ar, value in amounts if value is not None]
    texts = [
        ("counter", "المركز", receipt.counter_code),
        ("cashier", "أمين الصندوق", receipt.cashier),
        ("payer account", "حساب الدافع", receipt.payer_account_masked),
    ]
    fields += [(en, ar, value) for en, ar, value in texts if value is not None]
    return fields


def _print_verified(verified: VerifiedReceipt) -> None:
    out.print(f"valid receipt, signed by the {verified.signed_by} / إيصال صحيح", markup=False)
    for english, arabic, value in receipt_fields(verified.receipt):
        out.print(f"{english} / {arabic}: {value}", markup=False)
    if verified.receipt.is_pending_sync:
        out.print("pending sync: taken offline at the counter / قيد المزامنة", markup=False)


@receipt_app.command("verify")
def receipt_verify(
    receipt: Annotated[
        str, typer.Argument(help="the QR text (FWR1.…), or a receipt PDF, PNG or JPEG")
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(help="the switch's public key (PEM); default: the one in FAWTARA_KEYS_DIR"),
    ] = None,
) -> None:
    """Check a receipt's signature offline; exit 0 and print it, or exit 1 with the reason."""
    try:
        pem = public_key.read_bytes() if public_key is not None else None
    except OSError as error:
        err.print(f"error: cannot read the public key {public_key}: {error}", markup=False)
        raise typer.Exit(1) from None
    try:
        verified = verify_receipt(receipt, Settings.from_environment(), pem)
    except FawtaraError as error:
        err.print(f"invalid receipt: {error.code}: {error.message}", markup=False)
        err.print(f"الإيصال غير صالح: {error.message_ar}", markup=False)
        raise typer.Exit(1) from None
    _print_verified(verified)
