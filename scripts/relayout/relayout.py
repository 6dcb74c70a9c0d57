#!/usr/bin/env python3
"""Move src/fawtara/ from its layer-first layout to a layout by capability.

Run from the root of a Fawtara checkout (or pass --repo). See README.md beside
this file. The mapping below is data: to move a new module, add one line to
MODULES (old dotted name -> new dotted name). The script refuses to run while a
.py file under the old packages is missing from the mapping.

Phases (each is a no-op when already done, so a second run changes nothing):
  1. check      every .py and data file under the old packages is mapped
  2. move       `git mv` each file; create __init__.py files with docstrings
  3. surgery    move a few symbols between modules (SYMBOL_MOVES)
  4. rewrite    imports, dotted names and file paths in src/ tests/ bench/ ...
  5. patches    pyproject (import-linter, mypy), Makefile, architecture tests
  6. cleanup    remove the old, now empty, packages
  7. ruff       `ruff check --fix` (import sorting, unused imports) then `ruff check`
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------
# The mapping (data). Dotted module names, old -> new.
# ---------------------------------------------------------------------------

MODULES: dict[str, str] = {
    # --- domain/ -----------------------------------------------------------
    "fawtara.domain.money": "fawtara.kernel.money",
    "fawtara.domain.calendar": "fawtara.kernel.calendar",
    "fawtara.domain.errors": "fawtara.kernel.errors",
    "fawtara.domain.limits": "fawtara.kernel.limits",
    "fawtara.domain.references": "fawtara.kernel.references",
    "fawtara.domain.billers": "fawtara.kernel.billers",
    "fawtara.domain.bills": "fawtara.kernel.bills",
    "fawtara.domain.backoff": "fawtara.kernel.backoff",
    "fawtara.domain.presentment": "fawtara.kernel.presentment",
    "fawtara.domain.payment_files": "fawtara.switch.domain.payment_files",
    "fawtara.domain.tariffs": "fawtara.billing.domain.tariffs",
    "fawtara.domain.usage": "fawtara.billing.domain.usage",
    "fawtara.domain.lifecycle": "fawtara.billing.domain.lifecycle",
    "fawtara.domain.bill_documents": "fawtara.billing.domain.bill_documents",
    "fawtara.domain.jobs": "fawtara.billing.domain.jobs",
    "fawtara.domain.payments": "fawtara.switch.domain.payments",
    "fawtara.domain.participants": "fawtara.switch.domain.participants",
    "fawtara.domain.ledger": "fawtara.switch.domain.ledger",
    "fawtara.domain.accounts": "fawtara.switch.domain.accounts",
    "fawtara.domain.banking": "fawtara.banks.domain.banking",
    "fawtara.domain.sms": "fawtara.sms.domain.sms",
    "fawtara.domain.counters": "fawtara.counters.domain.counters",
    "fawtara.domain.shifts": "fawtara.counters.domain.shifts",
    "fawtara.domain.staff": "fawtara.counters.domain.staff",
    "fawtara.domain.cash": "fawtara.counters.domain.cash",
    "fawtara.domain.receipts": "fawtara.receipts.domain.receipts",
    "fawtara.domain.alerts": "fawtara.ops.domain.alerts",
    "fawtara.domain.figures": "fawtara.ops.domain.figures",
    # --- service_layer/ ----------------------------------------------------
    "fawtara.service_layer.bill_run": "fawtara.billing.use_cases.bill_run",
    "fawtara.service_layer.bills": "fawtara.billing.use_cases.bills",
    "fawtara.service_layer.usage_import": "fawtara.billing.use_cases.usage_import",
    "fawtara.service_layer.registry": "fawtara.billing.use_cases.registry",
    "fawtara.service_layer.post_payment": "fawtara.billing.use_cases.post_payment",
    "fawtara.service_layer.lifecycle": "fawtara.billing.use_cases.lifecycle",
    "fawtara.service_layer.lifecycle_hook": "fawtara.billing.use_cases.lifecycle_hook",
    "fawtara.service_layer.lifecycle_notices": "fawtara.billing.use_cases.lifecycle_notices",
    "fawtara.service_layer.scheduler": "fawtara.billing.use_cases.scheduler",
    "fawtara.service_layer.in_flight_check": "fawtara.billing.use_cases.in_flight_check",
    "fawtara.service_layer.inquiry": "fawtara.billing.use_cases.inquiry",
    "fawtara.service_layer.publishing": "fawtara.billing.use_cases.publishing",
    "fawtara.service_layer.bill_files": "fawtara.switch.use_cases.bill_files",
    "fawtara.service_layer.payment_files": "fawtara.switch.use_cases.payment_files",
    "fawtara.service_layer.collect_payments": "fawtara.billing.use_cases.collect_payments",
    "fawtara.service_layer.biller_side": "fawtara.switch.use_cases.biller_side",
    "fawtara.service_layer.counter_sync": "fawtara.counters.use_cases.counter_sync",
    "fawtara.service_layer.payments": "fawtara.switch.use_cases.payments",
    "fawtara.service_layer.payment_steps": "fawtara.switch.use_cases.payment_steps",
    "fawtara.service_layer.ledger": "fawtara.switch.use_cases.ledger",
    "fawtara.service_layer.participants": "fawtara.switch.use_cases.participants",
    "fawtara.service_layer.payment_history": "fawtara.switch.use_cases.payment_history",
    "fawtara.service_layer.log_context": "fawtara.switch.use_cases.log_context",
    "fawtara.service_layer.ports": "fawtara.switch.use_cases.ports",
    "fawtara.service_layer.notifications": "fawtara.sms.use_cases.notifications",
    "fawtara.service_layer.cash_books": "fawtara.counters.use_cases.cash_books",
    "fawtara.service_layer.cash_payments": "fawtara.counters.use_cases.cash_payments",
    "fawtara.service_layer.cash_refunds": "fawtara.counters.use_cases.cash_refunds",
    "fawtara.service_layer.counter_journal": "fawtara.counters.use_cases.counter_journal",
    "fawtara.service_layer.counter_journal_cash": "fawtara.counters.use_cases.counter_journal_cash",
    "fawtara.service_layer.counter_journal_entry": (
        "fawtara.counters.use_cases.counter_journal_entry"
    ),
    "fawtara.service_layer.counter_journal_shifts": (
        "fawtara.counters.use_cases.counter_journal_shifts"
    ),
    "fawtara.service_layer.counter_ports": "fawtara.counters.use_cases.counter_ports",
    "fawtara.service_layer.counters": "fawtara.counters.use_cases.counters",
    "fawtara.service_layer.staff": "fawtara.counters.use_cases.staff",
    "fawtara.service_layer.receipts": "fawtara.receipts.use_cases.receipts",
    "fawtara.service_layer.monitoring": "fawtara.ops.use_cases.monitoring",
    # --- adapters/ ---------------------------------------------------------
    "fawtara.adapters.clock": "fawtara.kernel.clock",
    "fawtara.adapters.db.engine": "fawtara.storage.engine",
    "fawtara.adapters.db.schema": "fawtara.storage.schema",
    "fawtara.adapters.db.tables": "fawtara.storage.tables",
    "fawtara.adapters.db.uow": "fawtara.storage.uow",
    "fawtara.adapters.db.migrations.checks": "fawtara.storage.migrations.checks",
    "fawtara.adapters.db.migrations.env": "fawtara.storage.migrations.env",
    "fawtara.adapters.db.billing_migrations.env": "fawtara.storage.billing_migrations.env",
    "fawtara.adapters.switch_link.http": "fawtara.billing.adapters.switch_link.http",
    "fawtara.adapters.switch_link.in_process": "fawtara.billing.adapters.switch_link.in_process",
    "fawtara.adapters.billers.http_gateway": "fawtara.switch.adapters.billers.http_gateway",
    "fawtara.adapters.db.biller_link_repository": "fawtara.switch.adapters.biller_link_repository",
    "fawtara.adapters.db.presented_repository": "fawtara.switch.adapters.presented_repository",
    "fawtara.adapters.db.payment_file_repository": (
        "fawtara.switch.adapters.payment_file_repository"
    ),
    "fawtara.adapters.db.billing_repositories": "fawtara.billing.adapters.billing_repositories",
    "fawtara.adapters.db.lifecycle_repository": "fawtara.billing.adapters.lifecycle_repository",
    "fawtara.adapters.db.job_runs_repository": "fawtara.billing.adapters.job_runs_repository",
    "fawtara.adapters.db.leader": "fawtara.billing.adapters.leader",
    "fawtara.adapters.provisioning.simulator": "fawtara.billing.adapters.provisioning.simulator",
    "fawtara.adapters.db.switch_repositories": "fawtara.switch.adapters.switch_repositories",
    "fawtara.adapters.db.ledger_repository": "fawtara.switch.adapters.ledger_repository",
    "fawtara.adapters.db.history_repository": "fawtara.switch.adapters.history_repository",
    "fawtara.adapters.billers.in_process": "fawtara.switch.adapters.billers.in_process",
    "fawtara.adapters.banks.consent_http": "fawtara.banks.adapters.consent_http",
    "fawtara.adapters.banks.http_gateway": "fawtara.banks.adapters.http_gateway",
    "fawtara.adapters.banks.in_memory": "fawtara.banks.adapters.in_memory",
    "fawtara.adapters.banks.iso20022": "fawtara.banks.adapters.iso20022",
    "fawtara.adapters.banks.statements": "fawtara.banks.adapters.statements",
    "fawtara.adapters.banks.wire": "fawtara.banks.adapters.wire",
    "fawtara.adapters.sms.client": "fawtara.sms.adapters.client",
    "fawtara.adapters.sms.config": "fawtara.sms.adapters.config",
    "fawtara.adapters.sms.gateway": "fawtara.sms.adapters.gateway",
    "fawtara.adapters.sms.pdu": "fawtara.sms.adapters.pdu",
    "fawtara.adapters.db.sms_repository": "fawtara.sms.adapters.sms_repository",
    "fawtara.adapters.db.counter_repositories": "fawtara.counters.adapters.counter_repositories",
    "fawtara.adapters.db.cash_repository": "fawtara.counters.adapters.cash_repository",
    "fawtara.adapters.passwords": "fawtara.counters.adapters.passwords",
    "fawtara.adapters.receipts.pdf": "fawtara.receipts.adapters.pdf",
    "fawtara.adapters.receipts.qr_scan": "fawtara.receipts.adapters.qr_scan",
    "fawtara.adapters.receipts.signing": "fawtara.receipts.adapters.signing",
    "fawtara.adapters.db.monitoring_repository": "fawtara.ops.adapters.monitoring_repository",
    "fawtara.adapters.probes": "fawtara.ops.adapters.probes",
    "fawtara.adapters.logs": "fawtara.ops.adapters.logs",
    # --- entrypoints/ ------------------------------------------------------
    "fawtara.entrypoints.api.app": "fawtara.switch.entrypoints.api.app",
    "fawtara.entrypoints.api.billers": "fawtara.switch.entrypoints.api.billers",
    "fawtara.entrypoints.api.payments": "fawtara.switch.entrypoints.api.payments",
    "fawtara.entrypoints.api.biller_side": "fawtara.switch.entrypoints.api.biller_side",
    "fawtara.entrypoints.api.payment_files": "fawtara.switch.entrypoints.api.payment_files",
    "fawtara.entrypoints.cli.billing_collect": "fawtara.cli.billing_collect",
    "fawtara.entrypoints.billing_api": "fawtara.billing.entrypoints.api",
    "fawtara.entrypoints.cli.billing": "fawtara.billing.entrypoints.cli",
    "fawtara.entrypoints.cli.biller_check": "fawtara.cli.biller_check",
    "fawtara.entrypoints.cli.shell": "fawtara.shell",
    "fawtara.entrypoints.workers": "fawtara.switch.entrypoints.workers",
    "fawtara.entrypoints.scheduler": "fawtara.billing.entrypoints.scheduler",
    "fawtara.entrypoints.sms_worker": "fawtara.sms.entrypoints.sms_worker",
    "fawtara.entrypoints.api.counter": "fawtara.counters.entrypoints.api.counter",
    "fawtara.entrypoints.cli.counters": "fawtara.counters.entrypoints.cli.counters",
    "fawtara.entrypoints.api.receipts": "fawtara.receipts.entrypoints.api.receipts",
    "fawtara.entrypoints.cli.receipts": "fawtara.receipts.entrypoints.cli.receipts",
    "fawtara.entrypoints.api.metrics": "fawtara.ops.entrypoints.api.metrics",
    "fawtara.entrypoints.api.operations": "fawtara.ops.entrypoints.api.operations",
    "fawtara.entrypoints.web.console": "fawtara.ops.entrypoints.web.console",
    "fawtara.entrypoints.web.console_figures": "fawtara.ops.entrypoints.web.console_figures",
    "fawtara.entrypoints.web.portal": "fawtara.portal.pages",
    "fawtara.entrypoints.web.throttle": "fawtara.portal.throttle",
    "fawtara.entrypoints.web.i18n": "fawtara.web.i18n",
    "fawtara.entrypoints.web.rendering": "fawtara.web.rendering",
    "fawtara.entrypoints.cli.main": "fawtara.cli.main",
    "fawtara.entrypoints.cli.station": "fawtara.cli.station",
    "fawtara.entrypoints.up": "fawtara.cli.up",
    # --- composition roots (moved beside their capability, not merged) ------
    "fawtara.bootstrap": "fawtara.switch.bootstrap",
    "fawtara.bootstrap_lifecycle": "fawtara.billing.bootstrap",
    "fawtara.bootstrap_counters": "fawtara.counters.bootstrap",
    "fawtara.bootstrap_receipts": "fawtara.receipts.bootstrap",
    "fawtara.bootstrap_sms": "fawtara.sms.bootstrap",
    "fawtara.bootstrap_operations": "fawtara.ops.bootstrap",
    "fawtara.bootstrap_station": "fawtara.station.bootstrap",
}

# Old packages whose __init__.py moves as a whole (its docstring is kept).
PACKAGES: dict[str, str] = {
    "fawtara.adapters.banks": "fawtara.banks.adapters",
    "fawtara.adapters.sms": "fawtara.sms.adapters",
    "fawtara.adapters.receipts": "fawtara.receipts.adapters",
    "fawtara.adapters.billers": "fawtara.switch.adapters.billers",
    "fawtara.adapters.provisioning": "fawtara.billing.adapters.provisioning",
    "fawtara.adapters.db.migrations": "fawtara.storage.migrations",
    "fawtara.adapters.db.migrations.versions": "fawtara.storage.migrations.versions",
    "fawtara.adapters.db.billing_migrations": "fawtara.storage.billing_migrations",
    "fawtara.adapters.db.billing_migrations.versions": "fawtara.storage.billing_migrations.versions",
    "fawtara.adapters.switch_link": "fawtara.billing.adapters.switch_link",
    "fawtara.entrypoints.web": "fawtara.web",
}

# Old packages that are split up: their __init__.py is removed. A mention of
# one that is not followed by a mapped module is not rewritten but reported
# (its contents went to several places: the sentence needs a person).
DISSOLVED: list[str] = [
    "fawtara.domain",
    "fawtara.service_layer",
    "fawtara.adapters",
    "fawtara.adapters.db",
    "fawtara.entrypoints",
    "fawtara.entrypoints.api",
    "fawtara.entrypoints.cli",
]

# Data files and folders (paths under src/fawtara/), moved with git mv.
DATA: dict[str, str] = {
    "adapters/banks/xsd": "banks/adapters/xsd",
    "adapters/receipts/templates": "receipts/adapters/templates",
    "adapters/db/migrations/script.py.mako": "storage/migrations/script.py.mako",
    "adapters/db/migrations/versions": "storage/migrations/versions",
    "adapters/db/billing_migrations/script.py.mako": "storage/billing_migrations/script.py.mako",
    "adapters/db/billing_migrations/versions": "storage/billing_migrations/versions",
    "entrypoints/web/templates": "web/templates",
    "entrypoints/web/static": "web/static",
}

# The layer-first packages and modules the mapping must cover entirely.
OLD_DIRS = ["domain", "service_layer", "adapters", "entrypoints"]
OLD_TOP_GLOB = "bootstrap*.py"


@dataclass(frozen=True)
class SymbolMove:
    """Top-level definitions cut from one module and pasted into another."""

    names: tuple[str, ...]
    source: str  # new dotted name of the module they leave
    target: str  # new dotted name of the module they join
    why: str
    docstring: str = ""  # for the target, when this creates it


SYMBOL_MOVES: list[SymbolMove] = [
    SymbolMove(
        ("BillLine",),
        "fawtara.billing.domain.tariffs",
        "fawtara.kernel.bills",
        "a bill's line is part of the Bill both sides know; the kernel must not import billing",
    ),
]

# Docstrings of the new packages (one to three sentences: what the folder is for).
NEW_PACKAGES: dict[str, str] = {
    "fawtara.kernel": (
        "What every capability shares and nothing more: money, calendar, limits, errors,\n"
        "references, the Biller record and its payment rule, bills, clocks. Standard\n"
        "library (and phonenumbers) only; it imports nothing else of Fawtara.\n"
    ),
    "fawtara.billing": (
        "The utility's billing system: customers, services, tariffs, bill runs and the\n"
        "service lifecycle. Layered inside: domain/, use_cases/, adapters/, entrypoints/.\n"
    ),
    "fawtara.billing.domain": "Billing's pure rules: tariffs, usage, the service lifecycle, jobs.\n",
    "fawtara.billing.use_cases": (
        "Billing's use cases: bill runs, usage import, the registry, payments posted by\n"
        "the switch, the lifecycle and its scheduler. They know ports, not adapters.\n"
    ),
    "fawtara.billing.adapters": (
        "Billing's storage (repositories over the shared database for now), the\n"
        "scheduler's leader lock, and the links to the billers' networks.\n"
    ),
    "fawtara.billing.entrypoints": "Billing's thin fronts: the scheduler process.\n",
    "fawtara.switch": (
        "The payment company's switch: participants, presentment, payments, the\n"
        "double-entry ledger. Layered inside: domain/, use_cases/, adapters/, entrypoints/.\n"
    ),
    "fawtara.switch.domain": "The switch's pure rules: payments, participants, the ledger, accounts.\n",
    "fawtara.switch.use_cases": (
        "The switch's use cases: one handler per use case, and the ports (ports.py)\n"
        "they need; never a concrete adapter.\n"
    ),
    "fawtara.switch.adapters": (
        "The switch's repositories, its ledger and history stores, and its links to\n"
        "the billers' systems.\n"
    ),
    "fawtara.switch.entrypoints": "The switch's thin fronts: the HTTP API (api/) and the payment workers.\n",
    "fawtara.switch.entrypoints.api": "The HTTP API (FastAPI). OpenAPI at /openapi.json.\n",
    "fawtara.storage": (
        "The shared database plumbing (temporary): engine, schema and Alembic migrations,\n"
        "tables, unit of work. Billing and the switch will each get their own.\n"
    ),
    "fawtara.storage.migrations": "Alembic migrations of the shared schema (env.py, versions/).\n",
    "fawtara.banks": "The bank connector: ISO 20022 over HTTP, the switch's port to the banks.\n",
    "fawtara.banks.domain": "What the switch knows of a bank, as pure data and rules.\n",
    "fawtara.sms": "SMS confirmations and notices: the messages, the SMPP link and its worker.\n",
    "fawtara.sms.domain": "SMS texts and their Arabic formatting, as pure functions.\n",
    "fawtara.sms.use_cases": "Which SMS to send when, and the outbox the worker drains.\n",
    "fawtara.sms.entrypoints": "The SMS worker process.\n",
    "fawtara.counters": (
        "Cash counters at telephone centres: counters, shifts, staff, cash books, the\n"
        "stations' journal. Layered inside: domain/, use_cases/, adapters/, entrypoints/.\n"
    ),
    "fawtara.counters.domain": "Counters' pure rules: counters, shifts, staff roles, cash.\n",
    "fawtara.counters.use_cases": (
        "Counters' use cases: cash payments and refunds, cash books, the stations'\n"
        "journal, counters and staff, with their ports (counter_ports.py).\n"
    ),
    "fawtara.counters.adapters": "Counters' repositories and password hashing.\n",
    "fawtara.counters.entrypoints": "Counters' fronts: the counter API for stations and the CLI.\n",
    "fawtara.counters.entrypoints.api": "The counter API the stations call (FastAPI router).\n",
    "fawtara.counters.entrypoints.cli": "The `fawtara counters`, `fawtara staff` and `fawtara audit` commands.\n",
    "fawtara.receipts": "Signed receipts and Arabic PDFs of receipts and bills (docs/RECEIPTS.md).\n",
    "fawtara.receipts.domain": "What a receipt says and how it is encoded in its QR text.\n",
    "fawtara.receipts.use_cases": "Receipts and bill documents read from the stores.\n",
    "fawtara.receipts.entrypoints": "Receipts' fronts: the receipt API and the `keys`/`receipt` commands.\n",
    "fawtara.receipts.entrypoints.api": "The receipt PDF route (FastAPI router).\n",
    "fawtara.receipts.entrypoints.cli": "The `fawtara keys` and `fawtara receipt` commands.\n",
    "fawtara.ops": "Operations: alerts, figures, probes, logs, metrics and the console.\n",
    "fawtara.ops.domain": "Operations' pure rules: alerts and the figures of the console.\n",
    "fawtara.ops.use_cases": "Monitoring: what the console and the alerts read.\n",
    "fawtara.ops.adapters": "Monitoring queries, link probes and the log format.\n",
    "fawtara.ops.entrypoints": "Operations' fronts: /metrics, the operations API and the web console.\n",
    "fawtara.ops.entrypoints.api": "The metrics and operations routes (FastAPI routers).\n",
    "fawtara.ops.entrypoints.web": "The operations console (server-rendered pages).\n",
    "fawtara.portal": "The subscriber's web pages: find bills, pay, follow the payment.\n",
    "fawtara.cli": (
        "The `fawtara` command (Typer + Rich): the root app (main.py), the sub-apps that\n"
        "belong to no capability, and `fawtara up` (up.py).\n"
    ),
}

# The package docstring of fawtara/__init__.py after the move.
ROOT_DOCSTRING = (
    "Fawtara (فوترة): an open electronic bill presentment and payment network.\n\n"
    "The package is laid out by capability (billing/, switch/, banks/, sms/,\n"
    "counters/, receipts/, ops/, portal/, station/) around a small kernel/; each\n"
    "capability is layered inside (domain/, use_cases/, adapters/, entrypoints/)\n"
    "and has its composition root (bootstrap.py). import-linter contracts\n"
    "(pyproject.toml, `make contracts`) keep the import direction.\n"
)

# Roots scanned for references (relative to the repository).
REWRITE_ROOTS = ["src", "tests", "bench", "scripts", "docs", ".ci"]
REWRITE_FILES = ["README.md", "pyproject.toml", "Makefile"]

# Third-party packages that do I/O or are frameworks: no domain may import them.
IO_PACKAGES = [
    "sqlalchemy",
    "fastapi",
    "httpx",
    "starlette",
    "lxml",
    "psycopg",
    "typer",
    "uvicorn",
    "jinja2",
    "weasyprint",
]

# Capabilities layered inside (domain/use_cases/adapters/entrypoints/bootstrap).
LAYERED = ["billing", "switch", "banks", "sms", "counters", "receipts", "ops"]

# ---------------------------------------------------------------------------
# Machinery.
# ---------------------------------------------------------------------------

SRC = Path("src")
PKG = SRC / "fawtara"
DOTTED = re.compile(r"(?<![\w.])fawtara(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def say(message: str) -> None:
    print(f"relayout: {message}", flush=True)


def git(*args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def module_path(dotted: str, package: bool = False) -> Path:
    parts = dotted.split(".")
    return SRC.joinpath(*parts, "__init__.py") if package else SRC.joinpath(*parts[:-1], parts[-1] + ".py")


def name_map() -> dict[str, str]:
    """Every old dotted name (modules, packages, dissolved packages) -> new name."""
    return {**PACKAGES, **MODULES}


def resolve(dotted: str, names: dict[str, str]) -> str:
    """The new name of a dotted reference, by its longest mapped prefix (whole parts)."""
    parts = dotted.split(".")
    for end in range(len(parts), 1, -1):
        head = ".".join(parts[:end])
        if head in names:
            return ".".join([names[head], *parts[end:]])
    return dotted


def path_map() -> dict[str, str]:
    """Old path -> new path, both relative to src/fawtara/ (files and folders)."""
    paths: dict[str, str] = {}
    for old, new in MODULES.items():
        paths[rel(module_path(old))] = rel(module_path(new))
    for old, new in PACKAGES.items():
        paths[rel(module_path(old, True).parent) + "/"] = rel(module_path(new, True).parent) + "/"
    for old, new in MODULES.items():  # `service_layer/monitoring.figures` in prose
        if old.count(".") > 1:  # never a bare one-word name such as `bootstrap`
            paths[rel(module_path(old))[:-3] + "~"] = rel(module_path(new))[:-3]
    for old, new in DATA.items():
        is_folder = "." not in old.rsplit("/", 1)[-1]
        paths[old + "/" if is_folder else old] = new + "/" if is_folder else new
    return paths


def rel(path: Path) -> str:
    return path.relative_to(PKG).as_posix()


def check_mapping() -> None:
    """The mapping itself is sound: no old name survives inside a new one."""
    names = name_map()
    problems = []
    for new in [*MODULES.values(), *PACKAGES.values(), *NEW_PACKAGES]:
        if resolve(new, names) != new:
            problems.append(f"new name {new} starts with an old name")
    rewrite = path_rewriter()
    for new in path_map().values():
        for form in (f" {new}", f" src/fawtara/{new}"):
            if rewrite(form) != form:
                problems.append(f"new path {new} would be rewritten again")
    for label, own in [
        ("FOLDER_TABLE", FOLDER_TABLE),
        ("ROOT_DOCSTRING", ROOT_DOCSTRING),
        ("NEW_PACKAGES", "\n".join(NEW_PACKAGES.values())),
        ("ARCHITECTURE_TEST", ARCHITECTURE_TEST),
    ]:
        if rewrite(rewrite_dotted(own, names)) != own:
            problems.append(f"{label} would be rewritten (it names an old path or module)")
    targets = list(MODULES.values())
    for dup in {t for t in targets if targets.count(t) > 1}:
        problems.append(f"two modules go to {dup}")
    if problems:
        for problem in problems:
            say(problem)
        raise SystemExit(1)


# --- 1. check -------------------------------------------------------------


def old_files() -> Iterator[Path]:
    for folder in OLD_DIRS:
        for path in sorted((PKG / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path
    yield from sorted(PKG.glob(OLD_TOP_GLOB))


def destination(path: Path) -> Path | None:
    """Where an old file goes; None for a split package's __init__.py (removed)."""
    relative = rel(path)
    if path.suffix == ".py":
        dotted = ".".join(path.with_suffix("").relative_to(SRC).parts)
        if path.name == "__init__.py":
            package = dotted.removesuffix(".__init__")
            if package in PACKAGES:
                return module_path(PACKAGES[package], True)
            if package in DISSOLVED:
                return None
        elif dotted in MODULES:
            return module_path(MODULES[dotted])
    for old, new in sorted(DATA.items(), key=lambda item: -len(item[0])):
        if relative == old or relative.startswith(old + "/"):
            return PKG / (new + relative[len(old) :])
    raise KeyError(relative)


def unmapped() -> list[Path]:
    missing = []
    for path in old_files():
        try:
            destination(path)
        except KeyError:
            missing.append(path)
    return missing


# --- 2. move --------------------------------------------------------------


def move_files(dry_run: bool) -> int:
    tracked = set(git("ls-files", str(PKG)).splitlines())
    moved = 0
    for path in list(old_files()):
        target = destination(path)
        if target is None:
            continue
        moved += 1
        if dry_run:
            say(f"would move {path} -> {target}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.as_posix() in tracked:
            git("mv", path.as_posix(), target.as_posix())
        else:
            shutil.move(path, target)
    return moved


def docstring_module(text: str) -> str:
    body = text.rstrip("\n")
    if "\n" not in body:
        return f'"""{body}"""\n'
    first, rest = body.split("\n", 1)
    return f'"""{first}\n{rest}\n"""\n'


def write_inits(dry_run: bool) -> int:
    """An __init__.py in every new package; a docstring where there is none."""
    written = 0
    packages = set(NEW_PACKAGES)
    for new in [*MODULES.values(), *PACKAGES.values()]:
        parts = new.split(".")
        packages.update(".".join(parts[:end]) for end in range(2, len(parts)))
    for package in sorted(packages):
        init = module_path(package, True)
        docstring = NEW_PACKAGES.get(package)
        if init.exists() and (init.read_text(encoding="utf-8").strip() or docstring is None):
            continue
        if docstring is None and package in PACKAGES.values():
            continue  # its old __init__.py moves there
        if docstring is None:
            raise SystemExit(f"new package {package} needs a docstring in NEW_PACKAGES")
        written += 1
        if not dry_run:
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(docstring_module(docstring), encoding="utf-8")
            git("add", init.as_posix())
    return written


def old_init_docstrings() -> None:
    """Split packages' __init__.py are removed (their text lives on in NEW_PACKAGES)."""
    for package in DISSOLVED:
        init = module_path(package, True)
        if init.exists():
            git("rm", "-q", "-f", init.as_posix(), check=False)
            init.unlink(missing_ok=True)


def remove_empty_old_dirs() -> None:
    for folder in OLD_DIRS:
        root = PKG / folder
        if not root.exists():
            continue
        for cache in sorted(root.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)
        for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
        if not any(root.iterdir()):
            root.rmdir()
        else:
            leftovers = [p.as_posix() for p in root.rglob("*") if p.is_file()]
            say(f"left in {root}: {leftovers}")


# --- 3. surgery: symbols that change module ---------------------------------


def header_end(tree: ast.Module) -> int:
    """The line after the module's leading docstring and top-level imports."""
    end = 0
    for node in tree.body:
        is_docstring = (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if is_docstring or isinstance(node, ast.Import | ast.ImportFrom):
            end = node.end_lineno or node.lineno
        else:
            break
    return end


def defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def apply_symbol_move(move: SymbolMove, dry_run: bool) -> bool:
    source = module_path(move.source)
    if dry_run and not source.exists():
        say(f"would move {', '.join(move.names)} from {move.source} to {move.target}")
        return True
    text = source.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    spans: list[tuple[int, int]] = []
    for node in tree.body:
        if defined_names(node) & set(move.names):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            while first > 1 and lines[first - 2].lstrip().startswith("#"):
                first -= 1  # keep the comment above the definition with it
            spans.append((first, node.end_lineno or node.lineno))
    if not spans:
        return False  # already moved
    if dry_run:
        say(f"would move {', '.join(move.names)} from {move.source} to {move.target}")
        return True
    imports = [
        "".join(lines[node.lineno - 1 : node.end_lineno])
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    blocks = ["".join(lines[a - 1 : b]) for a, b in spans]
    for a, b in reversed(spans):
        del lines[a - 1 : b]
    names = ", ".join(sorted(move.names))
    insert_at = header_end(ast.parse("".join(lines)))
    lines.insert(insert_at, f"from {move.target} import {names}\n")
    source.write_text(collapse_blank_lines("".join(lines)), encoding="utf-8")

    target = module_path(move.target)
    if target.exists():
        target_text = target.read_text(encoding="utf-8")
    else:
        target_text = docstring_module(move.docstring or f"{move.why}.\n")
    own = module_path(move.target).with_suffix("").relative_to(SRC).as_posix().replace("/", ".")
    kept_imports = [i for i in imports if f"from {own} import" not in i]
    target_text = drop_imports_of(target_text, set(move.names))
    target_lines = target_text.splitlines(keepends=True)
    end = header_end(ast.parse(target_text))
    existing = set(target_lines[:end])
    added = [i for i in kept_imports if i not in existing]
    if added and end and target_lines[end - 1].strip() and not existing & set(imports):
        added.insert(0, "\n")
    target_lines[end:end] = added
    body = "".join(target_lines).rstrip("\n") + "\n\n\n" + "\n\n\n".join(b.rstrip("\n") for b in blocks)
    target.write_text(body + "\n", encoding="utf-8")
    git("add", target.as_posix())
    say(f"moved {names} from {move.source} to {move.target} ({move.why})")
    return True


def drop_imports_of(text: str, names: set[str]) -> str:
    """Remove `from x import <name>` of names the module now defines itself."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):
        if not isinstance(node, ast.ImportFrom):
            continue
        kept = [a for a in node.names if a.name not in names]
        if len(kept) == len(node.names):
            continue
        start, end = node.lineno, node.end_lineno or node.lineno
        if kept:
            shown = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            lines[start - 1 : end] = [f"from {node.module} import {shown}\n"]
        else:
            del lines[start - 1 : end]
    return "".join(lines)


def collapse_blank_lines(text: str) -> str:
    return re.sub(r"\n{4,}", "\n\n\n", text)


# --- 4. rewrite references --------------------------------------------------


def text_files() -> Iterator[Path]:
    for root in REWRITE_ROOTS:
        base = Path(root)
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            skip = {"__pycache__", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
            if path.is_file() and not skip & set(path.parts) and not own(path):
                yield path
    for name in REWRITE_FILES:
        if Path(name).is_file():
            yield Path(name)


def own(path: Path) -> bool:
    """This script and its README name the old layout on purpose; egg-info is generated."""
    return path.parts[:2] == ("scripts", "relayout") or any(
        part.endswith(".egg-info") for part in path.parts
    )


def symbol_targets() -> dict[tuple[str, str], str]:
    """(old or new module, name) -> module the name now lives in."""
    inverse = {new: old for old, new in MODULES.items()}
    found: dict[tuple[str, str], str] = {}
    for move in SYMBOL_MOVES:
        for name in move.names:
            found[(move.source, name)] = move.target
            if move.source in inverse:
                found[(inverse[move.source], name)] = move.target
    return found


def rewrite_imports(text: str, names: dict[str, str], symbols: dict[tuple[str, str], str]) -> str:
    """Rewrite `from a.b import c, d` where c or d is a moved module or symbol.

    Names that go to different modules become separate import lines; the
    generic pass (rewrite_dotted) handles everything else.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if not (node.module == "fawtara" or node.module.startswith("fawtara.")):
            continue
        groups: dict[str, list[str]] = {}
        special = False
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            if full in names and full != "fawtara":
                parent, _, leaf = resolve(full, names).rpartition(".")
                shown = alias.asname or alias.name
                groups.setdefault(parent, []).append(leaf if leaf == shown else f"{leaf} as {shown}")
                special = special or parent != resolve(node.module, names) or leaf != alias.name
            elif (node.module, alias.name) in symbols or (
                resolve(node.module, names),
                alias.name,
            ) in symbols:
                key = (node.module, alias.name)
                target = symbols.get(key) or symbols[(resolve(node.module, names), alias.name)]
                groups.setdefault(target, []).append(
                    alias.name + (f" as {alias.asname}" if alias.asname else "")
                )
                special = True
            else:
                groups.setdefault(resolve(node.module, names), []).append(
                    alias.name + (f" as {alias.asname}" if alias.asname else "")
                )
        if not special:
            continue
        first, last = node.lineno, node.end_lineno or node.lineno
        prefix = lines[first - 1][: node.col_offset]
        suffix = lines[last - 1][node.end_col_offset :]
        if prefix.strip() or (suffix.strip() and not suffix.strip().startswith("#")):
            continue  # shares its line with other code: leave it to the generic pass
        comment = f"  {suffix.strip()}" if suffix.strip() else ""
        new = "".join(
            f"{prefix}from {module} import {', '.join(aliases)}{comment if i == 0 else ''}\n"
            for i, (module, aliases) in enumerate(groups.items())
        )
        edits.append((first, last, new))
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1 : last] = [new]
    return "".join(lines)


LINE_LENGTH_MAX = 100  # pyproject [tool.ruff] line-length


def prose_lines(text: str) -> set[int]:
    """Line numbers that are wholly a comment, or inside a triple-quoted string."""
    found: set[int] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    for token in tokens:
        if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
            found.add(token.start[0])
        elif token.type == tokenize.STRING and token.string.lstrip("rbuRBU")[:3] in {'"""', "'''"}:
            found.update(range(token.start[0], token.end[0] + 1))
    return found


def wrap_long_prose(old_text: str, text: str) -> str:
    """Lines of prose that a longer path made too long: wrapped, or a table row unpadded."""
    before = set(old_text.splitlines())
    lines = text.splitlines(keepends=True)
    prose = prose_lines(text)
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        body = line.rstrip("\n")
        if len(body) <= LINE_LENGTH_MAX or body in before or number not in prose:
            out.append(line)
            continue
        indent = body[: len(body) - len(body.lstrip())]
        stripped = body.strip()
        if stripped.startswith("|"):
            out.append(re.sub(r" {2,}\|", " |", body) + "\n")
            continue
        lead = indent + ("# " if stripped.startswith("#") else "")
        cut = body.rfind(" ", len(lead) + 1, LINE_LENGTH_MAX)
        if cut <= len(lead):
            out.append(line)
            continue
        out.append(body[:cut] + "\n")
        out.append(lead + body[cut + 1 :] + "\n")
    return "".join(out)


def rewrite_dotted(text: str, names: dict[str, str]) -> str:
    return DOTTED.sub(lambda match: resolve(match.group(0), names), text)


def path_alternatives(paths: dict[str, str]) -> str:
    """Longest first; a file must end where its name ends, a folder ends in '/'."""
    ordered = sorted(paths, key=len, reverse=True)
    def one(p: str) -> str:
        if p.endswith("/"):
            return re.escape(p)
        if p.endswith("~"):  # a module named without .py: not a folder, not a longer name
            return re.escape(p[:-1]) + r"(?![\w/]|\.py)"
        return re.escape(p) + r"(?![\w]|\.\w)"

    return "|".join(one(p) for p in ordered)


def path_rewriter() -> Callable[[str], str]:
    paths = path_map()
    alternatives = path_alternatives(paths)
    # A bare one-word file name that new files also have (`bootstrap.py`) is ambiguous.
    new_names = {Path(v).name for v in paths.values()}
    bare_paths = {k: v for k, v in paths.items() if "/" in k.rstrip("/") or k not in new_names}
    bare_alternatives = path_alternatives(bare_paths)
    # src/fawtara/<old> and fawtara/<old>, anywhere; a bare <old> only where a path starts.
    full = re.compile(rf"(?<![\w/.])((?:src/)?fawtara/)({alternatives})")
    bare = re.compile(rf"(?:(?<=^)|(?<=[\s`'\"(\[]))({bare_alternatives})", re.MULTILINE)

    def keep_trailing(old: str) -> str:
        return paths[old] if old in paths else paths[old + "~"]

    def rewrite(text: str) -> str:
        text = full.sub(lambda m: m.group(1) + keep_trailing(m.group(2)), text)
        return bare.sub(lambda m: keep_trailing(m.group(1)), text)

    return rewrite


def bare_path_safe(path: Path) -> bool:
    """Bare relative paths (`domain/staff.py`) are rewritten in code and docs, not data."""
    return path.suffix in {".py", ".md", ".toml", ".txt", ".rst", ".cfg", ".ini"} or path.name == "Makefile"


def rewrite_references(dry_run: bool) -> list[Path]:
    names = name_map()
    symbols = symbol_targets()
    paths = path_rewriter()
    changed = []
    for path in text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = text
        if path.suffix == ".py":
            new = rewrite_imports(new, names, symbols)
        new = rewrite_dotted(new, names)
        if "fawtara/" in new or bare_path_safe(path):
            new = paths(new) if bare_path_safe(path) else full_paths_only(new)
        if path.suffix == ".py" and new != text:
            new = wrap_long_prose(text, new)
        if new != text:
            changed.append(path)
            if not dry_run:
                path.write_text(new, encoding="utf-8")
    return changed


def full_paths_only(text: str) -> str:
    paths = path_map()
    alternatives = path_alternatives(paths)
    full = re.compile(rf"(?<![\w/.])((?:src/)?fawtara/)({alternatives})")
    return full.sub(lambda m: m.group(1) + paths.get(m.group(2), paths.get(m.group(2) + "~", "")), text)


def stale_mentions() -> list[str]:
    """Mentions of a split package that no mapping could decide (for a person)."""
    dotted = "|".join(re.escape(d) for d in DISSOLVED)
    folders = "|".join(re.escape(rel(module_path(d, True).parent)) for d in DISSOLVED)
    pattern = re.compile(
        rf"(?<![\w.])(?:{dotted})(?![\w])(?!\.[A-Za-z_])|(?<![\w/.])(?:src/)?fawtara/(?:{folders})/"
        rf"|(?<![\w/.])(?:service_layer|entrypoints)/(?=\w|$)"
    )
    found = []
    for path in text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path}:{number}: {line.strip()}")
    return found


# --- 5. patches: config, Makefile, architecture tests ----------------------


def top_level_packages() -> list[str]:
    found = set()
    for path in PKG.iterdir():
        if path.name.startswith(("_", ".")) or path.name == "__pycache__":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            found.add(path.name)
        elif path.suffix == ".py":
            found.add(path.stem)
    for new in [*MODULES.values(), *PACKAGES.values(), *NEW_PACKAGES]:
        found.add(new.split(".")[1])
    for old in [*MODULES, *PACKAGES, *DISSOLVED]:  # noqa: B007
        top = old.split(".")[1]
        if top not in {n.split(".")[1] for n in MODULES.values()}:
            found.discard(top)
    return sorted(found)


def toml_list(items: list[str], indent: str = "  ") -> str:
    return "[\n" + "".join(f'{indent}"{item}",\n' for item in items) + "]"


def importlinter_config() -> str:
    tops = top_level_packages()
    others = lambda *allowed: [f"fawtara.{t}" for t in tops if t not in allowed]  # noqa: E731
    layered = [f"fawtara.{c}" for c in LAYERED]
    return f"""
# import-linter (`make contracts`, part of `make test`): the import direction,
# in code. Written by the relayout script (docs/ARCHITECTURE.md).
[tool.importlinter]
root_packages = ["fawtara"]
include_external_packages = true

[[tool.importlinter.contracts]]
name = "The kernel imports nothing else of Fawtara"
type = "forbidden"
source_modules = ["fawtara.kernel"]
forbidden_modules = {toml_list(others("kernel"))}

[[tool.importlinter.contracts]]
name = "The Biller API imports only the kernel"
type = "forbidden"
source_modules = ["fawtara.biller_api"]
forbidden_modules = {toml_list(others("kernel", "biller_api"))}

# TODO(billing-switch split): "Billing and the switch are independent" passes only
# once billing and the switch have their own databases and meet over the Biller
# API; uncomment it then (lint-imports has no "expected to fail" mode).
# [[tool.importlinter.contracts]]
# name = "Billing and the switch are independent"
# type = "independence"
# modules = ["fawtara.billing", "fawtara.switch"]

# TODO(billing-switch split): "No circles between the top-level packages" fails
# today (billing <-> switch through ports and the shared storage, ops/portal/
# receipts <-> billing and counters); uncomment it with the one above.
# [[tool.importlinter.contracts]]
# name = "No circles between the top-level packages"
# type = "acyclic_siblings"
# ancestors = ["fawtara"]
# depth = 1

[[tool.importlinter.contracts]]
name = "The kernel and every domain import no I/O and no framework"
type = "forbidden"
source_modules = ["fawtara.kernel", "fawtara.*.domain"]
forbidden_modules = {toml_list(IO_PACKAGES)}

[[tool.importlinter.contracts]]
name = "Domains import no use case, adapter, entry point or composition root"
type = "forbidden"
source_modules = ["fawtara.kernel", "fawtara.*.domain"]
forbidden_modules = [
  "fawtara.*.use_cases",
  "fawtara.*.adapters",
  "fawtara.*.entrypoints",
  "fawtara.*.bootstrap",
  "fawtara.storage",
  "fawtara.cli",
  "fawtara.shell",
]

[[tool.importlinter.contracts]]
name = "Use cases import no adapter, entry point, composition root or framework"
type = "forbidden"
source_modules = ["fawtara.*.use_cases"]
forbidden_modules = {toml_list(['fawtara.*.adapters', 'fawtara.*.entrypoints', 'fawtara.*.bootstrap', 'fawtara.storage', 'fawtara.cli', 'fawtara.shell', *IO_PACKAGES])}

[[tool.importlinter.contracts]]
name = "Adapters never import entry points or composition roots"
type = "forbidden"
source_modules = ["fawtara.*.adapters", "fawtara.storage"]
forbidden_modules = ["fawtara.*.entrypoints", "fawtara.*.bootstrap", "fawtara.cli", "fawtara.shell"]

[[tool.importlinter.contracts]]
name = "Entry points reach adapters only through a composition root"
type = "forbidden"
source_modules = ["fawtara.*.entrypoints", "fawtara.cli", "fawtara.portal", "fawtara.web"]
forbidden_modules = ["fawtara.*.adapters", "fawtara.storage"]
allow_indirect_imports = true

[[tool.importlinter.contracts]]
name = "Layers inside each capability"
type = "layers"
containers = {toml_list(layered)}
layers = ["(entrypoints)", "(bootstrap)", "(adapters)", "(use_cases)", "(domain)"]
"""


MAKEFILE_CONTRACTS = """
# The import direction (pyproject.toml [tool.importlinter]).
contracts: $(STAMP)
\t$(BIN)/lint-imports
"""

ARCHITECTURE_TEST = '''"""The import direction, by capability: the core imports nothing of I/O; layers point inward.

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
'''

FOLDER_TABLE = """| folder (under `src/fawtara/`) | what is in it | docs |
|---|---|---|
| `kernel/` | what every capability shares, standard library only: money, calendar, limits, errors, references, billers (the Biller record and its payment rule), bills (`Bill`, `BillLine`, `plan_payment`), presentment (what a biller presents), backoff, clocks | [docs/ERRORS.md](docs/ERRORS.md) |
| `biller_api/` | the Biller API v1 both sides use: wire schema, paths, OpenAPI, the conformance kit behind `fawtara biller-check` | [docs/BILLER-API.md](docs/BILLER-API.md) |
| `billing/` | the billers' billing system (its own process and store): `domain/` (tariffs, usage, lifecycle, bill documents, jobs), `use_cases/` (bill run, bills, usage import, registry, post payment, inquiry, publishing to the switch, the in-flight check, lifecycle, scheduler), `adapters/` (repositories, leader lock, `provisioning/`, `switch_link/`), `entrypoints/` (`api.py`: the Biller API server; `cli.py`: `fawtara billing`; the scheduler), `bootstrap.py` | [docs/BILLING.md](docs/BILLING.md), [docs/LIFECYCLE.md](docs/LIFECYCLE.md), [docs/BILLER-API.md](docs/BILLER-API.md) |
| `switch/` | the payment switch (its own process and store): `domain/` (payments, participants, ledger, accounts), `use_cases/` (payments, payment steps, ledger, participants, history, bill files, the billers' feed and in-flight check, `ports.py`), `adapters/` (repositories, ledger, history, the copy of presented bills, biller links, `billers/`), `entrypoints/` (`api/`: the FastAPI app, billers, payments, the billers' side; the payment workers), `bootstrap.py` (the `Platform`) | [docs/PAYMENTS.md](docs/PAYMENTS.md), [docs/LEDGER.md](docs/LEDGER.md) |
| `storage/` | database plumbing both systems use: engine, schema (one Alembic chain per store: `migrations/` for the switch, `billing_migrations/` for billing), tables (each declared once, with the store that builds it), unit of work | |
| `banks/` | the bank connector: `domain/` (what the switch knows of a bank); `adapters/` (ISO 20022 messages, HTTP gateway and consent, statements, in-memory bank, `xsd/`) | [docs/BANKS.md](docs/BANKS.md) |
| `sms/` | SMS: `domain/` (texts, Arabic formatting), `use_cases/` (notifications, the outbox), `adapters/` (SMPP client, PDUs, gateway, config, store), `entrypoints/` (the SMS worker), `bootstrap.py` | [docs/SMS.md](docs/SMS.md) |
| `counters/` | cash counters: `domain/` (counters, shifts, staff, cash), `use_cases/` (cash books, payments, refunds, the stations' journal, counters, staff), `adapters/` (repositories, passwords), `entrypoints/` (`api/counter.py`, `cli/counters.py`), `bootstrap.py` | [docs/PAYMENTS.md](docs/PAYMENTS.md) ("Cash at a counter") |
| `receipts/` | signed receipts and Arabic PDFs: `domain/`, `use_cases/`, `adapters/` (PDF, QR scan, signing, `templates/`), `entrypoints/` (`api/`, `cli/`), `bootstrap.py` | [docs/RECEIPTS.md](docs/RECEIPTS.md) |
| `ops/` | operations: `domain/` (alerts, figures), `use_cases/monitoring.py`, `adapters/` (monitoring queries, probes, logs), `entrypoints/` (`api/metrics.py`, `api/operations.py`, `web/console.py`), `bootstrap.py` | [docs/OPERATIONS.md](docs/OPERATIONS.md) |
| `portal/` | the subscriber's web pages (`pages.py`) and their throttle | |
| `web/` | what the portal and the console share: i18n, rendering, `templates/`, `static/` | |
| `station/` | the counter station, its own small hexagon and process; `bootstrap.py` wires it | [docs/STATION.md](docs/STATION.md) |
| `cli/` | the `fawtara` command: the Typer root (`main.py`), `biller_check.py`, `station.py`, `up.py` (`fawtara up`) | |
| `shell.py` | what the root command and the capabilities' sub-commands share (consoles, `fail`, `platform()`) | |
| `config.py` | settings from the environment | |
| `simulators/` | systems the switch does not own: banks, the SMSC, a vendor's biller | [docs/BANKS.md](docs/BANKS.md), [docs/SMS.md](docs/SMS.md), [docs/BILLER-API.md](docs/BILLER-API.md) |
| `demo/` | demo data for `make run` | |
"""

ARCHITECTURE_MD = f"""# Architecture: the folders

Folders are named after what the system does; inside each capability the same
layers: `domain/` (pure rules, standard library and the kernel only),
`use_cases/` (one handler per use case, ports, no adapters), `adapters/`
(database, HTTP, SMPP, PDF), `entrypoints/` (HTTP, web pages, CLI, workers),
and the capability's composition root `bootstrap.py`, the only place that
chooses adapters. import-linter (`make contracts`, in `make test`; contracts in
pyproject.toml) checks the direction; `tests/test_architecture.py` names the
offending file.

{FOLDER_TABLE}
Composition roots: each capability's `bootstrap.py` holds its part of the
wiring; `switch/bootstrap.py` holds the `Platform` (settings, both stores'
engines, the clock, the links) that the others take.
"""

README_TABLE = re.compile(r"\| part \| where \| docs \|\n(?:\|.*\n)+")
README_NEW_TABLE = (
    FOLDER_TABLE.replace("(docs/", "(docs/")
    + "| benchmarks | `bench/` | [docs/BENCHMARKS.md](docs/BENCHMARKS.md) |\n"
)


def apply_docs(dry_run: bool) -> None:
    """README's "What is here" becomes the map of folders; docs/ARCHITECTURE.md too."""
    readme = Path("README.md")
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        new = README_TABLE.sub(lambda _: README_NEW_TABLE, text, count=1)
        new = new.replace(
            "`src/fawtara/switch/bootstrap.py` is the one place where adapters are chosen;\n"
            "`tests/test_architecture.py` keeps imports pointing inward.",
            "Each capability's `bootstrap.py` is the one place where its adapters are\n"
            "chosen; import-linter (`make contracts`) and `tests/test_architecture.py`\n"
            "keep imports pointing inward (docs/ARCHITECTURE.md).",
        )
        if new != text and not dry_run:
            readme.write_text(new, encoding="utf-8")
    doc = Path("docs/ARCHITECTURE.md")
    # Written once: a docs/ARCHITECTURE.md that has the map of folders is left alone.
    if Path("docs").is_dir() and not dry_run and (
        not doc.exists() or "| `kernel/` |" not in doc.read_text(encoding="utf-8")
    ):
        doc.write_text(ARCHITECTURE_MD, encoding="utf-8")


# Text patches applied before the generic rewrite: (file, old, new). Each must
# apply once, or its new text must already be there.
PATCHES: list[tuple[str, str, str]] = [
    (
        "pyproject.toml",
        'module = ["fawtara.domain.*", "fawtara.service_layer.*"]',
        'module = ["fawtara.kernel.*", "fawtara.*.domain.*", "fawtara.*.use_cases.*"]',
    ),
    (
        "pyproject.toml",
        '\n]\n\n[project.scripts]',
        '\n  "import-linter>=2.1",  # `make contracts`: the import direction\n]\n\n[project.scripts]',
    ),
    (
        "Makefile",
        "test: check pytest",
        "test: check contracts pytest",
    ),
    (
        "Makefile",
        ".PHONY: run test check lint typecheck pytest bench clean system-deps",
        ".PHONY: run test check contracts lint typecheck pytest bench clean system-deps",
    ),
    (
        "tests/unit/station/test_layers.py",
        '            ("fawtara.domain", "fawtara.station.model", "fawtara.station.rules")',
        "            (\n"
        '                "fawtara.kernel",\n'
        '                "fawtara.counters.domain",\n'
        '                "fawtara.receipts.domain",\n'
        '                "fawtara.sms.domain",\n'
        '                "fawtara.station.model",\n'
        '                "fawtara.station.rules",\n'
        "            )",
    ),
    (
        "tests/unit/station/test_layers.py",
        'assert not module.startswith(("fawtara.entrypoints", "fawtara.bootstrap")), module',
        'assert ".entrypoints" not in module and not module.endswith(".bootstrap"), module',
    ),
]


# Prose that names a split package, reworded (optional: a miss is only reported).
PROSE_PATCHES: list[tuple[str, str, str]] = [
    (
        "src/fawtara/station/__init__.py",
        "standard library and\n  `fawtara.domain` only.",
        "standard library, the\n  kernel and the counters' and receipts' domains only.",
    ),
    (
        "src/fawtara/station/rules.py",
        "not here but in `fawtara.domain`:",
        "not here but in the kernel and the domains:",
    ),
    (
        "src/fawtara/service_layer/scheduler.py",
        "calls `tick` (entrypoints/\nscheduler.py).",
        "calls `tick`\n(billing/entrypoints/scheduler.py).",
    ),
]


def apply_prose_patches(dry_run: bool) -> list[str]:
    """Run after the moves: file names are resolved through the mapping."""
    missed = []
    for name, old, new in PROSE_PATCHES:
        path = Path(name)
        if not path.exists():
            dotted = ".".join(path.with_suffix("").relative_to(SRC).parts)
            path = module_path(MODULES.get(dotted, dotted))
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if new in text:
            continue
        if text.count(old) != 1:
            missed.append(f"{name}: {old!r}")
        elif not dry_run:
            path.write_text(text.replace(old, new), encoding="utf-8")
    return missed


def apply_patches(dry_run: bool) -> list[str]:
    problems = []
    for name, old, new in PATCHES:
        path = Path(name)
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        text = path.read_text(encoding="utf-8")
        if new in text:
            continue
        if text.count(old) != 1:
            problems.append(f"{name}: expected once: {old!r}")
            continue
        if not dry_run:
            path.write_text(text.replace(old, new), encoding="utf-8")
    return problems


def apply_config(dry_run: bool) -> None:
    """import-linter config, Makefile target, architecture test, root docstring."""
    pyproject = Path("pyproject.toml")
    text = pyproject.read_text(encoding="utf-8")
    if "[tool.importlinter]" not in text and not dry_run:
        pyproject.write_text(text.rstrip("\n") + "\n" + importlinter_config(), encoding="utf-8")
    makefile = Path("Makefile")
    text = makefile.read_text(encoding="utf-8")
    if "\ncontracts:" not in text and not dry_run:
        anchor = "\npytest: $(STAMP)"
        assert anchor in text, "Makefile: no pytest target to put `contracts` before"
        makefile.write_text(text.replace(anchor, MAKEFILE_CONTRACTS + anchor, 1), encoding="utf-8")
    test = Path("tests/test_architecture.py")
    if test.read_text(encoding="utf-8") != ARCHITECTURE_TEST and not dry_run:
        test.write_text(ARCHITECTURE_TEST, encoding="utf-8")
    root = PKG / "__init__.py"
    text = root.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text), clean=False)
    if docstring is not None and docstring != ROOT_DOCSTRING and "by capability" not in docstring:
        tree = ast.parse(text)
        node = tree.body[0]
        lines = text.splitlines(keepends=True)
        lines[node.lineno - 1 : node.end_lineno] = [docstring_module(ROOT_DOCSTRING)]
        if not dry_run:
            root.write_text("".join(lines), encoding="utf-8")


# --- 7. ruff ----------------------------------------------------------------


def ruff(binary: str) -> int:
    targets = [t for t in ("src", "tests", "bench") if Path(t).exists()]
    subprocess.run([binary, "check", "--fix", "--quiet", *targets], check=False)
    return subprocess.run([binary, "check", *targets], check=False).returncode


def find_ruff(explicit: str | None) -> str | None:
    for candidate in [explicit, ".venv/bin/ruff", shutil.which("ruff")]:
        if candidate and Path(candidate).exists():
            return candidate
    return None


# --- main -------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=".", help="the checkout to relayout (default: .)")
    parser.add_argument("--dry-run", action="store_true", help="say what would change")
    parser.add_argument("--allow-dirty", action="store_true", help="run on uncommitted changes")
    parser.add_argument("--ruff", help="the ruff binary (default: .venv/bin/ruff, then PATH)")
    parser.add_argument("--no-ruff", action="store_true", help="skip `ruff check --fix`")
    options = parser.parse_args()
    os.chdir(options.repo)
    if not (PKG / "__init__.py").exists():
        say(f"no {PKG}/__init__.py here: run from the repository root or pass --repo")
        return 1
    check_mapping()

    missing = unmapped()
    if missing:
        say("refusing: these files under the old packages are not in the mapping")
        say("(add each to MODULES, PACKAGES or DATA at the top of this script):")
        for path in missing:
            print(f"  {path}")
        return 1
    pending = list(old_files())
    if pending and not options.allow_dirty and git("status", "--porcelain", "--", "src").strip():
        say("refusing: src/ has uncommitted changes (commit them, or pass --allow-dirty)")
        return 1

    moved = move_files(options.dry_run)
    inits = write_inits(options.dry_run)
    if not options.dry_run:
        old_init_docstrings()
    surgeries = sum(apply_symbol_move(move, options.dry_run) for move in SYMBOL_MOVES)
    problems = apply_patches(options.dry_run)
    for missed in apply_prose_patches(options.dry_run):
        say(f"prose patch not applied (reword by hand): {missed}")
    changed = rewrite_references(options.dry_run)
    apply_docs(options.dry_run)
    apply_config(options.dry_run)
    if not options.dry_run:
        remove_empty_old_dirs()
    say(f"moved {moved} files, wrote {inits} __init__.py, {surgeries} symbol moves")
    say(f"rewrote references in {len(changed)} files")
    for problem in problems:
        say(f"patch not applied: {problem}")
    stale = stale_mentions()
    if stale:
        say(f"{len(stale)} lines still name a split package (prose for a person to reword):")
        for line in stale:
            print(f"  {line}")
    if options.dry_run or options.no_ruff:
        return 1 if problems else 0
    binary = find_ruff(options.ruff)
    if binary is None:
        say("ruff not found (make .venv/.installed, or pass --ruff): skipped")
        return 1
    status = ruff(binary)
    say("ruff check: clean" if status == 0 else "ruff check: NOT clean (see above)")
    if not pending:
        say("the tree was already laid out by capability; this run was a re-check")
    return 1 if problems or status else 0


if __name__ == "__main__":
    sys.exit(main())
