"""The FastAPI application: routes stay thin, errors keep one shape.

Every error answers `{"error": {"code", "message", "message_ar"}}` with a
stable code (docs/ERRORS.md).
"""

from __future__ import annotations

from fastapi import FastAPI

from fawtara import __version__
from fawtara.counters.entrypoints.api import counter
from fawtara.ops.entrypoints.api import operations
from fawtara.ops.entrypoints.web import console
from fawtara.portal import pages as portal
from fawtara.receipts.entrypoints.api import receipts
from fawtara.switch.bootstrap import Platform
from fawtara.switch.entrypoints.api import biller_side, billers, payment_files, payments
from fawtara.switch.use_cases.ports import BankGateway
from fawtara.web.errors import install_error_handling
from fawtara.web.rendering import mount_static


def create_app(platform: Platform, bank: BankGateway | None = None) -> FastAPI:
    """The app for a wired platform; refuses a database whose schema is behind."""
    platform.require_current_schema()
    app = FastAPI(
        title="Fawtara",
        version=__version__,
        description="Electronic bill presentment and payment network (فوترة).",
    )
    app.state.platform = platform
    app.state.switch = platform.switch(bank or platform.bank_gateway())

    install_error_handling(app)
    app.include_router(billers.router)
    app.include_router(biller_side.router)
    app.include_router(payment_files.router)
    app.include_router(payments.router)
    app.include_router(counter.router)
    app.include_router(receipts.router)
    app.include_router(operations.router)
    app.include_router(portal.router)
    console.install(app)
    mount_static(app)
    return app
