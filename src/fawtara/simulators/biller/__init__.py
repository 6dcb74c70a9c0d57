"""A simulated online biller: a vendor's billing system serving the Biller API v1.

It keeps a few customers and their bills in memory and answers inquiry,
payment notices (idempotent by payment id), notice status and reversals, as
docs/BILLER-API.md asks of a biller. It can be told to be wrong in one way at
a time (faults.py), so that the conformance kit (`fawtara biller-check`) is
seen to catch each mistake. Run it with
`python -m fawtara.simulators.biller --port 8201 --fault none`.

It imports nothing of the switch: only the wire contract, `fawtara.biller_api`.
"""
