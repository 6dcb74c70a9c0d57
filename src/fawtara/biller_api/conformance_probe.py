"""How the conformance kit calls a biller: one bounded call, and what the answer must be.

A case fails by raising `CaseFailed` with one line saying what was wrong.
Every call must answer within the bound; a timeout fails the case it is in.
Every answer body is validated with the schema models, errors with ErrorAnswer.
"""

from __future__ import annotations

import time
from typing import Any, Literal, TypeVar

import httpx
import pydantic

from fawtara.biller_api.codes import ErrorCode
from fawtara.biller_api.paths import API_KEY_HEADER
from fawtara.biller_api.schema import ErrorAnswer, ErrorDetail

WRONG_KEY = "conformance-kit-wrong-key"
BODY_SHOWN_CHARS_MAX = 160

Model = TypeVar("Model", bound=pydantic.BaseModel)
Auth = Literal["key", "none", "wrong"]


class CaseFailed(Exception):
    """The biller broke the contract; the message is the one line a vendor reads."""


class Probe:
    def __init__(self, client: httpx.Client, api_key: str, timeout_s: float) -> None:
        assert timeout_s > 0
        self.client = client
        self.api_key = api_key
        self.timeout_s = timeout_s

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        auth: Auth = "key",
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """One request; a timeout or an answer later than the bound fails the case."""
        bound_s = timeout_s or self.timeout_s
        headers = {} if raw is None else {"Content-Type": "application/json"}
        if auth != "none":
            headers[API_KEY_HEADER] = self.api_key if auth == "key" else WRONG_KEY
        started = time.perf_counter()
        try:
            response = self.client.request(
                method, path, json=body, content=raw, headers=headers, timeout=bound_s
            )
        except httpx.TimeoutException:
            raise CaseFailed(f"{method} {path}: no answer within {bound_s * 1000:.0f} ms") from None
        except httpx.HTTPError as error:
            raise CaseFailed(f"{method} {path}: {type(error).__name__}: {error}") from None
        elapsed_s = time.perf_counter() - started
        if elapsed_s > bound_s:
            raise CaseFailed(
                f"{method} {path}: answered after {elapsed_s * 1000:.0f} ms,"
                f" the bound is {bound_s * 1000:.0f} ms"
            )
        return response


def answer(response: httpx.Response, model: type[Model], status: int = 200) -> Model:
    """The body as `model`, when the status is the one expected."""
    if response.status_code != status:
        raise CaseFailed(f"answered {describe(response)}, expected HTTP {status}")
    return parse(response, model)


def refusal(response: httpx.Response, expected: ErrorCode | int) -> ErrorDetail:
    """The error of an answer that must be a refusal: this code (and its status), or this status."""
    status = expected if isinstance(expected, int) else expected.http_status
    wanted = f"HTTP {status}" if isinstance(expected, int) else f"{status} {expected.code}"
    if response.status_code != status:
        raise CaseFailed(f"answered {describe(response)}, expected {wanted}")
    detail = parse(response, ErrorAnswer).error
    if isinstance(expected, ErrorCode) and detail.code != expected.code:
        raise CaseFailed(f"answered {status} {detail.code}, expected {wanted}")
    return detail


def parse(response: httpx.Response, model: type[Model]) -> Model:
    try:
        return model.model_validate_json(response.content)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise CaseFailed(
            f"HTTP {response.status_code} is not a valid {model.__name__}:"
            f" {where}: {first['msg']} (body {shown(response)})"
        ) from None


def describe(response: httpx.Response) -> str:
    """`HTTP 409 PAYMENT_ID_REUSED` for an error body, `HTTP 200` otherwise."""
    try:
        detail = ErrorAnswer.model_validate_json(response.content).error
    except pydantic.ValidationError:
        return f"HTTP {response.status_code}"
    return f"HTTP {response.status_code} {detail.code} ({detail.message[:BODY_SHOWN_CHARS_MAX]})"


def shown(response: httpx.Response) -> str:
    text = response.text
    return text if len(text) <= BODY_SHOWN_CHARS_MAX else text[:BODY_SHOWN_CHARS_MAX] + "…"
