"""`HttpBankGateway`: the `BankGateway` port as ISO 20022 XML over HTTP.

    debit            POST {base}/iso20022/pain.001   -> pain.002
    status           POST {base}/iso20022/pacs.028   -> pacs.002
    return_payment   POST {base}/iso20022/pacs.004   -> pacs.002
    fetch_statement  GET  {base}/iso20022/camt.053?account=..&date=YYYY-MM-DD

Anything short of a valid answer about the payment asked for raises
`BankUnreachable`, because the outcome is then unknown: a timeout, a refused
or dropped connection, any status other than 200 (a 5xx, or a 504 from the
bank's front end while its core may have booked the debit), a body that is
not the expected, schema-valid message, or an answer about another payment.
A bank code with no configured route raises `BankUnreachable` too: nothing
was sent, and the status inquiry will say so.

One `httpx.Client` holds a bounded pool of keep-alive connections to all
banks; each phase of a request (connect, write, read, wait for a pooled
connection) is bounded by `timeout_s`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import TracebackType
from typing import Self, TypeVar

import httpx

from fawtara.banks.adapters import iso20022
from fawtara.banks.adapters.iso20022 import MalformedBankMessage, SwitchIdentity
from fawtara.banks.adapters.wire import message_bytes_max, statement_bytes_max
from fawtara.banks.domain.banking import (
    BankAnswer,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.kernel import limits
from fawtara.switch.use_cases.ports import BankUnreachable

# The pool shared by all banks: enough for the worker threads of one switch
# process; more connections would only queue inside the banks.
connections_max = 32
keepalive_connections_max = 16
timeout_s_max = 120.0

XML = "application/xml"

T = TypeVar("T")


def _read_bounded(response: httpx.Response, size_max: int) -> bytes | None:
    """The whole body, or None as soon as it grows past `size_max` bytes."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > size_max:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class HttpBankGateway:
    def __init__(
        self,
        banks: Mapping[str, str],
        switch: SwitchIdentity = iso20022.DEFAULT_SWITCH,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`banks` maps a bank code to the base URL of its ISO 20022 endpoint."""
        assert 0 < timeout_s <= timeout_s_max, f"timeout_s must be in (0, {timeout_s_max}]"
        self._banks = {code: url.rstrip("/") for code, url in banks.items()}
        self._switch = switch
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(
                max_connections=connections_max,
                max_keepalive_connections=keepalive_connections_max,
            ),
            headers={"Accept": XML},
            transport=transport,
        )

    # The port ---------------------------------------------------------------

    def debit(self, instruction: DebitInstruction) -> BankAnswer:
        body = iso20022.debit_to_pain001(instruction, self._switch)
        reply = self._post(instruction.bank_code, "pain.001", body)
        return self._read(
            instruction.bank_code,
            "pain.002",
            lambda: iso20022.pain002_to_answer(reply, instruction.payment_id),
        )

    def status(self, request: StatusRequest) -> BankAnswer:
        body = iso20022.status_request_to_pacs028(request, self._switch)
        reply = self._post(request.bank_code, "pacs.028", body)
        return self._read(
            request.bank_code,
            "pacs.002",
            lambda: iso20022.pacs002_to_answer(reply, request.payment_id),
        )

    def return_payment(self, instruction: ReturnInstruction) -> BankAnswer:
        body = iso20022.return_to_pacs004(instruction, self._switch)
        reply = self._post(instruction.bank_code, "pacs.004", body)
        return self._read(
            instruction.bank_code,
            "pacs.002",
            lambda: iso20022.pacs002_to_answer(reply, instruction.payment_id),
        )

    # Statements -------------------------------------------------------------

    def fetch_statement(self, bank_code: str, account: str, day: date) -> bytes:
        """The camt.053 of `account` for the Damascus day `day`, checked against its XSD."""
        url = f"{self._base(bank_code)}/iso20022/camt.053"
        params = {"account": account, "date": day.isoformat()}
        request = self._client.build_request("GET", url, params=params)
        data = self._exchange(bank_code, "camt.053", request, statement_bytes_max)
        self._read(bank_code, "camt.053", lambda: iso20022.camt053_to_statement(data))
        return data

    # Plumbing ---------------------------------------------------------------

    def _base(self, bank_code: str) -> str:
        base = self._banks.get(bank_code)
        if base is None:
            raise BankUnreachable(f"no route to bank {bank_code}")
        return base

    def _post(self, bank_code: str, message: str, body: bytes) -> bytes:
        url = f"{self._base(bank_code)}/iso20022/{message}"
        request = self._client.build_request(
            "POST", url, content=body, headers={"Content-Type": XML}
        )
        return self._exchange(bank_code, message, request, message_bytes_max)

    def _exchange(
        self, bank_code: str, message: str, request: httpx.Request, size_max: int
    ) -> bytes:
        """The body of a 200 answer, read up to `size_max` bytes; anything else is unreachable."""
        try:
            response = self._client.send(request, stream=True)
            try:
                body = _read_bounded(response, size_max)
            finally:
                response.close()
        except httpx.TimeoutException as error:
            raise BankUnreachable(
                f"bank {bank_code}: no answer to {message} in time ({type(error).__name__})"
            ) from error
        except httpx.HTTPError as error:
            raise BankUnreachable(
                f"bank {bank_code}: {message} failed: {type(error).__name__}: {error}"
            ) from error
        if body is None:
            raise BankUnreachable(f"bank {bank_code}: answer to {message} exceeds {size_max} bytes")
        if response.status_code != 200:
            excerpt = limits.clip(body.decode("utf-8", "replace"), limits.excerpt_length_max)
            raise BankUnreachable(
                f"bank {bank_code}: {message} answered HTTP {response.status_code}"
                + (f": {excerpt}" if excerpt else "")
            )
        return body

    @staticmethod
    def _read(bank_code: str, message: str, reader: Callable[[], T]) -> T:
        try:
            return reader()
        except MalformedBankMessage as error:
            raise BankUnreachable(f"bank {bank_code}: invalid {message}: {error.reason}") from error

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
