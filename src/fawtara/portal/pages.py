"""The subscriber portal: find bills, pay them from a bank account, watch the payment.

    GET  /                        choose a biller and type the service number
    GET  /bills?biller=&ref=      unpaid and paid bills, due dates, what happens if unpaid
    POST /pay                     the chosen bills -> the paying account
    POST /pay/consent             the bank texts a one-time code to the account holder
    POST /pay/confirm             the code -> the bank's consent -> the payment to the switch
    GET  /payments/{id}           its progress (refreshes itself until final), receipt, SMS
    GET  /bills/{bill_id}.pdf?biller=&ref=   a bill as an A4 PDF (the service's own bills only)
    GET  /payments/{id}/receipt.pdf          the switch-signed receipt of a completed payment

The portal is the participant PORTAL (channel `portal`, the pull model) and
calls the service layer directly. Each step carries its state in hidden
fields; the amount is computed here from the chosen bills, and the bank debits
only the payment id, account and amount its holder confirmed. A refused step
shows the named error on the same page and changes nothing. The two steps that
reach a bank are throttled per client address (throttle.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fawtara.kernel import limits
from fawtara.kernel.bills import BillStatus, last_day_before_suspension
from fawtara.kernel.errors import FawtaraError, Unauthenticated, ValidationError
from fawtara.kernel.log_context import payment_context
from fawtara.portal.throttle import Throttle
from fawtara.receipts.bootstrap import bill_pdf, switch_receipt_pdf
from fawtara.switch.bootstrap import Platform
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.domain.payments import PaymentRequest, PaymentState
from fawtara.switch.use_cases import payments as use_cases
from fawtara.switch.use_cases.billers import list_billers
from fawtara.switch.use_cases.payment_steps import Switch
from fawtara.web.i18n import language_of
from fawtara.web.rendering import render

router = APIRouter(tags=["portal"], include_in_schema=False)

PORTAL_CODE = "PORTAL"
CHANNEL = "portal"
PROGRESS_REFRESH_S = 2
UNPAID = (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID)
SMS_LEAVING = ("queued", "submitting")

Text = Annotated[str, Form(max_length=64)]
BillIds = Annotated[list[str], Form(max_length=limits.bills_per_payment_max)]


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def portal_participant(platform: Platform) -> Participant:
    with platform.uow(readonly=True) as uow:
        found = uow.participants.get(PORTAL_CODE)
    if found is None:
        raise Unauthenticated("the portal participant PORTAL is not registered: fawtara demo seed")
    participant: Participant = found[0]
    return participant


def bank_step_allowed(request: Request) -> None:
    """Take a token of this client's bucket for a step that reaches a bank, or refuse."""
    state = request.app.state
    if getattr(state, "portal_throttle", None) is None:
        state.portal_throttle = Throttle(
            limits.portal_bank_steps_per_minute, limits.portal_throttled_clients_max
        )
    state.portal_throttle.take(request.client.host if request.client else "unknown")


def error_text(request: Request, error: FawtaraError) -> str:
    return error.message_ar if language_of(request) == "ar" else error.message


def on_error(
    request: Request, step: Callable[[], Response], again: Callable[[str, int], Response]
) -> Response:
    """Run a step; a named error re-renders the page it came from, with the error."""
    try:
        return step()
    except FawtaraError as error:
        return again(error_text(request, error), error.http_status)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, error: str = "", status_code: int = 200) -> Response:
    billers = list_billers(platform_of(request).uow(readonly=True))
    chosen, ref = request.query_params.get("biller"), request.query_params.get("ref", "")
    context = {
        "billers": billers,
        "chosen": chosen,
        "ref": limits.clip(ref, limits.customer_reference_length_max),
        "error": error,
    }
    return render(request, "portal/landing.html", context, status_code)


def _bills_context(request: Request, biller_code: str, ref: str) -> dict[str, Any]:
    platform = platform_of(request)
    found = use_cases.fetch_bills(request.app.state.switch, biller_code.upper(), ref)
    with platform.uow(readonly=True) as uow:
        biller = uow.billers.get(found.biller_code)
    assert biller is not None, "fetch_bills found the biller"
    unpaid = [b for b in found.bills if b.status in UNPAID]
    return {
        "found": found,
        "biller": biller,
        "unpaid": unpaid,
        "paid": [b for b in found.bills if b.status is BillStatus.PAID],
        "last_day": {b.id: last_day_before_suspension(b.due_on, biller.grace_days) for b in unpaid},
    }


@router.get("/bills", response_class=HTMLResponse)
def bills(
    request: Request,
    biller: Annotated[str, Query(max_length=16)] = "",
    ref: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    return on_error(
        request,
        lambda: render(request, "portal/bills.html", _bills_context(request, biller, ref)),
        lambda error, status: landing(request, error, status),
    )


def _chosen(request: Request, biller: str, ref: str, bill_ids: list[str]) -> dict[str, Any]:
    """The bills page's context with the chosen unpaid bills and their total."""
    platform = platform_of(request)
    context = _bills_context(request, biller, ref)
    chosen = [b for b in context["unpaid"] if b.id in set(bill_ids)]
    if not chosen:
        raise ValidationError(
            "choose at least one unpaid bill", "اختر فاتورة واحدة غير مسددة على الأقل"
        )
    with platform.uow(readonly=True) as uow:
        banks = [p for p in uow.participants.list() if p.kind is ParticipantKind.BANK]
    total = sum(b.outstanding_minor for b in chosen)
    return {**context, "chosen": chosen, "total": total, "banks": banks}


def _bills_again(request: Request, biller: str, ref: str) -> Callable[[str, int], Response]:
    def again(error: str, status: int) -> Response:
        try:
            context = _bills_context(request, biller, ref)
        except FawtaraError:
            return landing(request, error, status)
        return render(request, "portal/bills.html", {**context, "error": error}, status)

    return again


@router.post("/pay", response_class=HTMLResponse)
def choose_payer(
    request: Request,
    biller: Text,
    ref: Text,
    bill_ids: BillIds = [],  # noqa: B006 - FastAPI reads the default, never mutates it
) -> Response:
    return on_error(
        request,
        lambda: render(request, "portal/payer.html", _chosen(request, biller, ref, bill_ids)),
        _bills_again(request, biller, ref),
    )


@router.post("/pay/consent", response_class=HTMLResponse)
def ask_consent(
    request: Request,
    biller: Text,
    ref: Text,
    bank: Text,
    account: Annotated[str, Form(max_length=34)],
    msisdn: Annotated[str, Form(max_length=20)] = "",
    bill_ids: BillIds = [],  # noqa: B006
) -> Response:
    platform = platform_of(request)

    def step() -> Response:
        bank_step_allowed(request)
        context = _chosen(request, biller, ref, bill_ids)
        payment_id = str(uuid.uuid4())
        account_number = account.strip()
        if not account_number:
            raise ValidationError("type the account number", "اكتب رقم الحساب")
        sent_to = platform.bank_consent().request(
            bank.upper(), payment_id, account_number, context["total"]
        )
        return render(
            request,
            "portal/consent.html",
            {
                **context,
                "payment_id": payment_id,
                "bank": bank.upper(),
                "account": account_number,
                "msisdn": msisdn.strip(),
                "sent_to": sent_to,
            },
        )

    def again(error: str, status: int) -> Response:
        try:
            context = _chosen(request, biller, ref, bill_ids)
        except FawtaraError:
            return _bills_again(request, biller, ref)(error, status)
        values = {"bank": bank.upper(), "account": account, "msisdn": msisdn}
        return render(request, "portal/payer.html", {**context, **values, "error": error}, status)

    return on_error(request, step, again)


@router.post("/pay/confirm", response_class=HTMLResponse)
def confirm_and_pay(  # noqa: PLR0913 (one parameter per field of the posted form)
    request: Request,
    payment_id: Annotated[str, Form(max_length=36)],
    biller: Text,
    ref: Text,
    bank: Text,
    account: Annotated[str, Form(max_length=34)],
    code: Annotated[str, Form(max_length=12)],
    msisdn: Annotated[str, Form(max_length=20)] = "",
    bill_ids: BillIds = [],  # noqa: B006
) -> Response:
    platform = platform_of(request)
    switch: Switch = request.app.state.switch

    def step() -> Response:
        bank_step_allowed(request)
        context = _chosen(request, biller, ref, bill_ids)
        platform.bank_consent().confirm(bank, payment_id, code.strip())
        payment_request = PaymentRequest(
            payment_id=payment_id,
            channel=CHANNEL,
            biller_code=context["found"].biller_code,
            customer_ref=context["found"].customer_ref,
            bill_ids=tuple(b.id for b in context["chosen"]),
            amount_minor=context["total"],
            currency=context["biller"].currency,
            payer_bank=bank,
            payer_account=account,
            msisdn=msisdn or None,
            bank_reference=None,
        )
        use_cases.submit_payment(switch, portal_participant(platform), payment_request, 0)
        return RedirectResponse(f"/payments/{payment_id}", status_code=303)

    def again(error: str, status: int) -> Response:
        try:
            context = _chosen(request, biller, ref, bill_ids)
        except FawtaraError:
            return _bills_again(request, biller, ref)(error, status)
        values = {"payment_id": payment_id, "bank": bank, "account": account, "msisdn": msisdn}
        return render(
            request,
            "portal/consent.html",
            {**context, **values, "sent_to": "", "error": error},
            status,
        )

    with payment_context(payment_id.lower()):  # the consent and the switch's lines
        return on_error(request, step, again)


@router.get("/payments/{payment_id}", response_class=HTMLResponse)
def progress(request: Request, payment_id: str) -> Response:
    platform = platform_of(request)

    def step() -> Response:
        limits.check_length(payment_id, limits.payment_id_length_max, "payment_id")
        payment = use_cases.get_payment(
            platform.uow(readonly=True), portal_participant(platform), payment_id
        )
        messages = use_cases.payment_messages(platform.uow(readonly=True), payment)
        lines = use_cases.payment_bills(platform.uow(readonly=True), payment)
        # Until final, and then until the confirmation SMS has left (it follows the payment).
        awaited = payment.msisdn is not None and payment.state is PaymentState.COMPLETED
        sending = any(m["state"] in SMS_LEAVING for m in messages) or (awaited and not messages)
        refresh = not payment.is_final or sending
        context = {"payment": payment, "messages": messages, "lines": lines, "refresh": refresh}
        return render(request, "portal/progress.html", context)

    return on_error(request, step, lambda error, status: landing(request, error, status))


def pdf_download(pdf: bytes, filename: str) -> Response:
    """A PDF the browser saves under `filename` (a name made of known ids only)."""
    disposition = f'attachment; filename="{filename}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/bills/{bill_id}.pdf")
def bill_download(
    request: Request,
    bill_id: str,
    biller: Annotated[str, Query(max_length=16)] = "",
    ref: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    platform = platform_of(request)

    def step() -> Response:
        limits.check_length(bill_id, limits.bill_id_length_max, "bill_id")
        found = use_cases.fetch_bills(request.app.state.switch, biller.upper(), ref)
        pdf = bill_pdf(platform, found.biller_code, found.customer_ref, bill_id)
        # bill_pdf found this id among the service's bills: safe in a header.
        return pdf_download(pdf, f"bill-{bill_id}.pdf")

    return on_error(request, step, _bills_again(request, biller, ref))


@router.get("/payments/{payment_id}/receipt.pdf")
def receipt_download(request: Request, payment_id: str) -> Response:
    platform = platform_of(request)

    def step() -> Response:
        known = limits.check_length(payment_id, limits.payment_id_length_max, "payment_id").lower()
        pdf = switch_receipt_pdf(platform, portal_participant(platform), known)
        # Only a payment the portal made and completed has a receipt: the id is known.
        return pdf_download(pdf, f"receipt-{known}.pdf")

    return on_error(request, step, lambda error, status: landing(request, error, status))
