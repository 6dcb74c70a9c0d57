"""Every package in src/ opens with a docstring saying what the folder is for."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Packages still without one, each with its reason. Keep this list short.
ALLOWED = {
    # Being given one on main (migrations/ is edited there).
    "fawtara/adapters/db/migrations",
    "fawtara/storage/migrations/versions",
}


def packages_without_docstring() -> set[str]:
    return {
        init.parent.relative_to(SRC).as_posix()
        for init in SRC.rglob("__init__.py")
        if not (ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or "").strip()
    }


def test_every_package_says_what_it_is_for() -> None:
    missing = packages_without_docstring() - ALLOWED
    assert not missing, f"packages without a docstring: {sorted(missing)}"


def test_the_allow_list_names_only_packages_still_without_one() -> None:
    stale = ALLOWED - packages_without_docstring()
    assert not stale, f"these have a docstring now, remove from ALLOWED: {sorted(stale)}"
