"""The switch API as a uvicorn factory, for bench/payments.py's end-to-end run.

`fawtara serve` runs one uvicorn process; this factory lets the benchmark run
the same app under `python -m uvicorn --factory --workers N`, each worker
bootstrapping from the environment (FAWTARA_DATABASE_URL, FAWTARA_BANKS) as
`fawtara serve` does:

    python -m uvicorn --factory --app-dir bench payments_app:app --workers 2
"""

from __future__ import annotations

from fastapi import FastAPI

from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import bootstrap


def app() -> FastAPI:
    return create_app(bootstrap())
