"""Alembic migrations of the shared schema (env.py, versions/)."""
