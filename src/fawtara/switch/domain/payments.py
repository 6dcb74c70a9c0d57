"""Payments through the switch: the state machine and its rules.

A payment is identified by the UUID its channel made (DESIGN.md rule 3). It
pays chosen bills of one service at one biller from one bank account, either
by *pull* (the switch asks the payer's bank to debit) or *push* (the bank has
debited already and sends its `bank_reference`), or in *cash* at a counter
(channel `counter`: the cash is in the drawer, so like a push it starts
`debited`; its return and reversal hand cash back instead of asking a bank).

    received ──debit accepted──────────────▶ debited ──biller has it──▶ completed
       │  │                                   ▲  │                         │
       │  └─no answer─▶ unknown ─inquiry: debited┘  │                     reversal
       │                  │  │                   biller refuses for good    ▼
       │    inquiry: rejected or never seen       ▼                     reversed
       ├─bank rejects──▶ failed ◀──────────  returning ──bank returned──▶ returned
       │                    ▲                  ▲    └──bank never debited──▶ failed
       │                    └──────────────────┼─────────────
       └─(push: bank_reference)─▶ debited      └── unknown past its deadline

    completed ──reversal──▶ reversing ──bank credited the payer back──▶ reversed

Each arrow is one transaction (a compare-and-set on the state); calls to the
bank and to the biller happen between arrows. Final states: completed,
failed, returned, reversed. `unknown` is a real state that the worker
resolves by status inquiry within `limits.unknown_resolution_s`; past that
the switch returns whatever the bank may have debited.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from fawtara.kernel import limits
from fawtara.kernel.backoff import backoff_s
from fawtara.kernel.errors import InvalidAmount, LimitExceeded, ValidationError


class PaymentState(enum.Enum):
    RECEIVED = "received"
    UNKNOWN = "unknown"
    DEBITED = "debited"
    COMPLETED = "completed"
    FAILED = "failed"
    RETURNING = "returning"
    RETURNED = "returned"
    REVERSING = "reversing"
    REVERSED = "reversed"


FINAL_STATES = frozenset(
    {PaymentState.COMPLETED, PaymentState.FAILED, PaymentState.RETURNED, PaymentState.REVERSED}
)


class PaymentModel(enum.Enum):
    PULL = "pull"
    PUSH = "push"
    CASH = "cash"  # taken at a counter: no bank step, the cash is in the drawer


# The channel of cash counters: its payments are cash, the payer is the counter's
# drawer (payer_bank = the counter code, payer_account = CASH_ACCOUNT).
CASH_CHANNEL = "counter"
CASH_ACCOUNT = "cash"


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What a channel asks for; its hash makes a retry recognisable."""

    payment_id: str
    channel: str
    biller_code: str
    customer_ref: str
    bill_ids: tuple[str, ...]
    amount_minor: int
    currency: str
    payer_bank: str
    payer_account: str
    msisdn: str | None
    bank_reference: str | None

    def __post_init__(self) -> None:
        try:
            parsed = uuid.UUID(self.payment_id)
        except (ValueError, AttributeError, TypeError) as error:
            raise ValidationError(f"payment_id must be a UUID, got {self.payment_id!r}") from error
        if str(parsed) != self.payment_id.lower():
            raise ValidationError("payment_id must be a UUID in its canonical 36-character form")
        if type(self.amount_minor) is not int or self.amount_minor <= 0:
            raise InvalidAmount(
                f"amount_minor must be a positive integer, got {self.amount_minor!r}",
                "المبلغ يجب أن يكون موجباً",
            )
        if self.amount_minor > limits.amount_minor_max:
            raise InvalidAmount(f"amount_minor exceeds {limits.amount_minor_max}")
        if not self.bill_ids:
            raise ValidationError("choose at least one bill", "اختر فاتورة واحدة على الأقل")
        if len(self.bill_ids) > limits.bills_per_payment_max:
            raise LimitExceeded(f"a payment pays at most {limits.bills_per_payment_max} bills")
        if len(set(self.bill_ids)) != len(self.bill_ids):
            raise ValidationError("a bill is chosen twice")

    @property
    def model(self) -> PaymentModel:
        if self.channel == CASH_CHANNEL:
            return PaymentModel.CASH
        return PaymentModel.PULL if self.bank_reference is None else PaymentModel.PUSH

    def request_hash(self) -> str:
        body = {
            "payment_id": self.payment_id.lower(),
            "channel": self.channel,
            "biller": self.biller_code,
            "customer_ref": self.customer_ref,
            "bill_ids": list(self.bill_ids),
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "payer": [self.payer_bank, self.payer_account],
            "msisdn": self.msisdn,
            "bank_reference": self.bank_reference,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# States a worker drives when they are due: each waits on a bank or a biller.
DRIVEN_STATES = frozenset(
    {
        PaymentState.RECEIVED,
        PaymentState.UNKNOWN,
        PaymentState.DEBITED,
        PaymentState.RETURNING,
        PaymentState.REVERSING,
    }
)


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as stored: the request, where it stands, and its timestamps."""

    payment_id: str
    request_hash: str
    initiator: str
    channel: str
    model: PaymentModel
    biller_code: str
    customer_ref: str
    bill_ids: tuple[str, ...]
    amount_minor: int
    currency: str
    payer_bank: str
    payer_account: str
    msisdn: str | None
    bank_reference: str | None
    state: PaymentState
    reason_code: str | None
    receipt_no: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime
    unknown_since: datetime | None
    completed_at: datetime | None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


def retry_delay_s(attempts: int) -> int:
    """Backoff before the next try of a step: 1, 2, 4 … capped. `attempts` counts the
    tries made before this failure (0 for the first), so the first retry waits `first`."""
    return int(backoff_s(attempts + 1, limits.retry_backoff_s_first, limits.retry_backoff_s_max))


def return_id_of(payment_id: str) -> str:
    """The id of the return of a payment's money: one per payment (the bank books it once),
    and short enough to travel as an ISO 20022 id (Max35Text): `RT` and 32 hex digits."""
    try:
        return f"RT{uuid.UUID(payment_id).hex}"
    except ValueError:
        return f"RT{hashlib.sha256(payment_id.encode()).hexdigest()[:32]}"


def receipt_number(payment_id: str, completed_at: datetime) -> str:
    """Human-readable and unique: the UTC date and 50 bits of the id's hash."""
    digest = hashlib.sha256(payment_id.encode()).digest()
    tail = base64.b32encode(digest).decode()[:10]
    return f"{completed_at:%y%m%d}-{tail}"


def transfer_ids(payment_id: str) -> dict[str, str]:
    """The ledger transfer ids of a payment: deterministic, so retries are idempotent."""
    return {
        "reserve": f"{payment_id}:reserve",
        "post": f"{payment_id}:post",
        "void": f"{payment_id}:void",
        "reversal": f"{payment_id}:reversal",
        # cash payments only (counters/use_cases/cash_books.py)
        "rounding": f"{payment_id}:rounding",
        "rounding_reversal": f"{payment_id}:rounding_reversal",
        "refund": f"{payment_id}:refund",
        "refund_reversal": f"{payment_id}:refund_reversal",
        "refund_paid": f"{payment_id}:refund_paid",  # the refund handed over at a counter
    }
