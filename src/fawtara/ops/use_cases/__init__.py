"""Monitoring: what the console and the alerts read."""
