"""The metrics and operations routes (FastAPI routers)."""
