"""Staff accounts, sign-in and sessions, for counter stations and the operations console.

The API, for any entry point that signs people in (the operations console
signs in operators and administrators with place="console"):

    session = sign_in(uow_factory, hasher, clock, username, password, place)
        # -> Session(token, username, name_ar, role, counter_code, place, expires_at)
        # raises SignInFailed (wrong username or password: never says which),
        # AccountLocked, RoleNotAllowed / NotYourCounter (not allowed at that place)
    session = session_for(uow_factory, clock, token)   # on every later request
        # raises Unauthenticated (unknown token) or SessionExpired
    sign_out(uow_factory, clock, token)
    add_staff(uow_factory, hasher, clock, member, password, by)     # by: an Actor
    unlock(uow_factory, clock, username, by)

`place` is a counter code (cashiers and supervisors, at their own counter) or
`CONSOLE`. The token is 256 random bits, handed out once; only its SHA-256 is
stored. Every sign-in, failure, lockout, sign-out, unlock and new account is
written to the audit log.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn, cast

from fawtara.counters.domain.staff import (
    CONSOLE,
    Action,
    Role,
    StaffMember,
    check,
    check_password_shape,
    check_session_live,
    session_expires_at,
)
from fawtara.counters.use_cases.counter_ports import AuditRecord
from fawtara.kernel import limits
from fawtara.kernel.errors import (
    LimitExceeded,
    SignInFailed,
    Unauthenticated,
    UnknownCounter,
    UnknownStaff,
    UsernameTaken,
)
from fawtara.kernel.ports import Clock
from fawtara.switch.use_cases.ports import PasswordHasher, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something: a signed-in person, or the shell (`SHELL`)."""

    username: str
    role: Role
    counter_code: str | None


# `fawtara` commands run with the rights of whoever holds the database: an administrator.
SHELL = Actor("shell", Role.ADMINISTRATOR, None)


@dataclass(frozen=True, slots=True)
class Session:
    token: str  # shown once to the client; only its hash is stored
    username: str
    name_ar: str
    role: Role
    counter_code: str | None
    place: str
    expires_at: datetime

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.counter_code)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit(
    uow: UnitOfWork,
    at: datetime,
    actor: str,
    role: Role | None,
    action: str,
    counter_code: str | None,
    target: str | None = None,
    detail: str = "",
) -> None:
    """Add an audit row; the governorate is the counter's."""
    counter = None if counter_code is None else uow.counters.get(counter_code)
    governorate = None if counter is None else counter.governorate
    uow.audit.add(AuditRecord(at, actor, role, action, counter_code, governorate, target, detail))


def add_staff(
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    member: StaffMember,
    password: str,
    by: Actor,
) -> None:
    check(by.role, Action.MANAGE_STAFF, own_counter=False)
    check_password_shape(password)
    password_hash = hasher.hash(password)
    with uow_factory() as uow:
        if member.counter_code is not None and uow.counters.get(member.counter_code) is None:
            raise UnknownCounter(f"no counter {member.counter_code}; add it first")
        if not uow.staff.add(member, password_hash, clock.now()):
            raise UsernameTaken(f"the username {member.username} is taken")
        audit(
            uow,
            clock.now(),
            by.username,
            by.role,
            "staff_added",
            member.counter_code,
            member.username,
            f"role {member.role.value}",
        )
        uow.commit()


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of no one's password, made by `hasher` (so as slow to check as a real one)."""
    return _dummy_hash_cached(cast(Hashable, hasher))


@functools.lru_cache(maxsize=8)  # one per hasher's parameters (equal hashers share it)
def _dummy_hash_cached(hasher: Hashable) -> str:
    return cast(PasswordHasher, hasher).hash(secrets.token_urlsafe(24))


def sign_in(
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    username: str,
    password: str,
    place: str,
) -> Session:
    """A new session, or the reason there is none (see the module docstring)."""
    now = clock.now()
    if not 0 < len(username) <= limits.username_length_max:
        raise SignInFailed("wrong username or password")
    with uow_factory() as uow:
        found = uow.staff.get(username)
        counter_code = None if place == CONSOLE else place
        if found is None or not found[0].active:
            _refuse_unknown_username(uow, hasher, now, username, password, counter_code)
        member, password_hash = found
        if member.locked_at(now):
            _refuse_locked(uow, now, member, counter_code)
        if not hasher.verify(password_hash, password):
            _refuse_wrong_password(uow, now, member, counter_code)
        _check_allowed_at(uow, member, counter_code)
        token = secrets.token_urlsafe(32)
        expires_at = session_expires_at(now)
        uow.staff.save_attempts(member.after_success())
        uow.staff.add_session(token_hash(token), username, place, now, expires_at)
        audit(uow, now, username, member.role, "sign_in", counter_code, detail=f"at {place}")
        uow.commit()
    return Session(
        token, username, member.name_ar, member.role, member.counter_code, place, expires_at
    )


def _refuse_unknown_username(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    now: datetime,
    username: str,
    password: str,
    counter_code: str | None,
) -> NoReturn:
    # The same slow hash check as a real account, so the time taken does not
    # tell which usernames exist.
    hasher.verify(_dummy_hash(hasher), password)
    audit(
        uow,
        now,
        username,
        None,
        "sign_in_failed",
        counter_code,
        detail="unknown or inactive username",
    )
    uow.commit()
    raise SignInFailed("wrong username or password")


def _refuse_locked(
    uow: UnitOfWork, now: datetime, member: StaffMember, counter_code: str | None
) -> None:
    """Audit the refusal and raise AccountLocked (by `check_not_locked`)."""
    audit(
        uow,
        now,
        member.username,
        member.role,
        "sign_in_refused",
        counter_code,
        detail="account locked",
    )
    uow.commit()
    member.check_not_locked(now)


def _refuse_wrong_password(
    uow: UnitOfWork, now: datetime, member: StaffMember, counter_code: str | None
) -> NoReturn:
    """Count the failure (locking the account at the limit), audit it, raise."""
    failed = member.after_failure(now)
    uow.staff.save_attempts(failed)
    locked = failed.locked_at(now)
    audit(
        uow,
        now,
        member.username,
        member.role,
        "locked" if locked else "sign_in_failed",
        counter_code,
        detail=f"wrong password ({member.failed_attempts + 1} in a row)",
    )
    uow.commit()
    failed.check_not_locked(now)
    raise SignInFailed("wrong username or password")


def _check_allowed_at(uow: UnitOfWork, member: StaffMember, counter_code: str | None) -> None:
    """The console for operators and administrators; a counter for its own staff."""
    if counter_code is None:
        check(member.role, Action.VIEW_CONSOLE, own_counter=False)
    else:
        if uow.counters.get(counter_code) is None:
            raise UnknownCounter(f"no counter {counter_code}")
        check(member.role, Action.SIGN_IN, own_counter=member.works_at(counter_code))


def session_for(uow_factory: UnitOfWorkFactory, clock: Clock, token: str | None) -> Session:
    """The live session of `token`; Unauthenticated or SessionExpired otherwise."""
    if not token:
        raise Unauthenticated("sign in first")
    with uow_factory() as uow:
        stored = uow.staff.session(token_hash(token))
        found = None if stored is None else uow.staff.get(stored.username)
    if stored is None or found is None or not found[0].active:
        raise Unauthenticated("unknown or ended sign-in; sign in again")
    check_session_live(stored.expires_at, clock.now())
    member = found[0]
    return Session(
        token,
        member.username,
        member.name_ar,
        member.role,
        member.counter_code,
        stored.place,
        stored.expires_at,
    )


def sign_out(uow_factory: UnitOfWorkFactory, clock: Clock, token: str) -> None:
    """End a session; signing out twice is harmless."""
    with uow_factory() as uow:
        stored = uow.staff.session(token_hash(token))
        if stored is None or not uow.staff.end_session(token_hash(token)):
            return
        found = uow.staff.get(stored.username)
        role = None if found is None else found[0].role
        counter_code = None if stored.place == CONSOLE else stored.place
        audit(uow, clock.now(), stored.username, role, "sign_out", counter_code)
        uow.commit()


def unlock(uow_factory: UnitOfWorkFactory, clock: Clock, username: str, by: Actor) -> None:
    """Clear a lockout (and the count of failures) before it ends by itself."""
    with uow_factory() as uow:
        found = uow.staff.get(username)
        if found is None:
            raise UnknownStaff(f"no staff member {username}")
        member = found[0]
        own = member.counter_code is not None and member.counter_code == by.counter_code
        check(by.role, Action.UNLOCK_STAFF, own_counter=own)
        uow.staff.save_attempts(member.unlocked())
        audit(uow, clock.now(), by.username, by.role, "unlocked", member.counter_code, username)
        uow.commit()


def audit_trail(
    uow: UnitOfWork, by: Actor, counter_code: str | None, limit: int
) -> list[AuditRecord]:
    """The newest audit rows, of one counter or all; supervisors see their counter only."""
    if not 0 < limit <= limits.audit_rows_listed_max:
        raise LimitExceeded(f"the audit lists 1..{limits.audit_rows_listed_max} rows")
    own = counter_code is not None and counter_code == by.counter_code
    check(by.role, Action.VIEW_AUDIT, own_counter=own)
    with uow:
        return uow.audit.recent(counter_code, limit)
