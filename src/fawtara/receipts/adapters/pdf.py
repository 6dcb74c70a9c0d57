"""Receipts (80 mm roll) and bills (A4) as Arabic PDFs, with WeasyPrint.

Amounts and dates are shown in Arabic-Indic digits (the formatting of the
SMS, sms/domain/sms.py), times in Damascus time. Identifiers, figures and dates
sit in `<bdi dir="ltr">`: without it the bidi algorithm reorders them inside
the right-to-left text, on screen and in the extracted text alike. The QR
code is inline SVG (segno), so it stays sharp on a thermal printer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import segno
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from fawtara.kernel.bill_documents import BillDocument
from fawtara.kernel.bills import BillStatus
from fawtara.receipts.domain.receipts import Receipt
from fawtara.sms.domain.sms import (
    arabic_digits,
    format_amount,
    format_date,
    format_instant,
    format_period,
)

# The receipt roll is 80 mm wide; its length follows the content, so that the
# printer does not feed blank paper: a fixed part (header, fields, totals,
# QR code) and a row per bill. WeasyPrint needs a definite page height.
RECEIPT_BASE_HEIGHT_MM = 150
RECEIPT_HEIGHT_PER_BILL_MM = 6
RECEIPT_HEIGHT_PER_EXTRA_ROW_MM = 6
# 58 mm of a 72 mm printable width: dense QR codes keep ~0.3 mm modules.
QR_WIDTH_MM = 58

CHANNELS_AR = {
    "counter": "نقداً في مركز الهاتف",
    "portal": "البوابة الإلكترونية",
    "bank": "المصرف",
}
BILL_STATUS = {
    BillStatus.PAID: ("مسددة", "paid"),
    BillStatus.CANCELLED: ("ملغاة", "cancelled"),
    BillStatus.PARTIALLY_PAID: ("مسددة جزئياً", "partly paid"),
    BillStatus.ISSUED: ("غير مسددة", "unpaid"),
}


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("fawtara.receipts.adapters", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _money(currency: str) -> Callable[[int], Markup]:
    """'<bdi dir="ltr">١٬٢٣٤٫٥٠</bdi> ل.س.': the figure isolated, the symbol after it."""

    def money(amount_minor: int) -> Markup:
        figure, _, symbol = format_amount(amount_minor, currency, "ar").rpartition(" ")
        return Markup('<bdi dir="ltr">{}</bdi> {}').format(figure, symbol)

    return money


def _signed_money(currency: str) -> Callable[[int], Markup]:
    money = _money(currency)

    def signed_money(amount_minor: int) -> Markup:
        if amount_minor >= 0:
            return money(amount_minor)
        return Markup('<bdi dir="ltr">-</bdi>') + money(-amount_minor)

    return signed_money


def qr_svg(qr_text: str) -> Markup:
    """The QR code as inline SVG sized by CSS (always a full QR code, never Micro QR)."""
    code = segno.make_qr(qr_text, error="l")
    return Markup(code.svg_inline(omitsize=True, border=4, svgclass="qr", lineclass=None))


def receipt_html(receipt: Receipt, qr_text: str) -> str:
    """The receipt as an HTML page (what the PDF is made of; browsers print it too)."""
    optional_rows = (
        receipt.cash_taken_minor is not None,  # cash taken and rounding: two rows
        receipt.cash_taken_minor is not None,
        receipt.credit_minor != 0,
        receipt.refund_minor != 0,
        receipt.counter_code is not None,
        receipt.cashier is not None,
        receipt.payer_account_masked is not None,
        receipt.is_pending_sync,  # the banner takes two rows
        receipt.is_pending_sync,
    )
    height_mm = (
        RECEIPT_BASE_HEIGHT_MM
        + RECEIPT_HEIGHT_PER_BILL_MM * len(receipt.bills)
        + RECEIPT_HEIGHT_PER_EXTRA_ROW_MM * sum(optional_rows)
    )
    return (
        _templates()
        .get_template("receipt.html.j2")
        .render(
            r=receipt,
            bills=[
                {"period": format_period(bill.period, "ar"), "amount_minor": bill.amount_minor}
                for bill in receipt.bills
            ],
            accepted_at=format_instant(receipt.accepted_at, "ar"),
            accepted_at_en=format_instant(receipt.accepted_at, "en"),
            amount_en=format_amount(receipt.amount_minor, receipt.currency, "en"),
            channel=CHANNELS_AR.get(receipt.channel, receipt.channel),
            money=_money(receipt.currency),
            signed_money=_signed_money(receipt.currency),
            qr_svg=qr_svg(qr_text),
            qr_width_mm=QR_WIDTH_MM,
            page_height_mm=height_mm,
        )
    )


def bill_html(document: BillDocument) -> str:
    status_ar, status_en = BILL_STATUS[document.status]
    context: dict[str, Any] = {
        "d": document,
        "period": format_period(document.period, "ar"),
        "period_start": format_date(document.period_start, "ar"),
        "period_end": format_date(document.period_end, "ar"),
        "issued_on": format_date(document.issued_on, "ar"),
        "due_on": format_date(document.due_on, "ar"),
        "due_on_en": format_date(document.due_on, "en"),
        "last_day": format_date(document.last_day_before_suspension, "ar"),
        "last_day_en": format_date(document.last_day_before_suspension, "en"),
        "status_ar": status_ar,
        "status_en": status_en,
        "money": _money(document.currency),
        "digits": lambda text: escape(arabic_digits(text)),
    }
    return _templates().get_template("bill.html.j2").render(**context)


def _pdf(html: str) -> bytes:
    # Imported late: it loads pango and the fonts (about a second).
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_receipt_pdf(receipt: Receipt, qr_text: str) -> bytes:
    return _pdf(receipt_html(receipt, qr_text))


def render_bill_pdf(document: BillDocument) -> bytes:
    return _pdf(bill_html(document))
