"""Payments pushed by the bank's own app: debit here first, then tell the switch.

1. Debit the account locally (same rules and idempotency as a pain.001),
   under a new payment id, or the one given to retry an earlier push.
2. POST {switch_url}/v1/payments with X-Api-Key and the payment as JSON.
3. The switch's answer is handed back. If it refuses the payment (HTTP
   4xx) the bank credits the account back, once, by a return whose id is
   "R" + the payment's 32 hex digits. If it cannot be reached or answers
   5xx the debit stands: the outcome is unknown, and the caller retries
   the push with the same payment id (the switch is idempotent on it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from fawtara.banks.domain.banking import BankStatus, DebitInstruction, ReturnInstruction
from fawtara.simulators.bank.booking import book_debit, book_return
from fawtara.simulators.bank.store import BankStore

switch_timeout_s = 10.0


@dataclass(frozen=True, slots=True)
class PushRequest:
    switch_url: str
    api_key: str
    biller: str
    customer_ref: str
    bill_ids: tuple[str, ...]
    amount_minor: int
    account: str
    msisdn: str | None
    payment_id: str | None = None  # given to retry a push
    creditor_account: str | None = None  # the switch's collection account here, if any


def push_payment(
    store: BankStore, push: PushRequest, client: httpx.Client
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for the admin API."""
    payment_id = push.payment_id or str(uuid.uuid4())
    instruction = DebitInstruction(
        payment_id=payment_id,
        bank_code=store.bank_code,
        account=push.account,
        amount_minor=push.amount_minor,
        currency="SYP",
        biller_code=push.biller,
        remittance=f"{push.biller} {push.customer_ref}"[:140],
        created_at=store.clock(),
    )
    answer = book_debit(store, instruction, push.creditor_account, None, "app")
    outcome: dict[str, Any] = {"payment_id": payment_id, "bank_reference": answer.bank_reference}
    if answer.status is not BankStatus.ACCEPTED:
        outcome |= {
            "status": "rejected",
            "reason_code": answer.reason_code,
            "detail": answer.detail,
        }
        return 422, outcome
    payload = {
        "payment_id": payment_id,
        "channel": "bank",
        "biller": push.biller,
        "customer_ref": push.customer_ref,
        "bill_ids": list(push.bill_ids),
        "amount_minor": push.amount_minor,
        "currency": "SYP",
        "payer": {"bank": store.bank_code, "account": push.account},
        "msisdn": push.msisdn,
        "bank_reference": answer.bank_reference,
    }
    try:
        response = client.post(
            f"{push.switch_url.rstrip('/')}/v1/payments",
            json=payload,
            headers={"X-Api-Key": push.api_key},
            timeout=switch_timeout_s,
        )
    except httpx.HTTPError as error:
        outcome |= {
            "status": "debited",
            "switch": None,
            "error": f"{type(error).__name__}: {error}",
        }
        return 502, outcome
    outcome["switch"] = {"status_code": response.status_code, "body": _body(response)}
    if 400 <= response.status_code < 500:
        reversal = book_return(store, _reversal(instruction, store), None, "app")
        outcome["status"] = "reversed" if reversal.status is BankStatus.ACCEPTED else "debited"
        return 200, outcome
    outcome["status"] = "debited"
    return (200 if response.status_code < 500 else 502), outcome


def _reversal(instruction: DebitInstruction, store: BankStore) -> ReturnInstruction:
    return ReturnInstruction(
        payment_id=instruction.payment_id,
        return_id="R" + uuid.UUID(instruction.payment_id).hex,
        bank_code=instruction.bank_code,
        account=instruction.account,
        amount_minor=instruction.amount_minor,
        currency=instruction.currency,
        reason="NARR",
        created_at=store.clock(),
    )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]
