"""The operations console: sign-in, live figures, and a payment's whole history.

Operators and administrators sign in with their staff account
(counters/use_cases/staff.py, place "console"); cashiers and supervisors are
refused. The session token lives in an HttpOnly, SameSite=Strict cookie that
ends with the session; the same cookie lets the dashboard's script read
GET /v1/ops/figures (ops/entrypoints/api/operations.py asks `operator_session`).

    GET  /console/sign-in, POST /console/sign-in, POST /console/sign-out
    GET  /console                       live figures and alerts
    GET  /console/payments?q=…          search by payment id, receipt or mobile
    GET  /console/payments/{id}         the payment's history
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fawtara.counters.bootstrap import password_hasher
from fawtara.counters.domain.staff import CONSOLE, Action, allowed
from fawtara.counters.use_cases.staff import Session, session_for, sign_in, sign_out
from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError, NotAllowed, Unauthenticated
from fawtara.ops.domain.alerts import evaluate
from fawtara.ops.entrypoints.api.operations import current_figures
from fawtara.ops.entrypoints.web import console_figures
from fawtara.switch.bootstrap import Platform
from fawtara.switch.use_cases.payment_history import payment_history, search_payments
from fawtara.web.i18n import language_of, translate
from fawtara.web.rendering import render

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)

SESSION_COOKIE = "fawtara_console"
POLL_EVERY_MS = 3000
FIGURES_URL = "/v1/ops/figures"


def install(app: FastAPI) -> None:
    """Mount the console and let its session vouch for an operator on /v1/ops/*."""
    app.state.operator_session = operator_session
    app.include_router(router)


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def console_session(request: Request) -> Session:
    """The console session of the request; Unauthenticated, SessionExpired or NotAllowed."""
    platform = _platform(request)
    session = session_for(
        platform.uow_factory(), platform.clock, request.cookies.get(SESSION_COOKIE)
    )
    if session.place != CONSOLE or not allowed(session.role, Action.VIEW_CONSOLE, False):
        raise NotAllowed("this sign-in is not for the operations console")
    return session


def operator_session(request: Request) -> str | None:
    """For the ops endpoints: the operator's username, or None without a live session."""
    try:
        return console_session(request).username
    except FawtaraError:
        return None


def _message(request: Request, error: FawtaraError) -> str:
    return error.message_ar if language_of(request) == "ar" else error.message


def _to_sign_in(request: Request, error: FawtaraError) -> Response:
    """Back to the sign-in page, saying why (expired, or never signed in)."""
    return _sign_in_page(request, _message(request, error), status_code=401)


def _page(
    request: Request,
    session: Session,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    return render(request, template, {"session": session, **context}, status_code=status_code)


def _sign_in_page(
    request: Request, error: str | None = None, status_code: int = 200, notice: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "console/sign_in.html",
        {"error": error, "notice": notice, "username": ""},
        status_code=status_code,
    )


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request) -> Response:
    try:
        console_session(request)
    except FawtaraError:
        return _sign_in_page(request)
    return RedirectResponse("/console", status_code=303)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    username: Annotated[str, Form(max_length=limits.username_length_max)],
    password: Annotated[str, Form(max_length=limits.password_length_max)],
) -> Response:
    platform = _platform(request)
    try:
        session = sign_in(
            platform.uow_factory(),
            password_hasher(),
            platform.clock,
            username.strip().lower(),
            password,
            CONSOLE,
        )
    except NotAllowed as refusal:
        why = translate("console_for_operators", language_of(request))
        return _sign_in_page(request, f"{_message(request, refusal)} {why}", status_code=403)
    except FawtaraError as error:
        return _sign_in_page(request, _message(request, error), status_code=401)
    response = RedirectResponse("/console", status_code=303)
    lifetime_s = int((session.expires_at - platform.clock.now()).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max(lifetime_s, 0),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request) -> Response:
    platform = _platform(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sign_out(platform.uow_factory(), platform.clock, token)
    response = _sign_in_page(request, notice=translate("signed_out", language_of(request)))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    try:
        session = console_session(request)
    except (Unauthenticated, NotAllowed) as error:
        return _to_sign_in(request, error)
    found = current_figures(request.app)
    data = {**found.as_dict(), "alerts": [alert.as_dict() for alert in evaluate(found)]}
    language = language_of(request)
    words = {
        "true": translate("link_up", language),
        "false": translate("link_down", language),
    }

    def table(path: str, columns: str, flag: str = "") -> list[tuple[bool, list[str]]]:
        return console_figures.table(data, path, columns, language, words, flag)

    def figure(path: str, kind: str = "int") -> str:
        return console_figures.figure_text(
            console_figures.lookup(data, path), kind, language, words
        )

    return _page(
        request,
        session,
        "console/dashboard.html",
        {
            "data": data,
            "table": table,
            "figure": figure,
            "words": words,
            "figures_url": FIGURES_URL,
            "every_ms": POLL_EVERY_MS,
            # Billers the switch never calls: they collect their payments as payments files.
            "upload_billers": request.app.state.platform.settings.upload_billers,
        },
    )


@router.get("/payments", response_class=HTMLResponse)
def payments(request: Request, q: Annotated[str, Query(max_length=80)] = "") -> Response:
    try:
        session = console_session(request)
    except (Unauthenticated, NotAllowed) as error:
        return _to_sign_in(request, error)
    context: dict[str, Any] = {"q": q, "found": None, "error": None}
    if q.strip():
        try:
            _search, found = search_payments(_platform(request).uow(readonly=True), q)
            context["found"] = found
        except FawtaraError as error:
            return _page(
                request,
                session,
                "console/payments.html",
                {**context, "error": _message(request, error)},
                status_code=error.http_status,
            )
    return _page(
        request,
        session,
        "console/payments.html",
        {**context, "results_max": limits.payment_search_results_max},
    )


@router.get("/payments/{payment_id}", response_class=HTMLResponse)
def payment(request: Request, payment_id: str) -> Response:
    try:
        session = console_session(request)
    except (Unauthenticated, NotAllowed) as error:
        return _to_sign_in(request, error)
    try:
        limits.check_length(payment_id, limits.payment_search_query_length_max, "a search")
        history = payment_history(_platform(request).uow(readonly=True), payment_id)
    except FawtaraError as error:
        return _page(
            request,
            session,
            "console/payments.html",
            {
                "q": limits.clip(payment_id, limits.payment_search_query_length_max),
                "found": None,
                "error": _message(request, error),
                "results_max": limits.payment_search_results_max,
            },
            status_code=error.http_status,
        )
    return _page(request, session, "console/payment.html", {"history": history, "q": ""})
