"""The import direction: the core imports nothing of I/O; layers point inward."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "fawtara"

# Pure numbering metadata with no I/O: the one library the domain may use, so
# that phone numbers are validated by libphonenumber and not by hand.
DOMAIN_ALLOWED_THIRD_PARTY = {"phonenumbers"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_in(layer: str) -> list[Path]:
    return sorted((SOURCE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules_in("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    for module in imports_of(path):
        top = module.split(".")[0]
        allowed = (
            top in sys.stdlib_module_names
            or top in DOMAIN_ALLOWED_THIRD_PARTY
            or module.startswith("fawtara.domain")
        )
        assert allowed, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", modules_in("service_layer"), ids=lambda p: p.name)
def test_the_service_layer_imports_no_adapter_and_no_framework(path: Path) -> None:
    for module in imports_of(path):
        top = module.split(".")[0]
        inward = module.startswith(("fawtara.domain", "fawtara.service_layer"))
        assert inward or top in sys.stdlib_module_names, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", modules_in("adapters"), ids=lambda p: p.name)
def test_adapters_never_import_entrypoints_or_bootstrap(path: Path) -> None:
    for module in imports_of(path):
        assert not module.startswith(("fawtara.entrypoints", "fawtara.bootstrap")), module


@pytest.mark.parametrize("path", modules_in("entrypoints"), ids=lambda p: p.name)
def test_entrypoints_reach_adapters_only_through_bootstrap(path: Path) -> None:
    for module in imports_of(path):
        assert not module.startswith("fawtara.adapters"), f"{path.name} imports {module}"
