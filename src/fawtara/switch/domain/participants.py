"""Participants of the network: banks, billers, channels and operators.

Each authenticates on every call with an API key `CODE.SECRET`. Only the
SHA-256 of the secret is stored: the secret is 256 random bits, so a fast
hash is as safe as a slow one here and keeps authentication cheap on every
payment. A participant sees only the payments it initiated; an operator sees
all of them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from dataclasses import dataclass

from fawtara.kernel.errors import NotAllowed, Unauthenticated, ValidationError


class ParticipantKind(enum.Enum):
    BANK = "bank"
    BILLER = "biller"
    CHANNEL = "channel"  # the portal, a counter network
    OPERATOR = "operator"  # the switch's own operations team


@dataclass(frozen=True, slots=True)
class Participant:
    code: str
    kind: ParticipantKind
    name_ar: str
    name_en: str
    channels: tuple[str, ...]
    can_reverse: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9]{1,15}", self.code, re.ASCII):
            raise ValidationError(f"participant code must be 2..16 of A-Z, 0-9: {self.code!r}")

    def may_see(self, initiator: str) -> bool:
        return self.kind is ParticipantKind.OPERATOR or self.code == initiator

    def check_channel(self, channel: str) -> None:
        if channel not in self.channels:
            raise NotAllowed(f"{self.code} may use the channels {', '.join(self.channels)}")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(api_key: str | None) -> tuple[str, str]:
    """(participant code, secret) of a well-formed key, or Unauthenticated."""
    if not api_key or len(api_key) > 200 or "." not in api_key:
        raise Unauthenticated("send the participant's API key in the X-Api-Key header")
    code, secret = api_key.split(".", 1)
    return code, secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
