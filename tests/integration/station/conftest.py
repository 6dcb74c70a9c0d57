"""The offline desk of test_desk_offline.py, for the other desk tests of this folder."""

from tests.integration.station.test_desk_offline import clock, desk

__all__ = ["clock", "desk"]
