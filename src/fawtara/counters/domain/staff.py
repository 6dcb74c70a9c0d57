"""The people who work the counters and the switch, and what each may do.

Roles:

- cashier: takes cash at one counter, opens and closes their own shifts, pays
  out the refunds owed to subscribers (whichever counter took the cash);
- supervisor: a cashier's rights at their counter, plus voids and the approval
  of a shift closed with a variance (never their own);
- administrator: manages counters and staff, unlocks accounts, reads the audit;
- operator: the switch's operations team (the operations console, issue 7).

`PERMISSIONS` is the whole table: for each action, the roles that may do it
and where (at their own counter only, or anywhere). Everything a counter does
is checked against it on the switch, whatever the station already checked.

Passwords are hashed by an adapter (argon2); this module holds the rules
around them: lockout after `limits.sign_in_failures_max` failures in a row,
for `limits.sign_in_lock_minutes`, and sessions that end after
`limits.staff_session_hours`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fawtara.kernel import limits
from fawtara.kernel.errors import (
    AccountLocked,
    NotYourCounter,
    RoleNotAllowed,
    SessionExpired,
    ValidationError,
)

USERNAME = re.compile(r"[a-z][a-z0-9._-]+", re.ASCII)
# Where a sign-in happens when it is not at a counter.
CONSOLE = "console"


class Role(enum.Enum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    OPERATOR = "operator"

    @property
    def works_at_a_counter(self) -> bool:
        return self in (Role.CASHIER, Role.SUPERVISOR)


class Action(enum.Enum):
    SIGN_IN = "sign_in"  # at a counter station
    OPEN_SHIFT = "open_shift"
    TAKE_PAYMENT = "take_payment"
    CLOSE_SHIFT = "close_shift"
    VOID_PAYMENT = "void_payment"
    PAY_REFUND = "pay_refund"  # hand a subscriber the refund owed to them (any counter's)
    APPROVE_CLOSE = "approve_close"
    VIEW_SHIFT = "view_shift"
    UNLOCK_STAFF = "unlock_staff"
    MANAGE_STAFF = "manage_staff"
    MANAGE_COUNTERS = "manage_counters"
    VIEW_AUDIT = "view_audit"
    VIEW_CONSOLE = "view_console"  # the operations console


class Reach(enum.Enum):
    OWN_COUNTER = "own counter"
    ANYWHERE = "anywhere"


_OWN, _ANY = Reach.OWN_COUNTER, Reach.ANYWHERE
_CASH_DESK = {Role.CASHIER: _OWN, Role.SUPERVISOR: _OWN}

PERMISSIONS: dict[Action, dict[Role, Reach]] = {
    Action.SIGN_IN: _CASH_DESK,
    Action.OPEN_SHIFT: _CASH_DESK,
    Action.TAKE_PAYMENT: _CASH_DESK,
    Action.CLOSE_SHIFT: _CASH_DESK,
    Action.VOID_PAYMENT: {Role.SUPERVISOR: _OWN},
    Action.PAY_REFUND: _CASH_DESK,
    Action.APPROVE_CLOSE: {Role.SUPERVISOR: _OWN},
    Action.VIEW_SHIFT: {**_CASH_DESK, Role.ADMINISTRATOR: _ANY, Role.OPERATOR: _ANY},
    Action.UNLOCK_STAFF: {Role.SUPERVISOR: _OWN, Role.ADMINISTRATOR: _ANY},
    Action.MANAGE_STAFF: {Role.ADMINISTRATOR: _ANY},
    Action.MANAGE_COUNTERS: {Role.ADMINISTRATOR: _ANY},
    Action.VIEW_AUDIT: {Role.SUPERVISOR: _OWN, Role.ADMINISTRATOR: _ANY, Role.OPERATOR: _ANY},
    Action.VIEW_CONSOLE: {Role.ADMINISTRATOR: _ANY, Role.OPERATOR: _ANY},
}
assert set(PERMISSIONS) == set(Action), "every action has its row in the table"


def allowed(role: Role, action: Action, own_counter: bool) -> bool:
    """May `role` do `action` at a counter that is (or is not) their own?"""
    reach = PERMISSIONS[action].get(role)
    return reach is Reach.ANYWHERE or (reach is Reach.OWN_COUNTER and own_counter)


def check(role: Role, action: Action, own_counter: bool) -> None:
    """Raise RoleNotAllowed or NotYourCounter unless `allowed`."""
    reach = PERMISSIONS[action].get(role)
    if reach is None:
        raise RoleNotAllowed(
            f"a {role.value} may not {action.value.replace('_', ' ')}",
            f"الدور ({role.value}) لا يسمح بهذا الإجراء ({action.value})",
        )
    if reach is Reach.OWN_COUNTER and not own_counter:
        raise NotYourCounter(
            f"a {role.value} may {action.value.replace('_', ' ')} only at their own counter"
        )


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person who signs in; cashiers and supervisors belong to one counter."""

    username: str
    name_ar: str
    role: Role
    counter_code: str | None
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None

    def __post_init__(self) -> None:
        if not (
            USERNAME.fullmatch(self.username) and len(self.username) <= limits.username_length_max
        ):
            raise ValidationError(
                f"a username is 2..{limits.username_length_max} of a-z, 0-9, '.', '_', '-', "
                f"starting with a letter: {self.username!r}",
                "اسم المستخدم يتكون من أحرف لاتينية صغيرة وأرقام ويبدأ بحرف",
            )
        if not 0 < len(self.name_ar.strip()) <= limits.name_length_max:
            raise ValidationError(f"the Arabic name is 1..{limits.name_length_max} characters")
        if self.role.works_at_a_counter != (self.counter_code is not None):
            raise ValidationError(
                "cashiers and supervisors belong to one counter (--counter); "
                "administrators and operators to none",
                "الصراف والمشرف يتبعان صندوقاً واحداً؛ المدير والمشغّل لا يتبعان أي صندوق",
            )

    def works_at(self, counter_code: str) -> bool:
        return self.counter_code == counter_code

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def check_not_locked(self, now: datetime) -> None:
        if self.locked_at(now):
            assert self.locked_until is not None
            raise AccountLocked(
                f"{self.username} is locked after {limits.sign_in_failures_max} wrong passwords "
                f"until {self.locked_until:%H:%M} UTC; a supervisor or administrator may unlock"
            )

    def after_failure(self, now: datetime) -> StaffMember:
        """One more wrong password; the last one allowed locks the account (count restarts)."""
        failures = self.failed_attempts + 1
        if failures < limits.sign_in_failures_max:
            return replace(self, failed_attempts=failures)
        lock = timedelta(minutes=limits.sign_in_lock_minutes)
        return replace(self, failed_attempts=0, locked_until=now + lock)

    def after_success(self) -> StaffMember:
        return replace(self, failed_attempts=0, locked_until=None)

    def unlocked(self) -> StaffMember:
        return replace(self, failed_attempts=0, locked_until=None)


def check_password_shape(password: str) -> None:
    if not limits.password_length_min <= len(password) <= limits.password_length_max:
        raise ValidationError(
            f"a password is {limits.password_length_min}..{limits.password_length_max} characters",
            f"كلمة المرور من {limits.password_length_min} محارف على الأقل",
        )


def session_expires_at(signed_in_at: datetime) -> datetime:
    return signed_in_at + timedelta(hours=limits.staff_session_hours)


def check_session_live(expires_at: datetime, now: datetime) -> None:
    if now >= expires_at:
        raise SessionExpired(f"the sign-in ended at {expires_at:%Y-%m-%d %H:%M} UTC; sign in again")
