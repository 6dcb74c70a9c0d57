"""The ways the simulated biller can be wrong, one at a time.

none                      a correct biller: passes every conformance case
duplicate-not-idempotent  a second identical notice answers a new receipt id
accepts-conflict          the same payment id with another body answers 200
slow                      every payment notice answers after `slow_s`
no-auth                   any X-Api-Key, or none, is let in
"""

from __future__ import annotations

import enum

# Slower than the kit's default bound of 2 s, so `slow` fails it out of the box.
SLOW_S_DEFAULT = 3.0
SLOW_S_MAX = 60.0


class Fault(enum.Enum):
    NONE = "none"
    DUPLICATE_NOT_IDEMPOTENT = "duplicate-not-idempotent"
    ACCEPTS_CONFLICT = "accepts-conflict"
    SLOW = "slow"
    NO_AUTH = "no-auth"


FAULT_NAMES = tuple(fault.value for fault in Fault)
