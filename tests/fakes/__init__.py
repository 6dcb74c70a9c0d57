"""In-memory fakes of the ports, for the unit tier (cosmicpython's FakeUnitOfWork).

Each fake is a dict-backed stand-in for one Protocol of a capability's
`use_cases/ports.py`; tests/integration/billing/test_fake_contract.py runs the
same checks on the fake and on the SQL adapter, so the two cannot drift.
"""
