"""The switch API as a uvicorn factory, for bench/payments.py's end-to-end run.

`fawtara serve` runs one uvicorn process; this factory lets the benchmark run
the same app under `python -m uvicorn --factory --workers N`, each worker
bootstrapping from the environment as `fawtara serve` does: the switch's store
(FAWTARA_DATABASE_URL), its banks (FAWTARA_BANKS) and its billers' Biller API
(FAWTARA_BILLER_LINKS, FAWTARA_BILLER_API_KEY; bench/payments.py points them at
the `fawtara billing serve` it starts, and sets FAWTARA_BILLING_DATABASE_URL
empty: the switch has no billing store):

    python -m uvicorn --factory --app-dir bench payments_app:app --workers 2
"""

from __future__ import annotations

from fastapi import FastAPI

from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import bootstrap


def app() -> FastAPI:
    return create_app(bootstrap())
