"""The `fawtara keys` and `fawtara receipt` commands."""
