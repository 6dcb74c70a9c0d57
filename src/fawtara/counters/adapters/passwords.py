"""Password hashing with argon2id (argon2-cffi), behind the PasswordHasher port.

Production uses argon2-cffi's defaults (RFC 9106 "low memory" profile: 64 MiB,
3 passes). Tests and the demo seed may ask for `cheap()`, which keeps the
format and the checks but costs well under a millisecond.
"""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._hasher = hasher or argon2.PasswordHasher()

    @classmethod
    def cheap(cls) -> Argon2PasswordHasher:
        """The smallest parameters argon2 allows: for tests only, never for real accounts."""
        return cls(argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

    def _parameters(self) -> tuple[int, ...]:
        h = self._hasher
        return (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len)

    def __eq__(self, other: object) -> bool:
        """Hashers with the same parameters are equal (counters/use_cases/staff.py caches a
        hash per hasher, for the sign-in of unknown usernames)."""
        return isinstance(other, Argon2PasswordHasher) and self._parameters() == other._parameters()

    def __hash__(self) -> int:
        return hash(self._parameters())

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True when `password` matches; a malformed stored hash never matches."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
