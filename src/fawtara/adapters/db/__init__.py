"""Storage on SQLite (embedded default) and PostgreSQL (production).

One schema on both engines (tables.py), applied by Alembic migrations
(migrations/), read and written through SQLAlchemy Core in repositories
that a unit of work (uow.py) hands out per transaction.
"""
