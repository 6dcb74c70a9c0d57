"""The HTTP API (FastAPI). OpenAPI at /openapi.json."""
