"""The SMSC simulator: an SMPP 3.4 server plus a small HTTP API for tests and the demo.

server.SmscSimulator   the SMPP side: logins, parts, receipts, faults
web                    GET /messages, GET/POST /admin/faults, GET /healthz
app.run_smsc_simulator the process: both servers on one event loop
cli.smsc_sim           the body of `fawtara smsc-sim`
"""
