"""Billing's thin fronts: the scheduler process."""
