"""The cashier's page: Arabic, right to left, server-rendered, usable with the keyboard alone.

Routes stay thin: read the form, call the desk (`counter.CounterDesk`), render.
Every page carries the status bar (link to the switch, entries waiting to
sync), which `static/station.js` refreshes from GET /status without a reload;
without the script the page works the same and the bar is as of its load.
Expected failures are shown on the page in Arabic with their code.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from fawtara.counters.domain.shifts import expected_minor
from fawtara.counters.domain.staff import StaffMember
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    FawtaraError,
    SessionExpired,
    ShiftAlreadyOpen,
    UnknownPayment,
)
from fawtara.sms.domain.sms import format_amount, format_date, format_instant, format_period
from fawtara.station.counter import CounterDesk
from fawtara.station.model import LocalPayment
from fawtara.station.receipt_data import receipt_of
from fawtara.station.receipts import ReceiptPrinter
from fawtara.station.rules import CURRENCY, link_status, parse_cash, surplus_notice
from fawtara.station.sync import Syncer

HERE = Path(__file__).parent
SESSION_COOKIE = "fawtara_station"
Form_ = Annotated[str, Form()]


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["money"] = lambda amount: format_amount(abs(amount), CURRENCY, "ar")
    templates.env.filters["instant"] = lambda instant: format_instant(instant, "ar")
    templates.env.filters["period"] = lambda period: format_period(period, "ar")
    templates.env.filters["day"] = lambda day: format_date(day, "ar")
    templates.env.globals["surplus_notice"] = surplus_notice
    return templates


@dataclass(frozen=True, slots=True)
class _Pages:
    """What every route shares: the desk, the link's status and the page templates."""

    desk: CounterDesk
    syncer: Syncer
    templates: Jinja2Templates

    def page(self, request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("member", None)
        context.setdefault("error", None)
        context["link"] = link_status(self.syncer.status.up, self.desk.store.pending_count())
        context["counter"] = self.desk.store.meta("counter")
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def signed_in(self, request: Request) -> StaffMember:
        return self.desk.signed_in(request.cookies.get(SESSION_COOKIE, ""))

    def payment_of(self, request: Request, payment_id: str) -> tuple[StaffMember, LocalPayment]:
        member = self.signed_in(request)
        payment = self.desk.store.payment(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id} at this station")
        return member, payment

    def receipt(self, payment: LocalPayment) -> Any:
        desk = self.desk
        biller = next(b for b in desk.store.billers() if b["code"] == payment.biller)
        cashier = desk.store.cashier(payment.cashier)
        return receipt_of(
            payment, desk.counter, biller, cashier.name_ar if cashier else payment.cashier
        )


def create_station_app(desk: CounterDesk, syncer: Syncer, printer: ReceiptPrinter) -> FastAPI:
    app = FastAPI(title="Fawtara counter station", docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = _Pages(desk, syncer, _templates())
    _add_error_handlers(app, pages)
    _add_session_routes(app, pages)
    _add_counter_routes(app, pages)
    _add_receipt_routes(app, pages, printer)
    _add_payments_routes(app, pages)
    _add_refund_routes(app, pages)
    _add_shift_close_routes(app, pages)
    return app


def _add_error_handlers(app: FastAPI, pages: _Pages) -> None:
    @app.exception_handler(SessionExpired)
    async def to_sign_in(_request: Request, _error: SessionExpired) -> Response:
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(FawtaraError)
    async def on_error(request: Request, error: FawtaraError) -> Response:
        return pages.page(
            request,
            "error.html.j2",
            error.http_status,
            error=error,
            back=request.headers.get("referer", "/"),
        )


def _add_session_routes(app: FastAPI, pages: _Pages) -> None:
    """Health and status (no sign-in: nothing private), signing in and out."""
    desk, syncer, page = pages.desk, pages.syncer, pages.page

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "link_up": syncer.status.up, "pending": desk.store.pending_count()}

    @app.get("/status")
    def status() -> dict[str, Any]:
        """The status bar's figures, for the page's script (no sign-in: nothing private)."""
        return link_status(syncer.status.up, desk.store.pending_count())

    @app.get("/signin", response_class=HTMLResponse)
    def sign_in_form(request: Request) -> Response:
        return page(request, "signin.html.j2")

    @app.post("/signin")
    def sign_in(request: Request, username: Form_, password: Form_) -> Response:
        try:
            token = desk.sign_in(username, password)
        except FawtaraError as error:
            return page(request, "signin.html.j2", 401, error=error, username=username)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            max_age=limits.staff_session_hours * 3600,
        )
        return response

    @app.post("/signout")
    def sign_out(request: Request) -> Response:
        desk.sign_out(request.cookies.get(SESSION_COOKIE, ""), pages.signed_in(request))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def _add_counter_routes(app: FastAPI, pages: _Pages) -> None:
    """The desk: find a subscriber's bills, open the shift, quote and take a payment."""
    desk, page, signed_in = pages.desk, pages.page, pages.signed_in

    @app.get("/", response_class=HTMLResponse)
    def counter_page(request: Request, biller: str = "", ref: str = "") -> Response:
        member = signed_in(request)
        shift = desk.current_shift(member)
        found = bool(biller and ref.strip())
        bills = desk.store.unpaid_bills(biller, ref.strip()) if found else None
        refunds = desk.store.refunds_owed(biller, ref.strip()) if found else []
        return page(
            request,
            "desk.html.j2",
            member=member,
            shift=shift,
            billers=desk.store.billers(),
            biller=biller,
            ref=ref.strip(),
            bills=bills,
            refunds=refunds,
        )

    @app.post("/shift/open")
    def open_shift(request: Request, opening_float: Form_) -> Response:
        with suppress(ShiftAlreadyOpen):  # a double submit: the first one opened it
            desk.open_shift(signed_in(request), parse_cash(opening_float))
        return RedirectResponse("/", status_code=303)

    @app.post("/quote", response_class=HTMLResponse)
    def quote(
        request: Request,
        biller: Form_,
        ref: Form_,
        bill_id: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        member = signed_in(request)
        offer = desk.quote(member, biller, ref, bill_id or [])
        return page(request, "quote.html.j2", member=member, quote=offer)

    @app.post("/pay")
    def pay(
        request: Request,
        biller: Form_,
        ref: Form_,
        cash_received: Form_,
        bill_id: Annotated[list[str], Form()],
        payment_id: Annotated[str | None, Form()] = None,
    ) -> Response:
        """Idempotent by the payment id the quote page carries: posted again, the same receipt."""
        member = signed_in(request)
        if payment_id is not None and desk.store.payment(payment_id) is not None:
            return RedirectResponse(f"/receipts/{payment_id}", status_code=303)
        offer = desk.quote(member, biller, ref, bill_id, payment_id)
        payment_id = desk.take_payment(member, offer, parse_cash(cash_received))
        return RedirectResponse(f"/receipts/{payment_id}", status_code=303)


def _add_receipt_routes(app: FastAPI, pages: _Pages, printer: ReceiptPrinter) -> None:
    """A payment's receipt: as a page, as a PDF, and for the receipt roll."""

    @app.get("/receipts/{payment_id}", response_class=HTMLResponse)
    def receipt_page(request: Request, payment_id: str) -> Response:
        member, payment = pages.payment_of(request, payment_id)
        return pages.page(
            request,
            "receipt.html.j2",
            member=member,
            payment=payment,
            receipt=pages.receipt(payment),
        )

    @app.get("/receipts/{payment_id}/pdf")
    def receipt_pdf(request: Request, payment_id: str) -> Response:
        _member, payment = pages.payment_of(request, payment_id)
        document = pages.receipt(payment)
        name = f"receipt-{document.receipt_no}.pdf"
        return Response(
            printer.pdf(document),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    @app.get("/receipts/{payment_id}/print", response_class=HTMLResponse)
    def receipt_roll(request: Request, payment_id: str) -> Response:
        _member, payment = pages.payment_of(request, payment_id)
        return HTMLResponse(printer.html(pages.receipt(payment)))


def _add_payments_routes(app: FastAPI, pages: _Pages) -> None:
    """The shift's payments, and a supervisor's void of one."""
    desk, page, signed_in = pages.desk, pages.page, pages.signed_in

    @app.get("/payments", response_class=HTMLResponse)
    def payments(request: Request) -> Response:
        """The shift's payments; those of a shift still open may be voided by a supervisor."""
        member = signed_in(request)
        shift = desk.current_shift(member) or desk.store.last_shift_of(member.username)
        found = desk.store.payments_of_shift(shift.shift_id) if shift else []
        return page(
            request,
            "payments.html.j2",
            member=member,
            shift=shift,
            payments=found[: limits.station_payments_listed_max],
            rejected=desk.store.rejected_entries(),
        )

    @app.get("/payments/{payment_id}/void", response_class=HTMLResponse)
    def void_form(request: Request, payment_id: str) -> Response:
        member = signed_in(request)
        return page(
            request, "void.html.j2", member=member, payment=desk.voidable_payment(payment_id)
        )

    @app.post("/payments/{payment_id}/void")
    def void(
        request: Request, payment_id: str, reason: Form_, supervisor: Form_, password: Form_
    ) -> Response:
        member = signed_in(request)
        try:
            desk.void_payment(payment_id, supervisor, password, reason)
        except FawtaraError as error:  # shown on the form, to try again
            payment = desk.store.payment(payment_id)
            if payment is None:
                raise
            return page(
                request,
                "void.html.j2",
                error.http_status,
                member=member,
                payment=payment,
                error=error,
                reason=reason,
                supervisor=supervisor,
            )
        return RedirectResponse(f"/receipts/{payment_id}", status_code=303)


def _add_refund_routes(app: FastAPI, pages: _Pages) -> None:
    """Refunds owed to a subscriber, paid out in cash at the desk."""
    desk = pages.desk

    @app.post("/refunds/{payment_id}/pay")
    def pay_refund(request: Request, payment_id: str) -> Response:
        desk.pay_refund(pages.signed_in(request), payment_id)
        return RedirectResponse(f"/refunds/{payment_id}", status_code=303)

    @app.get("/refunds/{payment_id}", response_class=HTMLResponse)
    def refund_slip(request: Request, payment_id: str) -> Response:
        """The payout slip: the amount handed over, printable on the receipt roll."""
        member = pages.signed_in(request)
        payout = desk.store.refund_payout(payment_id)
        if payout is None:
            raise UnknownPayment(f"no refund of payment {payment_id} was paid out here")
        biller = next((b for b in desk.store.billers() if b["code"] == payout.refund.biller), None)
        cashier = desk.store.cashier(payout.cashier)
        return pages.page(
            request,
            "refund.html.j2",
            member=member,
            payout=payout,
            biller_name_ar=biller["name_ar"] if biller else payout.refund.biller,
            cashier_name_ar=cashier.name_ar if cashier else payout.cashier,
        )


def _add_shift_close_routes(app: FastAPI, pages: _Pages) -> None:
    """The close of a shift: the cash count, and a supervisor's approval of a variance."""
    desk, page, signed_in = pages.desk, pages.page, pages.signed_in

    @app.get("/shift/close", response_class=HTMLResponse)
    def close_form(request: Request) -> Response:
        member = signed_in(request)
        shift = desk.current_shift(member) or desk.store.last_shift_of(member.username)
        if shift is None:
            return page(request, "close.html.j2", member=member, shift=None)
        cash = desk.store.shift_cash(shift.shift_id)
        ours = expected_minor(shift.opening_float_minor, cash)
        theirs = desk.store.switch_expected_minor(shift.shift_id)
        return page(
            request,
            "close.html.j2",
            member=member,
            shift=shift,
            cash=cash,
            expected_here=ours,
            expected_at_switch=None if theirs == ours else theirs,
        )

    @app.post("/shift/close")
    def close(request: Request, counted: Form_) -> Response:
        desk.close_shift(signed_in(request), parse_cash(counted))
        return RedirectResponse("/shift/close", status_code=303)

    @app.post("/shift/approve")
    def approve(request: Request, shift_id: Form_, supervisor: Form_, password: Form_) -> Response:
        signed_in(request)
        desk.approve_close(shift_id, supervisor, password)
        return RedirectResponse("/shift/close", status_code=303)
