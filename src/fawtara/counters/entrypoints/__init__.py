"""Counters' fronts: the counter API for stations and the CLI."""
