"""Registering participants and authenticating them on every call."""

from __future__ import annotations

import secrets

from fawtara.kernel.errors import Unauthenticated
from fawtara.kernel.ports import Clock
from fawtara.switch.domain import accounts
from fawtara.switch.domain.ledger import AccountType
from fawtara.switch.domain.participants import (
    Participant,
    ParticipantKind,
    hash_secret,
    secret_matches,
    split_api_key,
)
from fawtara.switch.use_cases.ports import UnitOfWork


def register_participant(
    uow: UnitOfWork, participant: Participant, clock: Clock, secret: str | None = None
) -> str | None:
    """Add a participant and its ledger account; returns its API key, shown once.

    None when the code exists already (nothing changes). `secret` is for demo
    data only; otherwise 256 random bits are drawn.
    """
    secret = secret or secrets.token_urlsafe(32)
    with uow:
        if not uow.participants.add(participant, hash_secret(secret), clock.now()):
            return None
        spec = None
        if participant.kind is ParticipantKind.BANK:
            spec = accounts.bank_settlement(participant.code, participant.name_ar)
        elif participant.kind is ParticipantKind.BILLER:
            spec = accounts.biller_payable(participant.code, participant.name_ar)
        if spec is not None and uow.ledger.account_by_code(spec.code) is None:
            uow.ledger.add_account(
                spec.code, spec.name_en, spec.name_ar, spec.type.value, spec.currency, clock.now()
            )
        uow.commit()
    return f"{participant.code}.{secret}"


def authenticate(uow: UnitOfWork, api_key: str | None) -> Participant:
    """The participant holding `api_key`, or Unauthenticated (never says which part failed)."""
    code, secret = split_api_key(api_key)
    with uow:
        found = uow.participants.get(code)
    if found is None or not secret_matches(secret, found[1]):
        raise Unauthenticated("unknown participant or wrong API key")
    return found[0]


__all__ = ["AccountType", "authenticate", "register_participant"]
