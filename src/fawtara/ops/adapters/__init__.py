"""Monitoring queries, link probes and the log format."""
