"""Starting the simulated biller: `build_biller_app` and `serve_biller` (uvicorn)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from fawtara.biller_api.schema import PaymentRule
from fawtara.simulators.biller.app import create_biller_app
from fawtara.simulators.biller.faults import SLOW_S_DEFAULT, Fault
from fawtara.simulators.biller.seed import API_KEY_DEFAULT, BILLER_DEFAULT, demo_customers
from fawtara.simulators.biller.store import BillerStore

SHUTDOWN_GRACE_S = 3


def build_biller_app(
    fault: Fault = Fault.NONE,
    biller: str = BILLER_DEFAULT,
    api_key: str = API_KEY_DEFAULT,
    slow_s: float = SLOW_S_DEFAULT,
) -> tuple[FastAPI, BillerStore]:
    """The app and its store, seeded with the demo customers (partial payments allowed)."""
    store = BillerStore(biller, demo_customers(), PaymentRule(kind="partial"))
    return create_biller_app(store, api_key, fault, slow_s), store


def serve_biller(app: FastAPI, port: int, host: str = "127.0.0.1") -> None:
    uvicorn.run(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_GRACE_S
    )
