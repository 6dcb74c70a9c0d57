"""The payments file routes of the Biller API (the switch serves, a biller calls).

GET /biller-api/v1/payment-files?after= lists the calling biller's payments
files not acknowledged yet (cutting new ones first); POST
/biller-api/v1/payment-files/{file_id}/ack acknowledges one with the biller's
receipts (204). The use cases are switch/use_cases/payment_files.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fawtara.biller_api import paths, schema
from fawtara.biller_api.notices import payment_notice
from fawtara.switch.entrypoints.api.biller_side import FileId, caller_biller
from fawtara.switch.entrypoints.api.payments import Caller, switch_of
from fawtara.switch.use_cases.payment_files import acknowledge, download

router = APIRouter(tags=["biller api"])

AfterFile = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="the id of the last payments file taken; none: from the oldest open file",
    ),
]


@router.get(
    paths.PAYMENT_FILES, response_model=schema.PaymentFiles, summary="Download payments files"
)
def payment_files(request: Request, caller: Caller, after: AfterFile = None) -> schema.PaymentFiles:
    biller = caller_biller(caller)
    files = download(switch_of(request), biller, after)
    return schema.PaymentFiles(
        files=[
            schema.PaymentsFile(
                file_id=found.file_id,
                biller=found.biller_code,
                payments=[
                    schema.FilePayment(payment_id=facts.payment_id, notice=payment_notice(facts))
                    for facts in found.payments
                ],
                created_at=found.created_at,
            )
            for found in files
        ]
    )


@router.post(
    paths.PAYMENT_FILE_ACK,
    status_code=204,
    response_class=Response,
    summary="Acknowledge a payments file",
)
def acknowledge_file(
    file_id: FileId, body: schema.FileAcknowledgement, request: Request, caller: Caller
) -> Response:
    biller = caller_biller(caller)
    acknowledge(switch_of(request), biller, file_id, body.receipts)
    return Response(status_code=204)
