"""The billing system's own migrations (Alembic): its store, apart from the switch's.

Run by `fawtara billing db upgrade`; storage/schema.py names the chain `billing`.
"""
