"""Counters' repositories and password hashing."""
