"""A bank simulator: real accounts and balances in its own SQLite file, ISO 20022 over HTTP.

- `store`: the bank's books (schema created on start, WAL, BEGIN IMMEDIATE).
- `booking`: the rules: debit once per payment id, reject with ISO reasons,
  return at most what was debited.
- `faults`: delay, drop the reply, reject, HTTP 500, switched at run time.
- `push`: payments made in the bank's own app, pushed to the switch.
- `app`: the HTTP face (FastAPI): ISO endpoints and the admin JSON API.
- `cli`: `run_bank_simulator`, and the body of `fawtara bank-sim`.

Run it with `python -m fawtara.simulators.bank --bank CBSY --port 8101
--database var/bank-CBSY.db`, or through the `fawtara bank-sim` command.
"""
