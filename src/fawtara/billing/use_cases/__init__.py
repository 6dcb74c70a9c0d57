"""Billing's use cases: bill runs, usage import, the registry, payments posted by
the switch, the lifecycle and its scheduler. They know ports, not adapters.
"""
