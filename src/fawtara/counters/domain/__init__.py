"""Counters' pure rules: counters, shifts, staff roles, cash."""
