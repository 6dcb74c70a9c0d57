"""The utility's billing system: customers, services, tariffs, bill runs and the
service lifecycle. Layered inside: domain/, use_cases/, adapters/, entrypoints/.
"""
