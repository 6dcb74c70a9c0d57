"""Billing's storage (repositories over the shared database for now), the
scheduler's leader lock, and the links to the billers' networks.
"""
