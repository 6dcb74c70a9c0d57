"""What the switch asks of a bank and what a bank answers, free of any wire format.

The bank connector (banks/adapters/) turns these into ISO 20022 messages:
a `DebitInstruction` is a pain.001, a `StatusRequest` a pacs.028, a
`ReturnInstruction` a pacs.004; every answer is read back into a
`BankAnswer` (from pain.002 / pacs.002).

    BankStatus      meaning                                        ISO status
    ACCEPTED        the account was debited (or the return made)   ACSC / ACCP
    REJECTED        nothing was debited; `reason_code` says why    RJCT
    PENDING         received, not yet decided                      PDNG / ACTC
    NOT_FOUND       (status inquiry) the bank never saw the id     RJCT + NOTFOUND

A timeout or a lost reply is *not* an answer: the gateway raises
`BankUnreachable`, and the payment becomes `unknown` until a status inquiry
settles it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

# Reason codes a bank may give for a rejection (ISO 20022 external codes),
# and the switch's stable API code for each.
BANK_REASON_TO_ERROR = {
    "AM04": "INSUFFICIENT_FUNDS",  # insufficient funds
    "AC06": "ACCOUNT_BLOCKED",  # blocked account
    "AC04": "ACCOUNT_CLOSED",  # closed account
    "AC01": "ACCOUNT_UNKNOWN",  # incorrect account number
    "AM02": "AMOUNT_LIMIT_EXCEEDED",  # not allowed amount (daily limit)
    "AM05": "DUPLICATE_PAYMENT",  # duplication
    "MD01": "CONSENT_MISSING",  # no mandate: the holder did not confirm this debit
    "NARR": "BANK_REJECTED",  # narrative: see the message
}


class BankStatus(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PENDING = "pending"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class DebitInstruction:
    """Debit the subscriber's account in favour of a biller (pain.001)."""

    payment_id: str  # the channel's UUID; the end-to-end id on the wire
    bank_code: str
    account: str
    amount_minor: int
    currency: str
    biller_code: str
    remittance: str  # what the subscriber sees on the statement, ≤ 140 chars
    created_at: datetime
    # The participant that asked the switch for this debit (the payment's initiator):
    # the payer's bank itself (its own app) or a third party (the portal) whose debit
    # the bank may want the holder's consent for. None: not said.
    initiator: str | None = None

    @property
    def initiated_by_the_bank(self) -> bool:
        """The debit comes from the payer's bank's own channel, which authenticated the holder."""
        return self.initiator == self.bank_code


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """Ask the bank what became of a payment (pacs.028)."""

    payment_id: str
    bank_code: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnInstruction:
    """Give the money of a payment back to the subscriber's account (pacs.004)."""

    payment_id: str  # the original payment
    return_id: str  # idempotency key of the return itself
    bank_code: str
    account: str
    amount_minor: int
    currency: str
    reason: str  # ISO return reason code, e.g. "AC04", "NARR"
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BankAnswer:
    status: BankStatus
    bank_reference: str | None = None
    reason_code: str | None = None  # ISO code when REJECTED
    detail: str = ""

    @property
    def error_code(self) -> str | None:
        if self.status is not BankStatus.REJECTED:
            return None
        return BANK_REASON_TO_ERROR.get(self.reason_code or "", "BANK_REJECTED")
