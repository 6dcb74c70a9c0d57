"""The shared database plumbing (temporary): engine, schema and Alembic migrations,
tables, unit of work. Billing and the switch will each get their own.
"""
