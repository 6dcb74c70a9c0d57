"""The station's own hexagon: its rules are pure, and only its web and wiring know the rest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.test_architecture import SOURCE, imports_of

STATION = SOURCE / "station"
PURE = ("model.py", "rules.py", "receipt_data.py")


@pytest.mark.parametrize("name", PURE)
def test_the_station_rules_import_only_the_standard_library_and_the_domain(name: str) -> None:
    for module in imports_of(STATION / name):
        top = module.split(".")[0]
        inward = module.startswith(
            (
                "fawtara.kernel",
                "fawtara.counters.domain",
                "fawtara.receipts.domain",
                "fawtara.sms.domain",
                "fawtara.station.model",
                "fawtara.station.rules",
            )
        )
        assert inward or top in sys.stdlib_module_names, f"{name} imports {module}"


@pytest.mark.parametrize("path", sorted(STATION.glob("*.py")), ids=lambda p: p.name)
def test_the_station_never_imports_entrypoints_or_the_switch_wiring(path: Path) -> None:
    for module in imports_of(path):
        assert ".entrypoints" not in module and not module.endswith(".bootstrap"), module
