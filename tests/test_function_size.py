"""Every function in src/ fits on a screen: at most 70 lines (TigerBeetle's rule).

A function is counted from its `def` line to its last line, nested functions
included (a route registered inside a factory counts towards the factory).
Ruff's C90 and PLR09xx rules (pyproject.toml) bound complexity and argument
counts; this test bounds length, which ruff does not measure.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
FUNCTION_LINES_MAX = 70

# Functions allowed to be longer, each with its reason. Keep this list short.
ALLOWED = {
    # Migrations are history: a revision that ran is never rewritten.
    "fawtara/storage/migrations/versions/0001_initial_schema.py:upgrade",
    "fawtara/storage/migrations/versions/0003_payment_switch.py:upgrade",
    "fawtara/storage/migrations/versions/0005_service_lifecycle.py:upgrade",
    "fawtara/storage/migrations/versions/0006_counters.py:upgrade",
    "fawtara/storage/migrations/versions/0009_billing_moves_out.py:upgrade",
    "fawtara/storage/billing_migrations/versions/b0001_billing_store.py:upgrade",
}


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function and method in the file at `path`."""
    found: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                assert child.end_lineno is not None
                found.append((prefix + child.name, child.end_lineno - child.lineno + 1))
                walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), "")
    return found


def long_functions() -> dict[str, int]:
    return {
        f"{path.relative_to(SRC).as_posix()}:{name}": lines
        for path in sorted(SRC.rglob("*.py"))
        for name, lines in function_lengths(path)
        if lines > FUNCTION_LINES_MAX
    }


def test_every_function_in_src_is_at_most_70_lines() -> None:
    offenders = {name: lines for name, lines in long_functions().items() if name not in ALLOWED}
    listing = "\n".join(f"  {name}: {lines} lines" for name, lines in sorted(offenders.items()))
    assert not offenders, f"functions over {FUNCTION_LINES_MAX} lines (split them):\n{listing}"


def test_the_allow_list_names_only_functions_still_too_long() -> None:
    stale = ALLOWED - long_functions().keys()
    assert not stale, f"no longer too long, remove from ALLOWED: {sorted(stale)}"


def test_the_measure_counts_from_def_to_the_last_line(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "def outer():\n    def inner():\n        return 1\n    return inner\n\n"
        "class Thing:\n    async def method(self):\n        pass\n"
    )
    assert function_lengths(source) == [("outer", 4), ("outer.inner", 2), ("Thing.method", 2)]
