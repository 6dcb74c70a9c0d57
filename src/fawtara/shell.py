"""The wired platform for the `fawtara` commands of the switch and the demo: both
systems' stores (fawtara/wiring.py), the `system`'s at the newest migration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fawtara.console import failing_cleanly
from fawtara.wiring import SWITCH, Platform, bootstrap


@contextmanager
def platform(check_schema: bool = True, system: str = SWITCH) -> Iterator[Platform]:
    """The wired platform, its `system`'s store at the newest migration unless
    `check_schema` is off; expected errors become one line on stderr."""
    with failing_cleanly():
        wired = bootstrap()
        if check_schema:
            wired.require_current_schema(system)
        yield wired
