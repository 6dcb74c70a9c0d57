"""The Biller API over HTTP: the switch calls each online biller's own system.

An answer that names an error (`{"error": {"code", …}}`, 4xx) is the biller's
refusal and is raised as that named error; no answer, a garbled answer or a
5xx is BillerUnreachable (the notice waits in the outbox and is sent again).
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError as WireInvalid

from fawtara.biller_api import paths, schema
from fawtara.biller_api.notices import payment_notice
from fawtara.kernel.bills import BillStatus
from fawtara.kernel.errors import FawtaraError, UnknownBiller, error_for_code
from fawtara.kernel.notices import PostingResult, PostPayment
from fawtara.kernel.presentment import PresentedBill, PresentedCustomer
from fawtara.switch.use_cases.ports import BillerUnreachable


class HttpBillerGateway:
    def __init__(self, links: dict[str, str], api_key: str, timeout_s: float) -> None:
        self.links = links  # biller code → base URL of its Biller API
        self.client = httpx.Client(
            timeout=timeout_s, headers={paths.API_KEY_HEADER: api_key}, trust_env=False
        )

    def inquire(self, biller_code: str, customer_ref: str) -> PresentedCustomer:
        body = self._call(biller_code, "GET", paths.inquiry(biller_code, customer_ref))
        answer = _parse(schema.BillInquiryAnswer, body)
        return PresentedCustomer(
            biller_code=answer.biller,
            reference=answer.customer_ref,
            name_ar=answer.customer_name_ar,
            name_en=answer.customer_name_en,
            bills=tuple(_bill(bill) for bill in answer.bills),
            as_of=answer.as_of,
        )

    def post(self, command: PostPayment) -> PostingResult:
        notice = payment_notice(command)
        path = paths.notice(command.biller_code, command.payment_id)
        body = self._call(command.biller_code, "PUT", path, notice.model_dump(mode="json"))
        answer = _parse(schema.NoticeAnswer, body)
        return PostingResult(
            payment_id=answer.payment_id,
            bills=tuple((b.bill_id, b.amount_minor, b.status) for b in answer.bills),
            credit_minor=answer.credit_minor,
            replayed=False,
            receipt_id=answer.biller_receipt_id,
        )

    def reverse(self, biller_code: str, payment_id: str, reason: str) -> None:
        body = schema.ReversalNotice(reason=reason[:200] or "reversed").model_dump(mode="json")
        answer = self._call(biller_code, "PUT", paths.reversal(biller_code, payment_id), body)
        _parse(schema.ReversalAnswer, answer)

    def bill_document(self, biller_code: str, customer_ref: str, bill_id: str) -> bytes:
        base = self.links.get(biller_code)
        if base is None:
            raise UnknownBiller(f"no online link to biller {biller_code}")
        url = base.rstrip("/") + paths.bill_document(biller_code, bill_id)
        try:
            response = self.client.get(url, params={"customer_ref": customer_ref})
        except httpx.HTTPError as error:
            raise BillerUnreachable(f"{biller_code}: {type(error).__name__}: {error}") from error
        if response.status_code == 200 and response.content.startswith(b"%PDF-"):
            return response.content
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 429):
            try:
                detail = schema.ErrorAnswer.model_validate(response.json()).error
            except (ValueError, WireInvalid) as error:
                raise BillerUnreachable(f"{biller_code} refused without a named error") from error
            error_class = error_for_code(detail.code) or FawtaraError
            raise error_class(f"{biller_code}: {detail.message}", detail.message_ar)
        raise BillerUnreachable(f"{biller_code} answered {response.status_code}, not a PDF")

    def _call(
        self, biller_code: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Any:
        base = self.links.get(biller_code)
        if base is None:
            raise UnknownBiller(f"no online link to biller {biller_code}")
        try:
            response = self.client.request(method, base.rstrip("/") + path, json=body)
        except httpx.HTTPError as error:
            raise BillerUnreachable(f"{biller_code}: {type(error).__name__}: {error}") from error
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            raise BillerUnreachable(f"{biller_code} answered {response.status_code}")
        try:
            payload = response.json()
        except ValueError as error:
            raise BillerUnreachable(f"{biller_code} answered no JSON") from error
        if response.status_code >= 400:
            try:
                detail = schema.ErrorAnswer.model_validate(payload).error
            except WireInvalid as error:
                raise BillerUnreachable(f"{biller_code} refused without a named error") from error
            error_class = error_for_code(detail.code) or FawtaraError
            raise error_class(f"{biller_code}: {detail.message}", detail.message_ar)
        return payload


def _parse(model: type[schema.Wire], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except WireInvalid as error:
        raise BillerUnreachable(
            f"the biller's answer is not a {model.__name__}: {error}"
        ) from error


def _bill(bill: schema.OpenBill) -> PresentedBill:
    return PresentedBill(
        id=bill.bill_id,
        cycle_id=bill.cycle,
        period_start=bill.period_start,
        period_end=bill.period_end,
        issued_on=bill.issued_on,
        due_on=bill.due_on,
        amount_minor=bill.amount_minor,
        paid_minor=bill.paid_minor,
        currency=bill.currency,
        status=BillStatus(bill.status),
    )
