"""`HttpBankConsent`: the `BankConsent` port over the banks' JSON consent API.

    request   POST {base}/consents                       {payment_id, account, amount_minor}
    confirm   POST {base}/consents/{payment_id}/confirm  {code}

The base URLs are those of FAWTARA_BANKS (the ISO 20022 endpoints); the bank
simulator serves both on one port. A 4xx answer is the bank's refusal, shown
to the subscriber with its reason; no answer, or a 5xx, is ConsentUnavailable.
The hourly caps of an account are named by the bank's `refusal` field:
`too_many_codes` is ConsentCodesExhausted, `locked` is ConsentLocked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from fawtara.kernel.errors import (
    ConsentCodesExhausted,
    ConsentLocked,
    ConsentRefused,
    ConsentUnavailable,
    TooManyRequests,
    UnknownBank,
)

reason_chars_max = 200
NAMED_REFUSALS: dict[str, type[ConsentRefused] | type[TooManyRequests]] = {
    "too_many_codes": ConsentCodesExhausted,
    "locked": ConsentLocked,
}


class HttpBankConsent:
    def __init__(self, base_urls: Mapping[str, str], timeout_s: float) -> None:
        self.base_urls = dict(base_urls)
        self.timeout_s = timeout_s

    def request(self, bank_code: str, payment_id: str, account: str, amount_minor: int) -> str:
        body = {"payment_id": payment_id, "account": account, "amount_minor": amount_minor}
        answer = self._post(bank_code, "/consents", body)
        return str(answer.get("sent_to", ""))

    def confirm(self, bank_code: str, payment_id: str, code: str) -> None:
        self._post(bank_code, f"/consents/{payment_id}/confirm", {"code": code})

    def _post(self, bank_code: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        base = self.base_urls.get(bank_code)
        if base is None:
            raise UnknownBank(f"no route to bank {bank_code!r}", f"المصرف {bank_code} غير معروف")
        try:
            response = httpx.post(f"{base.rstrip('/')}{path}", json=body, timeout=self.timeout_s)
        except httpx.HTTPError as error:
            raise ConsentUnavailable(f"bank {bank_code} did not answer: {error}") from error
        if response.status_code >= 500:
            raise ConsentUnavailable(f"bank {bank_code} answered HTTP {response.status_code}")
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 400:
            reason = str(answer.get("reason") or answer.get("detail") or response.status_code)
            refused = NAMED_REFUSALS.get(str(answer.get("refusal")), ConsentRefused)
            raise refused(f"bank {bank_code} refused: {reason[:reason_chars_max]}")
        return answer
