"""The pure core: money, limits, errors, billers, tariffs, bills, the ledger.

Nothing here reads a clock, a file, a socket or a database; callers pass time
and data in. Only the standard library is imported (guarded by
tests/test_architecture.py).
"""
