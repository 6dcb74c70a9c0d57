"""`fawtara counters …`, `fawtara staff …`, `fawtara audit`: counters, their people, the trail.

The shell acts as an administrator (whoever holds the database holds the
switch). Passwords are read from a hidden prompt, or from standard input with
`--password-stdin`, never from the command line where `ps` would show them.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from fawtara.counters.bootstrap import (
    issue_counter_keys,
    password_hasher,
    save_counter_keys,
)
from fawtara.counters.domain.counters import Counter
from fawtara.counters.domain.staff import Role, StaffMember
from fawtara.counters.use_cases import staff as staff_cases
from fawtara.counters.use_cases.counters import register_counter

counters_app = typer.Typer(help="Cash counters (telephone centres).", no_args_is_help=True)
staff_app = typer.Typer(
    help="Cashiers, supervisors, administrators, operators.", no_args_is_help=True
)


@counters_app.command("add")
def counters_add(
    code: Annotated[str, typer.Argument(help="counter code, e.g. DAM01")],
    governorate: Annotated[str, typer.Option(help="as in the subscriber data, e.g. Damascus")],
    name_ar: Annotated[str, typer.Option(help="Arabic name")],
    name_en: Annotated[str, typer.Option(help="English name")],
) -> None:
    """Register a counter; print its station's API key (shown once, stored as a hash)."""
    from fawtara.console import err, out
    from fawtara.shell import platform

    with platform() as wired:
        keys = issue_counter_keys(wired, code.upper())
        counter = Counter(
            code.upper(),
            name_ar,
            name_en,
            governorate,
            None if keys is None else keys.public_key_pem,
            None if keys is None else keys.certificate,
        )
        api_key = register_counter(wired.uow_factory(), wired.clock, counter, staff_cases.SHELL)
        key_path = None if keys is None else save_counter_keys(wired, counter.code, keys)
    out.print(api_key, markup=False)
    if key_path is None:
        err.print("no receipt keys: run `fawtara keys init`, then register the counter")
    else:
        err.print(f"receipt-signing key for the station: {key_path}", markup=False)


@counters_app.command("list")
def counters_list() -> None:
    """The registered counters (never their keys)."""
    from fawtara.console import out
    from fawtara.shell import platform

    with platform() as wired, wired.uow(readonly=True) as uow:
        found = uow.counters.list()
    table = Table("code", "name", "الاسم", "governorate", "receipt key")
    for c in found:
        certified = "certified" if c.certificate else "none"
        table.add_row(c.code, c.name_en, c.name_ar, c.governorate, certified)
    out.print(table)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


@staff_app.command("add")
def staff_add(
    username: Annotated[str, typer.Argument(help="sign-in name, e.g. rana")],
    role: Annotated[str, typer.Option(help="cashier | supervisor | administrator | operator")],
    name_ar: Annotated[str, typer.Option(help="Arabic name, shown on receipts")],
    counter: Annotated[
        str | None, typer.Option(help="the counter of a cashier or supervisor")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input")
    ] = False,
) -> None:
    """Add a staff member with a password (argon2id)."""
    from fawtara.console import fail, out
    from fawtara.shell import platform

    try:
        kind = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise fail(f"VALIDATION_ERROR: --role must be one of {roles}", 2) from None
    password = read_password(password_stdin)
    with platform() as wired:
        member = StaffMember(username, name_ar, kind, None if counter is None else counter.upper())
        staff_cases.add_staff(
            wired.uow_factory(), password_hasher(), wired.clock, member, password, staff_cases.SHELL
        )
    out.print(f"{member.username} added ({kind.value})", markup=False)


@staff_app.command("unlock")
def staff_unlock(username: Annotated[str, typer.Argument(help="whose lockout to clear")]) -> None:
    """Clear a lockout after failed sign-ins."""
    from fawtara.console import out
    from fawtara.shell import platform

    with platform() as wired:
        staff_cases.unlock(wired.uow_factory(), wired.clock, username, staff_cases.SHELL)
    out.print(f"{username} unlocked", markup=False)


def audit(
    counter: Annotated[str | None, typer.Option(help="only this counter")] = None,
    limit: Annotated[int, typer.Option(help="how many rows, newest first")] = 50,
) -> None:
    """The audit trail: sign-ins, payments, voids, shifts, staff changes."""
    from fawtara.console import out
    from fawtara.shell import platform

    with platform() as wired:
        rows = staff_cases.audit_trail(
            wired.uow(readonly=True),
            staff_cases.SHELL,
            None if counter is None else counter.upper(),
            limit,
        )
    table = Table("at (UTC)", "who", "role", "action", "counter", "governorate", "target", "detail")
    for row in rows:
        table.add_row(
            f"{row.at:%Y-%m-%d %H:%M:%S}",
            row.actor,
            "" if row.role is None else row.role.value,
            row.action,
            row.counter_code or "",
            row.governorate or "",
            row.target or "",
            row.detail,
        )
    out.print(table)
