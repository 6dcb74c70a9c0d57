"""The switch's repositories, its ledger and history stores, and its links to
the billers' systems.
"""
