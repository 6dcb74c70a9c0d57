"""What every `fawtara` command shares: its consoles, its one-line failures, the
progress bar of long work and the log format of long-running ones. Nothing of
either system: the billing system's commands use it as the switch's do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fawtara.kernel.errors import FawtaraError, ValidationError

out = Console(soft_wrap=True)
err = Console(stderr=True)


def fail(message: str, exit_code: int = 1) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


@contextmanager
def failing_cleanly() -> Iterator[None]:
    """Expected errors (FawtaraError) become one line on stderr and an exit code."""
    try:
        yield
    except FawtaraError as error:
        raise fail(
            f"{error.code}: {error.message}", 2 if isinstance(error, ValidationError) else 1
        ) from None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def structured_logs() -> None:
    """JSON lines (or text on a terminal) for the long-running commands: FAWTARA_LOG_FORMAT."""
    from fawtara.ops.bootstrap import setup_logging

    try:
        setup_logging()
    except ValueError as error:
        raise fail(f"VALIDATION_ERROR: {error}", 2) from None
