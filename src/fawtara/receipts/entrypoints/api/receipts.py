"""Receipts of the switch as PDF: `GET /v1/payments/{payment_id}/receipt.pdf`.

Same key and visibility as the status inquiry; only a completed payment has a
receipt (RECEIPT_NOT_AVAILABLE otherwise). Signed with the switch's key, so
its QR code verifies offline (`fawtara receipt verify`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fawtara.kernel import limits
from fawtara.receipts.bootstrap import switch_receipt_pdf
from fawtara.switch.entrypoints.api.payments import Caller, platform_of

router = APIRouter(tags=["payments"])


@router.get(
    "/v1/payments/{payment_id}/receipt.pdf",
    summary="The signed PDF receipt of a completed payment",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the receipt (80 mm roll)"},
        404: {"description": "PAYMENT_NOT_FOUND"},
        409: {"description": "RECEIPT_NOT_AVAILABLE: the payment is not completed"},
    },
)
def receipt_pdf(payment_id: str, request: Request, caller: Caller) -> Response:
    payment_id = limits.check_length(payment_id, limits.payment_id_length_max, "payment_id").lower()
    pdf = switch_receipt_pdf(platform_of(request), caller, payment_id)
    # The id names a payment that exists (else PAYMENT_NOT_FOUND): safe in a header.
    disposition = f'inline; filename="receipt-{payment_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
