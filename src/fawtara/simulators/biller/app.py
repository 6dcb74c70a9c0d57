"""The simulated biller's HTTP face: the four operations an online biller serves.

    GET  /biller-api/v1/billers/{biller}/customers/{customer_ref}/bills   inquiry
    PUT  /biller-api/v1/billers/{biller}/notices/{payment_id}             payment notice
    GET  /biller-api/v1/billers/{biller}/notices/{payment_id}             notice status
    PUT  /biller-api/v1/billers/{biller}/notices/{payment_id}/reversal    reversal
    GET  /healthz

Every Biller API call needs the X-Api-Key it was started with (unless the
fault is `no-auth`); every error is an ErrorAnswer with a stable code.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fawtara.biller_api import codes, paths
from fawtara.biller_api.codes import ErrorCode
from fawtara.biller_api.schema import (
    BillInquiryAnswer,
    NoticeAnswer,
    PaymentNotice,
    ReversalAnswer,
    ReversalNotice,
)
from fawtara.simulators.biller.books import BillerRefusal
from fawtara.simulators.biller.faults import SLOW_S_DEFAULT, SLOW_S_MAX, Fault
from fawtara.simulators.biller.store import BillerStore

CustomerRefPath = Annotated[str, Path(min_length=1, max_length=32)]
PaymentIdPath = Annotated[str, Path(min_length=1, max_length=64)]


def error_response(code: ErrorCode, message: str) -> JSONResponse:
    body = {"error": {"code": code.code, "message": message, "message_ar": code.message_ar}}
    return JSONResponse(body, status_code=code.http_status)


def create_biller_app(
    store: BillerStore, api_key: str, fault: Fault = Fault.NONE, slow_s: float = SLOW_S_DEFAULT
) -> FastAPI:
    assert 0 <= slow_s <= SLOW_S_MAX
    app = FastAPI(title=f"Simulated biller {store.biller}", docs_url=None, redoc_url=None)
    _answer_errors(app)
    if fault is not Fault.NO_AUTH:
        _require_key(app, api_key)

    def known(biller: str) -> None:
        if biller != store.biller:
            raise BillerRefusal(codes.UNKNOWN_BILLER, f"this system serves {store.biller} only")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "biller": store.biller, "fault": fault.value}

    @app.get(paths.INQUIRY)
    def inquiry(biller: str, customer_ref: CustomerRefPath) -> BillInquiryAnswer:
        known(biller)
        return store.inquiry(customer_ref)

    @app.put(paths.NOTICE)
    def notice(biller: str, payment_id: PaymentIdPath, body: PaymentNotice) -> NoticeAnswer:
        known(biller)
        if body.biller != biller:
            raise BillerRefusal(codes.VALIDATION_ERROR, f"the notice is for biller {body.biller}")
        answer = store.post(
            payment_id,
            body,
            idempotent=fault is not Fault.DUPLICATE_NOT_IDEMPOTENT,
            refuse_conflicts=fault is not Fault.ACCEPTS_CONFLICT,
        )
        if fault is Fault.SLOW:
            time.sleep(slow_s)  # posted already: the answer is what comes late
        return answer

    @app.get(paths.NOTICE)
    def notice_status(biller: str, payment_id: PaymentIdPath) -> NoticeAnswer:
        known(biller)
        return store.status(payment_id)

    @app.put(paths.REVERSAL)
    def reversal(biller: str, payment_id: PaymentIdPath, body: ReversalNotice) -> ReversalAnswer:
        known(biller)
        return store.reverse(payment_id)

    return app


def _answer_errors(app: FastAPI) -> None:
    @app.exception_handler(BillerRefusal)
    async def on_refusal(_request: Request, refusal: BillerRefusal) -> JSONResponse:
        return error_response(refusal.code, refusal.message)

    @app.exception_handler(RequestValidationError)
    async def on_bad_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"msg": "invalid request", "loc": ()}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(codes.VALIDATION_ERROR, f"{where}: {first.get('msg')}"[:1000])

    @app.exception_handler(HTTPException)
    async def on_http_error(_request: Request, error: HTTPException) -> JSONResponse:
        code = codes.NOT_FOUND if error.status_code == 404 else codes.VALIDATION_ERROR
        return error_response(code, str(error.detail))


def _require_key(app: FastAPI, api_key: str) -> None:
    @app.middleware("http")
    async def authenticate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(paths.PREFIX) and (
            request.headers.get(paths.API_KEY_HEADER) != api_key
        ):
            return error_response(
                codes.UNAUTHENTICATED, f"a valid {paths.API_KEY_HEADER} is needed"
            )
        return await call_next(request)
