"""Processes that stand in for systems the switch does not own.

Each runs on its own, with its own state, and speaks the real protocol, so
the switch is tested against the wire and not against a fake:

- `bank`: a bank with accounts and balances in its own SQLite file,
  ISO 20022 over HTTP, faults on demand (`fawtara bank-sim`).
- `smsc`: a short message service centre speaking SMPP 3.4, with delivery
  receipts and faults on demand.
- `biller`: a utility's billing system serving the Biller API v1 from memory,
  wrong in one chosen way on demand (`python -m fawtara.simulators.biller`).
"""
