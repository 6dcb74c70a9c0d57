"""Cash counters: one per telephone centre, each in a governorate.

A counter is also a participant of the switch (kind CHANNEL, same code,
channel "counter"): its station authenticates with that participant's API key
and sees only its own payments. It sells for the billers that accept the
"counter" channel, and keeps a copy of the unpaid bills of its governorate
(`UnpaidBill`: the switch sends them, the station keeps and sells them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fawtara.kernel import limits
from fawtara.kernel.errors import ValidationError

COUNTER_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}", re.ASCII)
COUNTER_CHANNEL = "counter"
GOVERNORATE_LENGTH_MAX = 32  # the customers.governorate column


@dataclass(frozen=True, slots=True)
class Counter:
    code: str
    name_ar: str
    name_en: str
    governorate: str  # as in customers.governorate, e.g. "Damascus"
    public_key: str | None = None  # PEM of the counter's receipt-signing key
    certificate: str | None = None  # the switch's certificate over that key

    def __post_init__(self) -> None:
        if not COUNTER_CODE.fullmatch(self.code):
            raise ValidationError(
                f"a counter code is 2..16 of A-Z, 0-9, starting with a letter: {self.code!r}",
                "رمز الصندوق من حرفين إلى 16 حرفاً لاتينياً كبيراً أو رقماً",
            )
        for name in (self.name_ar, self.name_en):
            if not 0 < len(name.strip()) <= limits.name_length_max:
                raise ValidationError(f"counter names are 1..{limits.name_length_max} characters")
        if not 0 < len(self.governorate.strip()) <= GOVERNORATE_LENGTH_MAX:
            raise ValidationError(f"the governorate is 1..{GOVERNORATE_LENGTH_MAX} characters")


@dataclass(frozen=True, slots=True)
class UnpaidBill:
    """A bill in a counter's snapshot: what the station needs to sell it offline."""

    bill_id: str
    biller: str
    customer_ref: str
    customer_name_ar: str
    msisdn: str | None
    period: str
    amount_due_minor: int
    due_on: date
