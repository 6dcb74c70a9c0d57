"""The payment company's switch: participants, presentment, payments, the
double-entry ledger. Layered inside: domain/, use_cases/, adapters/, entrypoints/.
"""
