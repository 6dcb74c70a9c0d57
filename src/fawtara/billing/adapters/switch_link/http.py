"""The switch's side of the Biller API over HTTP, as the billing system calls it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import ValidationError as WireInvalid

from fawtara.biller_api import paths, schema
from fawtara.billing.use_cases.ports import SwitchUnreachable
from fawtara.kernel.errors import FawtaraError, error_for_code
from fawtara.kernel.notices import InFlight
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

    def _call(self, biller_code: str, method: str, path: str, body: dict[str, Any]) -> Any:
        key = self.keys.get(biller_code)
        if key is None:
            raise SwitchUnreachable(
                f"no key of {biller_code} at the switch (FAWTARA_BILLING_SWITCH_KEYS)"
            )
        try:
            response = self.client.request(
                method, self.base + path, json=body, headers={paths.API_KEY_HEADER: key}
            )
        except httpx.HTTPError as error:
            raise SwitchUnreachable(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise SwitchUnreachable(f"the switch answered {response.status_code}")
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
