"""The counter API the stations call (FastAPI router)."""
