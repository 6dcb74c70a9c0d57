"""Receipts' fronts: the receipt API and the `keys`/`receipt` commands."""
