"""The switch's side of the Biller API: what a biller calls, with its participant key.

PUT /biller-api/v1/bill-files/{file_id} (bill upload), POST
/biller-api/v1/in-flight (payments accepted, not yet acknowledged) and GET
/biller-api/v1/feed (every payment accepted, after a cursor); the biller is
the caller: a biller sees and uploads only its own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from fawtara.biller_api import paths, schema
from fawtara.biller_api.notices import payment_notice
from fawtara.kernel import limits
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import NotAllowed, ValidationError
from fawtara.kernel.presentment import PresentedBill, UploadedRow
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.entrypoints.api.payments import Caller, platform_of
from fawtara.switch.use_cases.bill_files import accept_bill_file
from fawtara.switch.use_cases.biller_side import acceptance_feed, in_flight

router = APIRouter(tags=["biller api"])

FileId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


def caller_biller(caller: Participant) -> str:
    """The calling biller's code; another kind of participant is NOT_ALLOWED."""
    if caller.kind is not ParticipantKind.BILLER:
        raise NotAllowed(f"{caller.code} is not a biller")
    return caller.code


@router.put(paths.BILL_FILE, response_model=schema.BillFileAnswer, summary="Upload a bill file")
def upload(
    file_id: FileId, body: schema.BillFile, request: Request, caller: Caller
) -> schema.BillFileAnswer:
    biller = caller_biller(caller)
    if schema.canonical_rows_checksum(list(body.rows)) != body.checksum:
        raise ValidationError("the checksum is not the SHA-256 of the rows (canonical JSON)")
    platform = platform_of(request)
    rows = [_row(number, row) for number, row in enumerate(body.rows, start=1)]
    result = accept_bill_file(
        platform.uow_factory(), platform.clock, biller, file_id, body.checksum, rows
    )
    return schema.BillFileAnswer(
        file_id=result.file_id,
        rows_applied=result.rows_applied,
        rows_unchanged=result.rows_unchanged,
        errors=[schema.RowError(row=e.row, code=e.code, message=e.message) for e in result.errors],
        replayed=result.replayed,
    )


@router.post(paths.IN_FLIGHT, response_model=schema.InFlightAnswer, summary="Payments in flight")
def check_in_flight(
    body: schema.InFlightQuery, request: Request, caller: Caller
) -> schema.InFlightAnswer:
    biller = caller_biller(caller)
    platform = platform_of(request)
    answer = in_flight(platform.uow(readonly=True), platform.clock, biller, body.customer_refs)
    return schema.InFlightAnswer(
        as_of=answer.as_of,
        payments=[
            schema.InFlightPayment(
                payment_id=payment_id,
                customer_ref=reference,
                bill_ids=list(bill_ids),
                amount_minor=amount,
                accepted_at=accepted_at,
            )
            for payment_id, reference, bill_ids, amount, accepted_at in answer.payments
        ],
        counters_synced_through=answer.counters_synced_through,
    )


@router.get(paths.FEED, response_model=schema.AcceptanceFeed, summary="The acceptance feed")
def feed(
    request: Request,
    caller: Caller,
    after: Annotated[int, Query(ge=0, description="the cursor of the last payment taken")] = 0,
    limit: Annotated[int, Query(ge=1, le=limits.feed_page_max)] = limits.feed_page_default,
) -> schema.AcceptanceFeed:
    biller = caller_biller(caller)
    platform = platform_of(request)
    page = acceptance_feed(platform.uow(readonly=True), biller, after, limit)
    return schema.AcceptanceFeed(
        payments=[
            schema.AcceptedPayment(
                cursor=entry.cursor,
                payment_id=entry.notice.payment_id,
                notice=payment_notice(entry.notice),
                acknowledged_at=entry.acknowledged_at,
            )
            for entry in page
        ],
        next_cursor=page[-1].cursor if page else after,
    )


def _row(number: int, row: schema.UploadedBill) -> UploadedRow:
    status = (
        BillStatus.PAID
        if row.paid_minor == row.amount_minor
        else (BillStatus.PARTIALLY_PAID if row.paid_minor else BillStatus.ISSUED)
    )
    return UploadedRow(
        row=number,
        customer_ref=row.customer_ref,
        name_ar=row.customer_name_ar,
        name_en=row.customer_name_en,
        bill=PresentedBill(
            id=row.bill_id,
            cycle_id=row.cycle,
            period_start=row.period_start,
            period_end=row.period_end,
            issued_on=row.issued_on,
            due_on=row.due_on,
            amount_minor=row.amount_minor,
            paid_minor=row.paid_minor,
            currency=row.currency,
            status=status,
        ),
        governorate=row.governorate,
        msisdn=row.msisdn,
        language=row.language,
    )
