"""No import circle: no module of fawtara imports itself through others.

import-linter (pyproject.toml) keeps the direction between packages; this
keeps the module graph acyclic (the circle cli/main.py <-> the counters' CLI
is the kind it catches). Circles between top-level packages are not checked
yet: docs/ARCHITECTURE.md says which remain.
"""

from __future__ import annotations

import grimp


def circles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each import a -> b for which b leads back to a, as the circle a -> b -> ... -> a."""
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                found.append((module, *back))
    return found


def test_a_circle_is_found() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")):
        graph.add_import(importer=importer, imported=imported)
    assert ("a", "b", "c", "a") in circles(graph)
    assert not any("d" in circle for circle in circles(graph))


def test_no_module_imports_itself_through_others() -> None:
    found = circles(grimp.build_graph("fawtara"))
    assert not found, f"import circles: {found[:5]}"
