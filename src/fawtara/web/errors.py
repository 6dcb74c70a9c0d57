"""One error shape and bounded bodies for every HTTP app (the switch's, the billing
system's): `{"error": {"code", "message", "message_ar"}}` with a stable code
(docs/ERRORS.md), and 413 past limits.request_body_bytes_max.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fawtara.kernel import limits
from fawtara.kernel.errors import FawtaraError


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
