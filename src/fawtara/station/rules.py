"""The station's own decisions, pure: change, sync timing, what the cashier is told.

The rules it shares with the switch are not here but in the kernel and the domains:
permissions and lockout (`staff`), shift figures (`shifts`), cash rounding
(`cash.round_cash`), the receipt (`receipts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fawtara.counters.domain.staff import StaffMember
from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.kernel.errors import InvalidAmount, ValidationError
from fawtara.kernel.money import Money
from fawtara.sms.domain.sms import (
    ARABIC_DECIMAL_SEPARATOR,
    ARABIC_THOUSANDS_SEPARATOR,
    format_amount,
)

CURRENCY = "SYP"
# What a cashier may type: Arabic-Indic or Latin digits, an Arabic or Latin decimal point.
_TYPED_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩" + ARABIC_DECIMAL_SEPARATOR, "0123456789.", ARABIC_THOUSANDS_SEPARATOR + ", "
)


def parse_cash(text: str) -> int:
    """An amount typed at the desk in pounds ('٣٤٩٥', '3,495.50') into qirsh."""
    return Money.parse(text.translate(_TYPED_DIGITS) or "-", CURRENCY).amount_minor


def change_due(cash_received_minor: int, cash_to_take_minor: int) -> int:
    """What the cashier hands back; refused when the subscriber gave too little."""
    if not 0 <= cash_received_minor <= limits.amount_minor_max:
        raise InvalidAmount(
            f"cash received must be 0..{limits.amount_minor_max} qirsh",
            "المبلغ المقبوض غير صالح",
        )
    if cash_received_minor < cash_to_take_minor:
        short = cash_to_take_minor - cash_received_minor
        raise InvalidAmount(
            f"the cash received is {short} qirsh short of the amount to take",
            f"المبلغ المقبوض أقل من المطلوب بمقدار {format_amount(short, CURRENCY, 'ar')}",
        )
    return cash_received_minor - cash_to_take_minor


def void_reason(text: str) -> str:
    """Why a payment is voided, as the supervisor typed it; the switch keeps it with the void."""
    reason = " ".join(text.split())
    if not 0 < len(reason) <= limits.description_length_max:
        raise ValidationError(
            f"a void needs its reason, 1..{limits.description_length_max} characters",
            f"اكتب سبب الإلغاء (حتى {limits.description_length_max} حرفاً)",
        )
    return reason


# The status bar: the link to the switch as the cashier reads it (link up: True, False, None).
LINK_STATES = {True: "up", False: "down", None: "unknown"}
LINK_TEXTS = {
    "up": "الاتصال بالمقسم: متصل",
    "down": "الاتصال بالمقسم: منقطع — تُحفظ العمليات محلياً وتُزامَن تلقائياً",
    "unknown": "الاتصال بالمقسم: جارٍ المحاولة",
}


def link_status(up: bool | None, pending: int) -> dict[str, Any]:
    """What the status bar shows: the page renders it, GET /status refreshes it."""
    state = LINK_STATES[up]
    return {"up": up, "state": state, "text": LINK_TEXTS[state], "pending": pending}


def synced_through(oldest_pending_at: datetime | None, now: datetime) -> datetime:
    """What the switch may assume it has from this counter: all before this instant."""
    return now if oldest_pending_at is None else min(oldest_pending_at, now)


def retry_delay_s(failures_in_a_row: int) -> float:
    """Backoff while the link is down: doubling from the first delay to the cap."""
    if failures_in_a_row <= 0:
        return 0.0
    return backoff_s(
        failures_in_a_row,
        limits.station_sync_backoff_s_first,
        limits.station_sync_backoff_s_max,
    )


def with_local_failures(
    member: StaffMember, failures: int, locked_until: datetime | None
) -> StaffMember:
    """The snapshot's view of a cashier plus the wrong passwords typed at this station.

    The later of the two locks holds: a lock set at the switch (or by another
    station's failures, once synced) and one set here while offline.
    """
    lock = max(filter(None, (member.locked_until, locked_until)), default=None)
    return StaffMember(
        member.username,
        member.name_ar,
        member.role,
        member.counter_code,
        member.active,
        failures,
        lock,
    )


def surplus_notice(outcome: Mapping[str, Any] | None) -> str | None:
    """The Arabic line the cashier reads when the switch turned cash into a credit or refund."""
    if not outcome:
        return None
    credit, refund = outcome.get("credit_minor") or 0, outcome.get("refund_minor") or 0
    if credit:
        amount = format_amount(credit, CURRENCY, "ar")
        return f"سُدِّدت الفاتورة بقناة أخرى: أضيف {amount} رصيداً لحساب المشترك لدى الجهة"
    if refund:
        amount = format_amount(refund, CURRENCY, "ar")
        return f"سُدِّدت الفاتورة بقناة أخرى: يُعاد للمشترك {amount} نقداً"
    return None


def journal_body(entries: Sequence[Mapping[str, Any]], through: datetime) -> bytes:
    """The body of POST /v1/counter/journal, exactly as sent (compact UTF-8 JSON)."""
    body = {"entries": list(entries), "synced_through": through.isoformat()}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def entries_that_fit(
    entries: Sequence[Mapping[str, Any]],
    through: datetime,
    budget_bytes: int = limits.request_body_bytes_max,
) -> int:
    """How many leading entries one push may carry within the switch's body limit.

    The switch refuses a body over the limit before reading it, so a batch is
    cut by size as well as by count (200 cash payments are ~83 KB). One entry
    always goes: each is bounded far below the limit by its own fields' limits.
    """
    size = len(journal_body([], through))
    for count, entry in enumerate(entries):
        size += len(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        if size > budget_bytes and count:
            return count
    return len(entries)
