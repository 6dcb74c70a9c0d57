"""The cashier's use cases at the station: each writes its journal entry and effect at once.

Decisions come from the domain (`staff` for who may do what and lockout,
`shifts` for the close, `cash` for rounding); the switch checks every entry
again when it arrives. A use case never waits on the link for longer than
`limits.station_push_wait_s`: past that the work stands locally, pending sync.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fawtara.domain.cash import round_cash
from fawtara.domain.counters import UnpaidBill
from fawtara.domain.errors import (
    BillAlreadyPaid,
    PaymentNotReversible,
    RefundAlreadyPaid,
    RefundNotOwed,
    RoleNotAllowed,
    SessionExpired,
    ShiftAlreadyOpen,
    ShiftNotOpen,
    SignInFailed,
    Unavailable,
    UnknownPayment,
)
from fawtara.domain.receipts import ReceiptBill
from fawtara.domain.shifts import Shift, ShiftState, check_cash_amount
from fawtara.domain.staff import (
    Action,
    Role,
    StaffMember,
    allowed,
    check,
    session_expires_at,
)
from fawtara.service_layer.ports import Clock
from fawtara.station.model import (
    EntryState,
    JournalEntry,
    Kind,
    LocalPayment,
    LocalVoid,
    RefundPayout,
)
from fawtara.station.rules import change_due, void_reason, with_local_failures
from fawtara.station.store import LocalStore
from fawtara.station.store_writer import Writer
from fawtara.station.sync import Syncer

PasswordCheck = Callable[[str, str], bool]  # (stored hash, typed password) -> matches


@dataclass(frozen=True)
class Quote:
    biller: str
    customer_ref: str
    bills: tuple[UnpaidBill, ...]
    amount_due_minor: int
    cash_to_take_minor: int

    @property
    def rounding_minor(self) -> int:
        return self.cash_to_take_minor - self.amount_due_minor


class CounterDesk:
    def __init__(
        self, store: LocalStore, syncer: Syncer, clock: Clock, password_matches: PasswordCheck
    ) -> None:
        self.store, self.syncer, self.clock = store, syncer, clock
        self.password_matches = password_matches

    # -- who is at the desk ------------------------------------------------------

    @property
    def counter(self) -> dict[str, Any]:
        counter = self.store.meta("counter")
        if counter is None:
            raise Unavailable(
                "this station has no copy of the switch yet; connect it once to the switch",
                "لا توجد نسخة من بيانات المقسم بعد؛ صِل المحطة بالمقسم مرة واحدة على الأقل",
            )
        return dict(counter)

    def member(self, username: str) -> StaffMember | None:
        cashier = self.store.cashier(username)
        if cashier is None:
            return None
        failures, locked_until = self.store.failures(username)
        member = StaffMember(
            cashier.username,
            cashier.name_ar,
            Role(cashier.role),
            self.counter["code"],
            cashier.active,
            0,
            cashier.locked_until,
        )
        return with_local_failures(member, failures, locked_until)

    def sign_in(self, username: str, password: str) -> str:
        """A session token; SignInFailed or AccountLocked otherwise (checked offline)."""
        now = self.clock.now()
        member = self.member(username.strip().lower())
        if member is None or not member.active:
            raise SignInFailed("wrong username or password")
        member.check_not_locked(now)
        check(member.role, Action.SIGN_IN, own_counter=True)
        cashier = self.store.cashier(member.username)
        assert cashier is not None
        if not self.password_matches(cashier.password_hash, password):
            after = member.after_failure(now)
            entry = self._entry(
                Kind.SIGN_IN_FAILED, member.username, None, {"reason": "wrong password"}
            )
            with self.store.write() as writer:
                writer.append(entry)
                writer.record_failure(member.username, after.failed_attempts, after.locked_until)
            after.check_not_locked(now)
            raise SignInFailed("wrong username or password")
        token = secrets.token_urlsafe(32)
        with self.store.write() as writer:
            writer.append(self._entry(Kind.SIGN_IN, member.username, None, {}))
            writer.clear_failures(member.username)
            writer.forget_sessions_expired(now)
            writer.add_session(token, member.username, session_expires_at(now))
        self.syncer.wake()
        return token

    def signed_in(self, token: str) -> StaffMember:
        """The member behind a session; SessionExpired when it ended or never was."""
        now = self.clock.now()
        username = self.store.session_user(token, now)
        member = None if username is None else self.member(username)
        if member is None or not member.active:
            raise SessionExpired("not signed in, or the sign-in has ended; sign in again")
        return member

    def sign_out(self, token: str, member: StaffMember) -> None:
        with self.store.write() as writer:
            writer.append(self._entry(Kind.SIGN_OUT, member.username, None, {}))
            writer.end_session(token)
        self.syncer.wake()

    # -- shifts ------------------------------------------------------------------

    def open_shift(self, member: StaffMember, opening_float_minor: int) -> Shift:
        check(member.role, Action.OPEN_SHIFT, own_counter=True)
        if self.store.open_shift_of(member.username) is not None:
            raise ShiftAlreadyOpen(f"{member.username} has a shift open already")
        check_cash_amount(opening_float_minor, "opening float")
        shift = Shift(
            str(uuid.uuid4()),
            self.counter["code"],
            member.username,
            self.clock.now(),
            opening_float_minor,
        )
        entry = self._entry(
            Kind.SHIFT_OPEN,
            member.username,
            shift.shift_id,
            {"opening_float_minor": opening_float_minor},
        )
        self._record(entry, lambda writer: writer.open_shift(shift))
        return shift

    def current_shift(self, member: StaffMember) -> Shift | None:
        return self.store.open_shift_of(member.username)

    def close_shift(self, member: StaffMember, counted_minor: int) -> Shift:
        check(member.role, Action.CLOSE_SHIFT, own_counter=True)
        shift = self._open_shift(member)
        closed = shift.close(counted_minor, self.store.shift_cash(shift.shift_id), self.clock.now())
        entry = self._entry(
            Kind.SHIFT_CLOSE,
            member.username,
            shift.shift_id,
            {"counted_minor": counted_minor, "expected_minor": closed.expected_minor},
        )
        self._record(entry, lambda writer: writer.save_shift(closed))
        return closed

    def supervisor_at_desk(self, username: str, password: str, action: Action) -> StaffMember:
        """Someone of this counter types their name and password at the cashier's desk.

        For what only a supervisor may do (domain/staff.py): a cashier's own
        password is refused with the reason, in Arabic.
        """
        name = username.strip().lower()
        approver, stored = self.member(name), self.store.cashier(name)
        if approver is None or stored is None or not approver.active:
            raise SignInFailed("wrong supervisor username or password")
        approver.check_not_locked(self.clock.now())
        if not self.password_matches(stored.password_hash, password):
            raise SignInFailed("wrong supervisor username or password")
        if not allowed(approver.role, action, own_counter=True):
            raise RoleNotAllowed(
                f"a {approver.role.value} may not {action.value.replace('_', ' ')}:"
                " a supervisor of this counter must sign for it",
                f"لا يملك {approver.name_ar} هذه الصلاحية: هذا الإجراء لمشرف الصندوق وحده،"
                " فليُدخل المشرف اسمه وكلمة مروره",
            )
        return approver

    def approve_close(self, shift_id: str, supervisor: str, password: str) -> Shift:
        """A supervisor of this counter, at this desk, approves a close with a variance."""
        approver = self.supervisor_at_desk(supervisor, password, Action.APPROVE_CLOSE)
        shift = self.store.shift(shift_id)
        if shift is None:
            raise ShiftNotOpen(f"no shift {shift_id} at this station")
        approved = shift.approve(approver.username, self.clock.now())
        entry = self._entry(
            Kind.CLOSE_APPROVED, approver.username, shift_id, {"approved_by": approver.username}
        )
        self._record(entry, lambda writer: writer.save_shift(approved))
        return approved

    # -- payments ----------------------------------------------------------------

    def quote(
        self, member: StaffMember, biller: str, customer_ref: str, bill_ids: list[str]
    ) -> Quote:
        check(member.role, Action.TAKE_PAYMENT, own_counter=True)
        unpaid = {bill.bill_id: bill for bill in self.store.unpaid_bills(biller, customer_ref)}
        missing = [bill_id for bill_id in bill_ids if bill_id not in unpaid]
        if missing or not bill_ids:
            raise BillAlreadyPaid(
                f"not among the unpaid bills of {biller} {customer_ref}: {', '.join(missing)}",
                "الفاتورة غير موجودة بين الفواتير غير المسددة للمشترك",
            )
        chosen = tuple(unpaid[bill_id] for bill_id in bill_ids)
        amount = sum(bill.amount_due_minor for bill in chosen)
        denominations = self.store.meta("denominations_minor")
        return Quote(biller, customer_ref, chosen, amount, round_cash(amount, denominations))

    def take_payment(self, member: StaffMember, quote: Quote, cash_received_minor: int) -> str:
        """Journal the payment with the drawer's effect, then push it; returns its payment id."""
        shift = self._open_shift(member)
        change_due(cash_received_minor, quote.cash_to_take_minor)
        payment_id, now = str(uuid.uuid4()), self.clock.now()
        msisdn = next((bill.msisdn for bill in quote.bills if bill.msisdn), None)
        bill_ids = [bill.bill_id for bill in quote.bills]
        lines = tuple(ReceiptBill(b.bill_id, b.period, b.amount_due_minor) for b in quote.bills)
        entry = self._entry(
            Kind.PAYMENT,
            member.username,
            shift.shift_id,
            {
                "payment_id": payment_id,
                "biller": quote.biller,
                "customer_ref": quote.customer_ref,
                "bill_ids": bill_ids,
                "amount_due_minor": quote.amount_due_minor,
                "cash_taken_minor": quote.cash_to_take_minor,
                "msisdn": msisdn,
            },
            now,
        )
        payment = LocalPayment(
            payment_id,
            entry.entry_id,
            shift.shift_id,
            member.username,
            quote.biller,
            quote.customer_ref,
            quote.bills[0].customer_name_ar,
            lines,
            quote.amount_due_minor,
            quote.cash_to_take_minor,
            cash_received_minor,
            msisdn,
            now,
            EntryState.PENDING,
            None,
            None,
        )
        self._record(entry, lambda writer: writer.add_payment(payment))
        return payment_id

    def void_payment(
        self, payment_id: str, supervisor: str, password: str, reason: str
    ) -> LocalPayment:
        """A supervisor, at this desk, gives back a payment of a shift still open.

        The void entry (by the supervisor, in the payment's shift) is journalled
        after the payment's own entry, so the switch gets them in that order.
        """
        approver = self.supervisor_at_desk(supervisor, password, Action.VOID_PAYMENT)
        why = void_reason(reason)
        payment = self.voidable_payment(payment_id)
        entry = self._entry(
            Kind.VOID,
            approver.username,
            payment.shift_id,
            {"payment_id": payment.payment_id, "reason": why},
        )
        void = LocalVoid(
            entry.entry_id,
            payment.payment_id,
            approver.username,
            why,
            entry.at,
            EntryState.PENDING,
            None,
        )
        self._record(entry, lambda writer: writer.add_void(void, payment))
        voided = self.store.payment(payment.payment_id)
        assert voided is not None
        return voided

    def voidable_payment(self, payment_id: str) -> LocalPayment:
        """The payment, if a void may give it back: live, not voided, its shift open."""
        payment = self.store.payment(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id} at this station")
        if payment.void is not None:
            raise PaymentNotReversible(
                f"payment {payment_id} is voided already", "أُلغيت هذه الدفعة من قبل"
            )
        if payment.entry_state is EntryState.REJECTED:
            raise PaymentNotReversible(
                f"the switch refused payment {payment_id}: there is nothing to void",
                "رفض المقسم هذه الدفعة فلا شيء يُلغى",
            )
        shift = self.store.shift(payment.shift_id)
        if shift is None or shift.state is not ShiftState.OPEN:
            raise ShiftNotOpen(
                f"payment {payment_id} belongs to a shift that is closed",
                "لا تُلغى إلا دفعات وردية ما زالت مفتوحة",
            )
        return payment

    # -- refunds owed to subscribers ------------------------------------------------

    def pay_refund(self, member: StaffMember, payment_id: str) -> RefundPayout:
        """Hand the subscriber the refund owed (snapshot), from this shift's drawer.

        The switch decides at sync (service_layer/cash_refunds.py): a refund
        paid meanwhile elsewhere is refused there, and the cashier sees it.
        """
        check(member.role, Action.PAY_REFUND, own_counter=True)
        shift = self._open_shift(member)
        refund = self.store.refund_owed(payment_id)
        if refund is None:
            paid = self.store.refund_payout(payment_id)
            if paid is not None and paid.entry_state is not EntryState.REJECTED:
                raise RefundAlreadyPaid(f"the refund of payment {payment_id} was paid out here")
            raise RefundNotOwed(f"no refund owed for payment {payment_id} in this station's copy")
        entry = self._entry(
            Kind.REFUND_PAID,
            member.username,
            shift.shift_id,
            {"payment_id": refund.payment_id, "amount_minor": refund.amount_minor},
        )
        payout = RefundPayout(
            refund,
            entry.entry_id,
            shift.shift_id,
            member.username,
            entry.at,
            EntryState.PENDING,
            None,
        )
        self._record(entry, lambda writer: writer.add_refund_payout(payout))
        stored = self.store.refund_payout(refund.payment_id)
        assert stored is not None
        return stored

    # -- the journal ---------------------------------------------------------------

    def _open_shift(self, member: StaffMember) -> Shift:
        shift = self.store.open_shift_of(member.username)
        if shift is None or shift.state is not ShiftState.OPEN:
            raise ShiftNotOpen(f"{member.username} has no open shift", "لا توجد وردية مفتوحة")
        return shift

    def _entry(
        self,
        kind: Kind,
        who: str,
        shift_id: str | None,
        data: dict[str, Any],
        at: datetime | None = None,
    ) -> JournalEntry:
        return JournalEntry(str(uuid.uuid4()), kind, at or self.clock.now(), who, shift_id, data)

    def _record(self, entry: JournalEntry, effect: Callable[[Writer], None]) -> None:
        with self.store.write() as writer:
            writer.append(entry)
            effect(writer)
        self.syncer.push_and_wait(entry.entry_id)
