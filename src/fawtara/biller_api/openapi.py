"""The OpenAPI document of the Biller API v1, generated from the schema and the paths.

`biller_api_document()` builds a FastAPI app whose routes are signatures
only (nothing is served) and returns its OpenAPI dict; docs/biller-api.openapi.json
is that dict, and tests/unit/biller_api/test_openapi_document.py fails when
they drift apart. Regenerate with `python -m fawtara.biller_api.openapi`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Response, Security
from fastapi.security import APIKeyHeader

from fawtara.biller_api import paths
from fawtara.biller_api.schema import (
    API_VERSION,
    FEED_PAGE_MAX,
    AcceptanceFeed,
    BillFile,
    BillFileAnswer,
    BillInquiryAnswer,
    ErrorAnswer,
    FileAcknowledgement,
    InFlightAnswer,
    InFlightQuery,
    NoticeAnswer,
    PaymentFiles,
    PaymentNotice,
    ReversalAnswer,
    ReversalNotice,
)

DOCUMENT = FilePath(__file__).resolve().parents[3] / "docs" / "biller-api.openapi.json"
BILLER_TAG = "served by an online biller"
SWITCH_TAG = "served by the switch"

Biller = Annotated[str, Path(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]{1,15}$")]
CustomerRef = Annotated[str, Path(min_length=1, max_length=32)]
PaymentId = Annotated[str, Path(min_length=1, max_length=64)]
FileId = Annotated[str, Path(min_length=1, max_length=64)]
BillId = Annotated[str, Path(min_length=1, max_length=64)]
OwnerRef = Annotated[str, Query(min_length=1, max_length=32)]
ApiKey = Annotated[str, Security(APIKeyHeader(name=paths.API_KEY_HEADER))]


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Every listed status answers an ErrorAnswer; 401 and 422 are always possible."""
    return {status: {"model": ErrorAnswer} for status in sorted({401, 422, *statuses})}


def biller_routes() -> APIRouter:
    router = APIRouter(tags=[BILLER_TAG])

    @router.get(
        paths.INQUIRY, responses=refusals(404), operation_id="inquiry", summary="Bill inquiry"
    )
    def inquiry(biller: Biller, customer_ref: CustomerRef, key: ApiKey) -> BillInquiryAnswer:
        """The customer's recent bills, newest first (404 UNKNOWN_SERVICE, UNKNOWN_BILLER)."""
        raise NotImplementedError

    @router.put(
        paths.NOTICE,
        responses=refusals(404, 409),
        operation_id="payment_notice",
        summary="Payment notice",
    )
    def notice(
        biller: Biller, payment_id: PaymentId, body: PaymentNotice, key: ApiKey
    ) -> NoticeAnswer:
        """Post a payment once per payment id; the same body again answers the same answer,
        another body 409 PAYMENT_ID_REUSED (also 409 BILL_ALREADY_PAID, AMOUNT_NOT_ALLOWED)."""
        raise NotImplementedError

    @router.get(
        paths.NOTICE, responses=refusals(404), operation_id="notice_status", summary="Notice status"
    )
    def notice_status(biller: Biller, payment_id: PaymentId, key: ApiKey) -> NoticeAnswer:
        """The stored answer of a notice (reversed=true once reversed); 404 NOTICE_UNKNOWN."""
        raise NotImplementedError

    @router.put(
        paths.REVERSAL, responses=refusals(404), operation_id="reversal", summary="Reversal notice"
    )
    def reversal(
        biller: Biller, payment_id: PaymentId, body: ReversalNotice, key: ApiKey
    ) -> ReversalAnswer:
        """Undo a posting; reversed=false when there is nothing (left) to undo, never an error."""
        raise NotImplementedError

    @router.get(
        paths.BILL_DOCUMENT,
        responses={200: {"content": {"application/pdf": {}}}, **refusals(404)},
        response_class=Response,
        operation_id="bill_document",
        summary="Bill document",
    )
    def bill_document(
        biller: Biller, bill_id: BillId, customer_ref: OwnerRef, key: ApiKey
    ) -> Response:
        """The bill as the biller prints it, a PDF (its lines are the biller's); 404
        UNKNOWN_BILL unless the bill is `customer_ref`'s, so a bill id alone shows nothing."""
        raise NotImplementedError

    return router


def switch_routes() -> APIRouter:
    router = APIRouter(tags=[SWITCH_TAG])

    @router.get(
        paths.FEED, responses=refusals(), operation_id="acceptance_feed", summary="Acceptance feed"
    )
    def feed(
        key: ApiKey,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=FEED_PAGE_MAX)] = FEED_PAGE_MAX,
    ) -> AcceptanceFeed:
        """Payments accepted for the calling biller after the cursor, in acceptance order."""
        raise NotImplementedError

    @router.post(
        paths.IN_FLIGHT, responses=refusals(), operation_id="in_flight", summary="In-flight check"
    )
    def in_flight(body: InFlightQuery, key: ApiKey) -> InFlightAnswer:
        """Payments accepted for these customers that the biller has not acknowledged."""
        raise NotImplementedError

    @router.put(
        paths.BILL_FILE, responses=refusals(409), operation_id="bill_upload", summary="Bill upload"
    )
    def bill_upload(file_id: FileId, body: BillFile, key: ApiKey) -> BillFileAnswer:
        """Upload a bill file; idempotent per file id (the same file again: replayed=true)."""
        raise NotImplementedError

    @router.get(
        paths.PAYMENT_FILES,
        responses=refusals(404),
        operation_id="payment_files",
        summary="Payments files",
    )
    def payment_files(
        key: ApiKey, after: Annotated[str | None, Query(max_length=64)] = None
    ) -> PaymentFiles:
        """The payments files not yet acknowledged, oldest first, after the file id `after`
        (cut at this download from the payments in no file yet); 404 PAYMENT_FILE_UNKNOWN."""
        raise NotImplementedError

    @router.post(
        paths.PAYMENT_FILE_ACK,
        responses=refusals(404, 409),
        status_code=204,
        operation_id="payment_file_ack",
        summary="Acknowledge a payments file",
    )
    def payment_file_ack(file_id: FileId, body: FileAcknowledgement, key: ApiKey) -> None:
        """The biller took that file; `receipts` names its receipt id for each payment it
        posted (404 PAYMENT_FILE_UNKNOWN, 409 PAYMENT_FILE_ACK_CONFLICT, 422
        PAYMENT_NOT_IN_FILE)."""
        raise NotImplementedError

    return router


def biller_api_document() -> dict[str, Any]:
    app = FastAPI(
        title="Fawtara Biller API",
        version=API_VERSION,
        summary="Between the Fawtara switch and the billers' systems (docs/BILLER-API.md).",
        openapi_url=None,
    )
    app.include_router(biller_routes())
    app.include_router(switch_routes())
    document = app.openapi()
    # FastAPI's own 422 schemas stay in the components though every 422 is an ErrorAnswer.
    for unused in ("HTTPValidationError", "ValidationError"):
        document["components"]["schemas"].pop(unused, None)
    return document


def rendered() -> str:
    return json.dumps(biller_api_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(rendered(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCUMENT}\n")
