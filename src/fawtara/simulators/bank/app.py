"""The simulated bank's HTTP face: ISO 20022 for the switch, JSON for operators and tests.

    POST /iso20022/pain.001         debit          -> pain.002
    POST /iso20022/pacs.028         status inquiry -> pacs.002
    POST /iso20022/pacs.004         return         -> pacs.002
    GET  /iso20022/camt.053?account=&date=YYYY-MM-DD   statement of a day
    GET  /iso20022/camt.054?payment_id=                 the payment's booked entries

    GET  /healthz
    POST /admin/faults   GET /admin/faults
    POST /admin/accounts GET /admin/accounts/{number}
    GET  /admin/transactions?payment_id=&account=
    POST /admin/push     a payment made in the bank's own app

    POST /consents   POST /consents/{payment_id}/confirm   GET/POST /admin/consent-policy
                     the holder's one-time code for a pull debit (consent.py)

A message that is not valid XML or breaks its XSD is answered HTTP 400 with
the reason as text; every ISO answer is validated against its XSD before it
is sent. docs/BANKS.md shows the admin API with curl.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

import httpx
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fawtara.banks.adapters import iso20022
from fawtara.banks.adapters.iso20022 import MalformedBankMessage
from fawtara.banks.adapters.wire import message_bytes_max
from fawtara.kernel import limits
from fawtara.simulators.bank.booking import book_debit, book_return, debit_status
from fawtara.simulators.bank.consent import (
    CodeSender,
    ConsentError,
    ConsentPolicy,
    confirm_consent,
    missing_consent,
    request_consent,
    sender_for,
)
from fawtara.simulators.bank.faults import (
    INSTRUCTION_MESSAGES,
    Fault,
    FaultMode,
    FaultSwitch,
    delay_ms_max,
)
from fawtara.simulators.bank.push import PushRequest, push_payment
from fawtara.simulators.bank.store import AccountUpdate, BankStore

XML = "application/xml"
accounts_per_request_max = 1_000

AccountNumber = Annotated[str, Field(min_length=1, max_length=34, pattern=r"^[A-Za-z0-9-]+$")]
Msisdn = Annotated[str, Field(pattern=r"^\+?[0-9]{6,15}$")]
Amount = Annotated[int, Field(ge=0, le=limits.amount_minor_max)]
MessageName = Literal["pain.001", "pacs.028", "pacs.004"]


class AccountIn(BaseModel):
    number: AccountNumber
    holder_name: str = Field(min_length=1, max_length=140)
    msisdn: Msisdn | None = None
    balance_minor: Amount | None = None
    daily_limit_minor: Amount | None = None
    state: Literal["active", "blocked", "closed"] = "active"


class FaultIn(BaseModel):
    mode: Literal["none", "delay", "drop_reply", "reject", "http_500"]
    delay_ms: int = Field(default=0, ge=0, le=delay_ms_max)
    count: int | None = Field(default=None, ge=1, le=1_000_000)
    messages: list[MessageName] | None = Field(default=None, min_length=1, max_length=3)


class ConsentIn(BaseModel):
    payment_id: uuid.UUID
    account: AccountNumber
    amount_minor: int = Field(ge=1, le=limits.amount_minor_max)


class ConfirmIn(BaseModel):
    code: str = Field(min_length=1, max_length=12)


class ConsentPolicyIn(BaseModel):
    every_account: bool
    third_party: bool = False
    accounts: list[AccountNumber] = Field(default_factory=list, max_length=accounts_per_request_max)


class PushIn(BaseModel):
    switch_url: str = Field(min_length=8, max_length=2_000, pattern=r"^https?://")
    api_key: str = Field(min_length=1, max_length=200)
    biller: str = Field(min_length=1, max_length=32)
    customer_ref: str = Field(min_length=1, max_length=limits.customer_reference_length_max)
    bill_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=limits.bills_per_payment_max
    )
    amount_minor: int = Field(ge=1, le=limits.amount_minor_max)
    account: AccountNumber
    msisdn: Msisdn | None = None
    payment_id: uuid.UUID | None = None  # to retry an earlier push
    creditor_account: AccountNumber | None = None


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > message_bytes_max:
        raise HTTPException(413, f"messages are limited to {message_bytes_max} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > message_bytes_max:
            raise HTTPException(413, f"messages are limited to {message_bytes_max} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _deliver(fault: Fault, reply: bytes) -> Response:
    """Send the answer, or show the fault: late, or lost after the work was done."""
    if fault.mode in (FaultMode.DELAY, FaultMode.DROP_REPLY) and fault.delay_ms:
        await asyncio.sleep(fault.delay_ms / 1000)
    if fault.mode is FaultMode.DROP_REPLY:
        return Response(status_code=504)
    return Response(reply, media_type=XML)


def create_bank_app(
    store: BankStore,
    faults: FaultSwitch | None = None,
    consent: ConsentPolicy | None = None,
    sender: CodeSender | None = None,
) -> FastAPI:
    switch = faults or FaultSwitch()
    policy = consent or ConsentPolicy()
    codes = sender or sender_for(store.bank_code)
    client = httpx.Client()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        client.close()
        codes.close()

    app = FastAPI(
        title=f"Bank simulator {store.bank_code}",
        description="A bank with real accounts and balances, speaking ISO 20022 over HTTP.",
        lifespan=lifespan,
    )
    app.state.store, app.state.faults = store, switch

    @app.exception_handler(MalformedBankMessage)
    async def on_malformed(_request: Request, error: MalformedBankMessage) -> Response:
        return PlainTextResponse(f"{error.code}: {error.reason}", status_code=400)

    @app.exception_handler(ConsentError)
    async def on_consent_refused(_request: Request, error: ConsentError) -> Response:
        body = {"reason": error.reason, **({"refusal": error.refusal} if error.refusal else {})}
        return JSONResponse(body, status_code=error.status)

    _add_iso_instruction_routes(app, store, switch, policy)
    _add_iso_report_routes(app, store)
    _add_admin_routes(app, store, switch, client)
    _add_consent_routes(app, store, policy, codes)
    return app


def _check_bank(store: BankStore, bank_code: str) -> None:
    if bank_code != store.bank_code:
        raise MalformedBankMessage(f"addressed to bank {bank_code}, this is {store.bank_code}")


def _add_iso_instruction_routes(
    app: FastAPI, store: BankStore, faults: FaultSwitch, policy: ConsentPolicy
) -> None:
    """The messages that book or ask: pain.001 debit, pacs.028 inquiry, pacs.004 return."""

    @app.post("/iso20022/pain.001", tags=["iso20022"])
    async def pain001(request: Request) -> Response:
        message = await run_in_threadpool(iso20022.read_pain001, await _read_body(request))
        instruction = message.instruction
        _check_bank(store, instruction.bank_code)
        fault = faults.take("pain.001")
        if fault.mode is FaultMode.HTTP_500:
            return PlainTextResponse("simulated internal error", status_code=500)
        forced = "NARR" if fault.mode is FaultMode.REJECT else None
        forced = forced or await run_in_threadpool(missing_consent, store, policy, instruction)
        answer = await run_in_threadpool(
            book_debit,
            store,
            instruction,
            message.creditor_account,
            message.message_id,
            "switch",
            forced,
        )
        reply = iso20022.answer_to_pain002(
            message.message_id, instruction.payment_id, answer, store.bank_code
        )
        return await _deliver(fault, reply)

    @app.post("/iso20022/pacs.028", tags=["iso20022"])
    async def pacs028(request: Request) -> Response:
        message = await run_in_threadpool(iso20022.read_pacs028, await _read_body(request))
        _check_bank(store, message.request.bank_code)
        fault = faults.take("pacs.028")
        if fault.mode is FaultMode.HTTP_500:
            return PlainTextResponse("simulated internal error", status_code=500)
        payment_id = message.request.payment_id
        answer = await run_in_threadpool(debit_status, store, payment_id)
        reply = iso20022.answer_to_pacs002(
            message.message_id, iso20022.PACS028, payment_id, answer, store.bank_code
        )
        return await _deliver(fault, reply)

    @app.post("/iso20022/pacs.004", tags=["iso20022"])
    async def pacs004(request: Request) -> Response:
        message = await run_in_threadpool(iso20022.read_pacs004, await _read_body(request))
        instruction = message.instruction
        _check_bank(store, instruction.bank_code)
        fault = faults.take("pacs.004")
        if fault.mode is FaultMode.HTTP_500:
            return PlainTextResponse("simulated internal error", status_code=500)
        forced = "NARR" if fault.mode is FaultMode.REJECT else None
        answer = await run_in_threadpool(
            book_return, store, instruction, message.message_id, "switch", forced
        )
        reply = iso20022.answer_to_pacs002(
            message.message_id,
            iso20022.PACS004,
            instruction.payment_id,
            answer,
            store.bank_code,
            return_id=instruction.return_id,
        )
        return await _deliver(fault, reply)


def _add_iso_report_routes(app: FastAPI, store: BankStore) -> None:
    """The statements the switch reads back: camt.053 of a day, camt.054 of a payment."""

    @app.get("/iso20022/camt.053", tags=["iso20022"])
    def camt053(
        account: Annotated[str, Query(min_length=1, max_length=34)],
        day: Annotated[date, Query(alias="date")],
    ) -> Response:
        statement = store.statement(account, day)
        if statement is None:
            raise HTTPException(404, f"no account {account}")
        return Response(iso20022.camt053_statement(statement, store.bank_code), media_type=XML)

    @app.get("/iso20022/camt.054", tags=["iso20022"])
    def camt054(payment_id: Annotated[str, Query(min_length=1, max_length=64)]) -> Response:
        found = store.payment_entries(payment_id)
        if found is None:
            raise HTTPException(404, f"no booked payment {payment_id}")
        account, currency, entries = found
        reply = iso20022.camt054_notification(account, currency, entries, store.bank_code)
        return Response(reply, media_type=XML)


def _add_admin_routes(
    app: FastAPI, store: BankStore, faults: FaultSwitch, client: httpx.Client
) -> None:
    @app.get("/healthz", tags=["admin"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "bank": store.bank_code}

    @app.get("/admin/faults", tags=["admin"])
    def get_faults() -> dict[str, object]:
        return faults.current().as_dict()

    @app.post("/admin/faults", tags=["admin"])
    def set_faults(body: FaultIn) -> dict[str, object]:
        mode = FaultMode(body.mode)
        if mode is FaultMode.NONE:
            return faults.set(Fault()).as_dict()
        messages = frozenset(body.messages or INSTRUCTION_MESSAGES)
        return faults.set(Fault(mode, body.delay_ms, body.count, messages)).as_dict()

    @app.post("/admin/accounts", tags=["admin"])
    def upsert_accounts(
        body: Annotated[list[AccountIn], Field(min_length=1, max_length=accounts_per_request_max)],
    ) -> list[dict[str, Any]]:
        updates = [AccountUpdate(**account.model_dump()) for account in body]
        return [asdict(account) for account in store.upsert_accounts(updates)]

    @app.get("/admin/accounts/{number}", tags=["admin"])
    def get_account(number: str) -> dict[str, Any]:
        account = store.account(number)
        if account is None:
            raise HTTPException(404, f"no account {number}")
        return asdict(account)

    @app.get("/admin/transactions", tags=["admin"])
    def transactions(
        payment_id: Annotated[str | None, Query(max_length=64)] = None,
        account: Annotated[str | None, Query(max_length=34)] = None,
    ) -> list[dict[str, Any]]:
        return store.transactions(payment_id=payment_id, account=account)

    @app.post("/admin/push", tags=["admin"])
    def push(body: PushIn) -> JSONResponse:
        request = PushRequest(
            switch_url=body.switch_url,
            api_key=body.api_key,
            biller=body.biller,
            customer_ref=body.customer_ref,
            bill_ids=tuple(body.bill_ids),
            amount_minor=body.amount_minor,
            account=body.account,
            msisdn=body.msisdn,
            payment_id=str(body.payment_id) if body.payment_id else None,
            creditor_account=body.creditor_account,
        )
        status, outcome = push_payment(store, request, client)
        return JSONResponse(outcome, status_code=status)


def _add_consent_routes(
    app: FastAPI, store: BankStore, policy: ConsentPolicy, codes: CodeSender
) -> None:
    @app.post("/consents", tags=["consent"], status_code=201)
    def ask(body: ConsentIn) -> dict[str, str]:
        payment_id = str(body.payment_id)
        sent_to = request_consent(store, codes, payment_id, body.account, body.amount_minor)
        return {"payment_id": payment_id, "sent_to": sent_to}

    @app.post("/consents/{payment_id}/confirm", tags=["consent"])
    def confirm(payment_id: uuid.UUID, body: ConfirmIn) -> dict[str, str]:
        confirm_consent(store, str(payment_id), body.code)
        return {"payment_id": str(payment_id), "state": "confirmed"}

    @app.get("/admin/consent-policy", tags=["admin"])
    def get_policy() -> dict[str, object]:
        return {
            "every_account": policy.every_account,
            "third_party": policy.third_party,
            "accounts": sorted(policy.accounts),
        }

    @app.post("/admin/consent-policy", tags=["admin"])
    def set_policy(body: ConsentPolicyIn) -> dict[str, object]:
        policy.every_account, policy.third_party = body.every_account, body.third_party
        policy.accounts = set(body.accounts)
        return get_policy()
