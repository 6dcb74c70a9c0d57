"""Fawtara (فوترة): an open electronic bill presentment and payment network.

The package is laid out by capability (billing/, switch/, banks/, sms/,
counters/, receipts/, ops/, portal/, station/) around a small kernel/; each
capability is layered inside (domain/, use_cases/, adapters/, entrypoints/)
and has its composition root (bootstrap.py). import-linter contracts
(pyproject.toml, `make contracts`) keep the import direction.
"""

__version__ = "0.1.0"
