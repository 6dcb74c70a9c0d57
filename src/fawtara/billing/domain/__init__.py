"""Billing's pure rules: tariffs, usage, the service lifecycle, jobs."""
