"""The demo's participants and their well-known keys.

These keys are for the demo database only (they are printed in the README);
a real participant gets a random key from `fawtara participants add`.
"""

from __future__ import annotations

from fawtara.demo import data
from fawtara.switch.domain.participants import Participant, ParticipantKind
from fawtara.switch.use_cases.participants import register_participant
from fawtara.wiring import Platform

DEMO_SECRETS = {
    "PORTAL": "demo-portal-key",
    "OPS": "demo-ops-key",
    **{bank.code: f"demo-{bank.code.lower()}-key" for bank in data.DEMO_BANKS},
    # The billers sign in at the switch for the Biller API's switch side.
    **{biller.code: f"demo-{biller.code.lower()}-key" for biller in data.DEMO_BILLERS},
}


def demo_participants() -> list[Participant]:
    banks = [
        Participant(bank.code, ParticipantKind.BANK, bank.name_ar, bank.name_en, ("bank",))
        for bank in data.DEMO_BANKS
    ]
    billers = [
        Participant(biller.code, ParticipantKind.BILLER, biller.name_ar, biller.name_en, ())
        for biller in data.DEMO_BILLERS
    ]
    return [
        *banks,
        *billers,
        Participant(
            "PORTAL", ParticipantKind.CHANNEL, "بوابة فوترة", "Fawtara portal", ("portal",)
        ),
        Participant(
            "OPS",
            ParticipantKind.OPERATOR,
            "فريق العمليات",
            "Operations team",
            ("portal",),
            can_reverse=True,
        ),
    ]


def register_demo_participants(platform: Platform) -> int:
    """Register the demo participants that are missing; returns how many were added."""
    added = 0
    for participant in demo_participants():
        key = register_participant(
            platform.uow(), participant, platform.clock, secret=DEMO_SECRETS[participant.code]
        )
        added += key is not None
    return added


def demo_key(code: str) -> str:
    return f"{code}.{DEMO_SECRETS[code]}"
