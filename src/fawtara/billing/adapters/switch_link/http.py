"""The switch's side of the Biller API over HTTP, as the billing system calls it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import ValidationError as WireInvalid

from fawtara.biller_api import paths, schema
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.kernel.errors import FawtaraError, error_for_code
from fawtara.kernel.notices import DownloadedFile, InFlight, PostPayment
from fawtara.kernel.presentment import UploadedRow


class HttpSwitchLink:
    def __init__(self, switch_url: str, keys: dict[str, str], timeout_s: float) -> None:
        self.base = switch_url.rstrip("/")
        self.keys = keys  # biller code → its participant key at the switch
        self.client = httpx.Client(timeout=timeout_s, trust_env=False)

    def upload_bills(self, biller_code: str, file_id: str, rows: Sequence[UploadedRow]) -> int:
        wire = [_wire_row(row) for row in rows]
        body = schema.BillFile(checksum=schema.canonical_rows_checksum(wire), rows=wire)
        found = self._call(
            biller_code, "PUT", paths.bill_file(file_id), body.model_dump(mode="json")
        )
        answer = schema.BillFileAnswer.model_validate(found)
        return answer.rows_applied + answer.rows_unchanged

    def in_flight(self, biller_code: str, references: Sequence[str]) -> InFlight:
        query = schema.InFlightQuery(customer_refs=list(references)).model_dump(mode="json")
        found = self._call(biller_code, "POST", paths.IN_FLIGHT, query)
        try:
            answer = schema.InFlightAnswer.model_validate(found)
        except WireInvalid as error:
            raise SwitchUnreachable(
                f"the switch's answer is not an InFlightAnswer: {error}"
            ) from error
        return InFlight(
            as_of=answer.as_of,
            payments=tuple(
                (p.payment_id, p.customer_ref, tuple(p.bill_ids), p.amount_minor, p.accepted_at)
                for p in answer.payments
            ),
            counters_synced_through=answer.counters_synced_through,
        )

    def payment_files(self, biller_code: str, after: str | None) -> list[DownloadedFile]:
        params = {} if after is None else {"after": after}
        found = self._call(biller_code, "GET", paths.PAYMENT_FILES, None, params)
        try:
            answer = schema.PaymentFiles.model_validate(found)
        except WireInvalid as error:
            raise SwitchUnreachable(f"the switch's answer is not PaymentFiles: {error}") from error
        return [
            DownloadedFile(
                file_id=file.file_id,
                payments=tuple(
                    _command(file.biller, p.payment_id, p.notice) for p in file.payments
                ),
                created_at=file.created_at,
            )
            for file in answer.files
        ]

    def acknowledge_payment_file(
        self, biller_code: str, file_id: str, receipts: dict[str, str]
    ) -> None:
        body = schema.FileAcknowledgement(receipts=receipts).model_dump(mode="json")
        self._call(biller_code, "POST", paths.payment_file_ack(file_id), body)

    def _call(
        self,
        biller_code: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        params: dict[str, str] | None = None,
    ) -> Any:
        key = self.keys.get(biller_code)
        if key is None:
            raise SwitchUnreachable(
                f"no key of {biller_code} at the switch (FAWTARA_BILLING_SWITCH_KEYS)"
            )
        try:
            response = self.client.request(
                method,
                self.base + path,
                json=body,
                params=params,
                headers={paths.API_KEY_HEADER: key},
            )
        except httpx.HTTPError as error:
            raise SwitchUnreachable(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise SwitchUnreachable(f"the switch answered {response.status_code}")
        if response.status_code == 204:
            return None
        try:
            payload = response.json()
        except ValueError as error:
            raise SwitchUnreachable("the switch answered no JSON") from error
        if response.status_code >= 400:
            try:
                detail = schema.ErrorAnswer.model_validate(payload).error
            except WireInvalid as error:
                raise SwitchUnreachable(f"the switch answered {response.status_code}") from error
            raise (error_for_code(detail.code) or FawtaraError)(detail.message, detail.message_ar)
        return payload


def _command(biller_code: str, payment_id: str, notice: schema.PaymentNotice) -> PostPayment:
    """A payment of a file as the billing system posts it (as an online notice would be)."""
    return PostPayment(
        payment_id=payment_id,
        biller_code=biller_code,
        customer_ref=notice.customer_ref,
        bill_ids=tuple(bill.bill_id for bill in notice.bills),
        amount_minor=notice.amount_minor,
        currency=notice.currency,
        channel=notice.channel,
        paid_at=notice.accepted_at,
    )


def _wire_row(row: UploadedRow) -> schema.UploadedBill:
    bill = row.bill
    return schema.UploadedBill(
        bill_id=bill.id,
        customer_ref=row.customer_ref,
        customer_name_ar=row.name_ar,
        customer_name_en=row.name_en,
        cycle=bill.cycle_id,
        period_start=bill.period_start,
        period_end=bill.period_end,
        issued_on=bill.issued_on,
        due_on=bill.due_on,
        amount_minor=bill.amount_minor,
        paid_minor=bill.paid_minor,
        currency=bill.currency,
        governorate=row.governorate,
        msisdn=row.msisdn,
        language="en" if row.language == "en" else "ar",
    )
