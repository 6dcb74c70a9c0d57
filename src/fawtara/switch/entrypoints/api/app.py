"""The FastAPI application: routes stay thin, errors keep one shape.

Every error answers `{"error": {"code", "message", "message_ar"}}` with a
stable code (docs/ERRORS.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fawtara import __version__
from fawtara.counters.entrypoints.api import counter
from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError
from fawtara.ops.entrypoints.api import operations
from fawtara.ops.entrypoints.web import console
from fawtara.portal import pages as portal
from fawtara.receipts.entrypoints.api import receipts
from fawtara.switch.bootstrap import Platform
from fawtara.switch.entrypoints.api import biller_side, billers, payment_files, payments
from fawtara.switch.use_cases.ports import BankGateway
from fawtara.web.rendering import mount_static


def error_body(code: str, message: str, message_ar: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message, "message_ar": message_ar}}


def install_error_handling(app: FastAPI) -> None:
    """Bounded bodies and one error shape, on every app of the platform."""

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > limits.request_body_bytes_max:
            return JSONResponse(
                error_body(
                    "PAYLOAD_TOO_LARGE",
                    f"request bodies are at most {limits.request_body_bytes_max} bytes",
                    "حجم الطلب أكبر من المسموح",
                ),
                status_code=413,
            )
        return await call_next(request)

    @app.exception_handler(FawtaraError)
    async def on_domain_error(_request: Request, error: FawtaraError) -> JSONResponse:
        return JSONResponse(
            error_body(error.code, error.message, error.message_ar), status_code=error.http_status
        )

    @app.exception_handler(RequestValidationError)
    async def on_bad_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"msg": "invalid request", "loc": ()}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return JSONResponse(
            error_body("VALIDATION_ERROR", f"{where}: {first.get('msg')}", "الطلب غير صالح"),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def on_http_error(_request: Request, error: HTTPException) -> JSONResponse:
        code = "NOT_FOUND" if error.status_code == 404 else f"HTTP_{error.status_code}"
        return JSONResponse(
            error_body(code, str(error.detail), "طلب غير صالح"), status_code=error.status_code
        )


def create_app(platform: Platform, bank: BankGateway | None = None) -> FastAPI:
    """The app for a wired platform; refuses a database whose schema is behind."""
    platform.require_current_schema()
    app = FastAPI(
        title="Fawtara",
        version=__version__,
        description="Electronic bill presentment and payment network (فوترة).",
    )
    app.state.platform = platform
    app.state.switch = platform.switch(bank or platform.bank_gateway())

    install_error_handling(app)
    app.include_router(billers.router)
    app.include_router(biller_side.router)
    app.include_router(payment_files.router)
    app.include_router(payments.router)
    app.include_router(counter.router)
    app.include_router(receipts.router)
    app.include_router(operations.router)
    app.include_router(portal.router)
    console.install(app)
    mount_static(app)
    return app
