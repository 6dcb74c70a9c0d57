"""A bank that lives in the switch's process: real accounts and balances, no wire.

For the core-path benchmark ("bank and biller in process") and for tests of
the payment flow that need a bank with state but not HTTP. It keeps the same
promises as the bank simulator: a payment id is debited at most once, a
status inquiry tells the truth, a return credits back at most once; faults
(no answer before or after applying) can be switched on.
"""

from __future__ import annotations

import enum
import itertools
import threading
from dataclasses import dataclass

from fawtara.banks.domain.banking import (
    BankAnswer,
    BankStatus,
    DebitInstruction,
    ReturnInstruction,
    StatusRequest,
)
from fawtara.switch.use_cases.ports import BankUnreachable


class Fault(enum.Enum):
    NONE = "none"
    DOWN = "down"  # no answer, nothing applied
    DROP_REPLY = "drop_reply"  # applied, then no answer


@dataclass
class Account:
    balance_minor: int
    state: str = "active"  # active | blocked | closed


class InMemoryBank:
    def __init__(self, accounts: dict[tuple[str, str], int] | None = None) -> None:
        self._lock = threading.Lock()
        self.accounts = {key: Account(balance) for key, balance in (accounts or {}).items()}
        self.debits: dict[str, tuple[BankAnswer, int, tuple[str, str]]] = {}
        self.returns: dict[str, BankAnswer] = {}
        self.fault = Fault.NONE
        self.fault_count: int | None = None  # None: until reset
        self._references = itertools.count(1)

    def set_fault(self, fault: Fault, count: int | None = None) -> None:
        with self._lock:
            self.fault, self.fault_count = fault, count

    def _take_fault(self) -> Fault:
        fault = self.fault
        if fault is not Fault.NONE and self.fault_count is not None:
            self.fault_count -= 1
            if self.fault_count <= 0:
                self.fault, self.fault_count = Fault.NONE, None
        return fault

    def debit(self, instruction: DebitInstruction) -> BankAnswer:
        with self._lock:
            fault = self._take_fault()
            if fault is Fault.DOWN:
                raise BankUnreachable(f"bank {instruction.bank_code} did not answer")
            answer = self._apply_debit(instruction)
            if fault is Fault.DROP_REPLY:
                raise BankUnreachable(f"bank {instruction.bank_code}: reply lost")
            return answer

    def _apply_debit(self, instruction: DebitInstruction) -> BankAnswer:
        known = self.debits.get(instruction.payment_id)
        if known is not None:
            return known[0]
        key = (instruction.bank_code, instruction.account)
        account = self.accounts.get(key)
        if account is None:
            answer = BankAnswer(BankStatus.REJECTED, reason_code="AC01")
        elif account.state == "blocked":
            answer = BankAnswer(BankStatus.REJECTED, reason_code="AC06")
        elif account.state == "closed":
            answer = BankAnswer(BankStatus.REJECTED, reason_code="AC04")
        elif account.balance_minor < instruction.amount_minor:
            answer = BankAnswer(BankStatus.REJECTED, reason_code="AM04")
        else:
            account.balance_minor -= instruction.amount_minor
            answer = BankAnswer(
                BankStatus.ACCEPTED, f"{instruction.bank_code}-{next(self._references)}"
            )
        self.debits[instruction.payment_id] = (answer, instruction.amount_minor, key)
        return answer

    def status(self, request: StatusRequest) -> BankAnswer:
        with self._lock:
            if self._take_fault() is not Fault.NONE:
                raise BankUnreachable(f"bank {request.bank_code} did not answer")
            known = self.debits.get(request.payment_id)
            return known[0] if known is not None else BankAnswer(BankStatus.NOT_FOUND)

    def return_payment(self, instruction: ReturnInstruction) -> BankAnswer:
        with self._lock:
            fault = self._take_fault()
            if fault is Fault.DOWN:
                raise BankUnreachable(f"bank {instruction.bank_code} did not answer")
            if instruction.return_id not in self.returns:
                self.returns[instruction.return_id] = self._apply_return(instruction)
            if fault is Fault.DROP_REPLY:
                raise BankUnreachable(f"bank {instruction.bank_code}: reply lost")
            return self.returns[instruction.return_id]

    def _apply_return(self, instruction: ReturnInstruction) -> BankAnswer:
        known = self.debits.get(instruction.payment_id)
        if known is None or known[0].status is not BankStatus.ACCEPTED:
            return BankAnswer(BankStatus.NOT_FOUND, detail="no debit to return")
        _answer, amount, key = known
        if instruction.amount_minor > amount:
            return BankAnswer(BankStatus.REJECTED, reason_code="AM09", detail="more than debited")
        self.accounts[key].balance_minor += instruction.amount_minor
        return BankAnswer(BankStatus.ACCEPTED, f"RET-{next(self._references)}")

    def balance(self, bank_code: str, account: str) -> int:
        with self._lock:
            return self.accounts[(bank_code, account)].balance_minor
