"""The `fawtara counters`, `fawtara staff` and `fawtara audit` commands."""
