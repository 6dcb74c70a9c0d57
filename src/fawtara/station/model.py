"""What the station keeps: journal entries, shifts and payments as plain data.

The journal entry is the unit of sync: made at the counter with its own UUID,
kept until the switch answers, and sent again (harmlessly) when the answer was
lost. Its `kind` and `data` follow the switch's counter API (docs/STATION.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fawtara.receipts.domain.receipts import ReceiptBill


class Kind(enum.StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SHIFT_OPEN = "shift_open"
    PAYMENT = "payment"
    VOID = "void"
    SHIFT_CLOSE = "shift_close"
    CLOSE_APPROVED = "close_approved"
    REFUND_PAID = "refund_paid"


class EntryState(enum.StrEnum):
    """pending → sent (applied or duplicate) | rejected (the reason shown to the cashier)."""

    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    kind: Kind
    at: datetime
    cashier: str
    shift_id: str | None
    data: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        """The entry as POST /v1/counter/journal takes it."""
        return {
            "entry_id": self.entry_id,
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "cashier": self.cashier,
            "shift_id": self.shift_id,
            "data": self.data,
        }


@dataclass(frozen=True)
class EntryResult:
    """The switch's answer for one entry."""

    entry_id: str
    status: str  # applied | duplicate | rejected
    error: dict[str, str] | None
    outcome: dict[str, Any] | None
    shift: dict[str, Any] | None

    @property
    def state(self) -> EntryState:
        return EntryState.REJECTED if self.status == "rejected" else EntryState.SENT


@dataclass(frozen=True)
class Cashier:
    username: str
    name_ar: str
    role: str
    password_hash: str
    active: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class LocalVoid:
    """A supervisor gave a payment back: its journal entry and the switch's answer."""

    entry_id: str
    payment_id: str
    voided_by: str
    reason: str
    voided_at: datetime
    entry_state: EntryState
    outcome: dict[str, Any] | None

    @property
    def pending_sync(self) -> bool:
        return self.entry_state is EntryState.PENDING


@dataclass(frozen=True)
class LocalPayment:
    payment_id: str
    entry_id: str
    shift_id: str
    cashier: str
    biller: str
    customer_ref: str
    customer_name_ar: str
    bills: tuple[ReceiptBill, ...]
    amount_due_minor: int
    cash_taken_minor: int
    cash_received_minor: int
    msisdn: str | None
    taken_at: datetime
    entry_state: EntryState
    outcome: dict[str, Any] | None
    error: dict[str, str] | None
    void: LocalVoid | None = None  # the live void (not rejected by the switch), if any

    @property
    def bill_ids(self) -> list[str]:
        return [bill.bill_id for bill in self.bills]

    @property
    def change_minor(self) -> int:
        return self.cash_received_minor - self.cash_taken_minor

    @property
    def pending_sync(self) -> bool:
        return self.entry_state is EntryState.PENDING


@dataclass(frozen=True)
class OwedRefund:
    """A refund owed to a subscriber (a bill paid twice), as the snapshot listed it."""

    payment_id: str  # the cash payment whose surplus it is (taken at any counter)
    biller: str
    customer_ref: str
    customer_name_ar: str
    amount_minor: int


@dataclass(frozen=True)
class RefundPayout:
    """A refund handed over from this drawer: its journal entry and the switch's answer."""

    refund: OwedRefund
    entry_id: str
    shift_id: str
    cashier: str
    paid_at: datetime
    entry_state: EntryState
    error: dict[str, str] | None

    @property
    def pending_sync(self) -> bool:
        return self.entry_state is EntryState.PENDING
