"""The receipt PDF route (FastAPI router)."""
