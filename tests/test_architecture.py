"""The import direction, by capability: the core imports nothing of I/O; layers point inward.

import-linter (pyproject.toml, `make contracts`) says the same across packages;
these checks are the fast, file-by-file version that names the offending file.
"""

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
    """Every module of that layer in every capability (`*/domain/**.py`...)."""
    return sorted(SOURCE.glob(f"*/{layer}/**/*.py"))


def label(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["fawtara", "kernel"]:
        return "kernel"
    if len(parts) >= 3 and parts[0] == "fawtara":
        return parts[2]
    return None


def is_standard(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


@pytest.mark.parametrize("path", sorted(SOURCE.glob("kernel/*.py")), ids=label)
def test_the_kernel_imports_only_the_standard_library_and_itself(path: Path) -> None:
    for module in imports_of(path):
        top = module.split(".")[0]
        allowed = is_standard(module) or top in DOMAIN_ALLOWED_THIRD_PARTY
        assert allowed or module.startswith("fawtara.kernel"), f"{label(path)} imports {module}"


@pytest.mark.parametrize("path", modules_in("domain"), ids=label)
def test_a_domain_imports_only_the_standard_library_the_kernel_and_domains(path: Path) -> None:
    for module in imports_of(path):
        top = module.split(".")[0]
        allowed = (
            is_standard(module)
            or top in DOMAIN_ALLOWED_THIRD_PARTY
            or layer_of(module) in {"kernel", "domain"}
        )
        assert allowed, f"{label(path)} imports {module}"


@pytest.mark.parametrize("path", modules_in("use_cases"), ids=label)
def test_use_cases_import_no_adapter_and_no_framework(path: Path) -> None:
    for module in imports_of(path):
        inward = layer_of(module) in {"kernel", "domain", "use_cases"}
        assert inward or is_standard(module), f"{label(path)} imports {module}"


@pytest.mark.parametrize("path", modules_in("adapters"), ids=label)
def test_adapters_never_import_entrypoints_or_a_composition_root(path: Path) -> None:
    for module in imports_of(path):
        outward = layer_of(module) in {"entrypoints", "bootstrap"}
        assert not outward, f"{label(path)} imports {module}"


@pytest.mark.parametrize("path", modules_in("entrypoints"), ids=label)
def test_entrypoints_reach_adapters_only_through_a_composition_root(path: Path) -> None:
    for module in imports_of(path):
        through = layer_of(module) == "adapters" or module.startswith("fawtara.storage")
        assert not through, f"{label(path)} imports {module}"
