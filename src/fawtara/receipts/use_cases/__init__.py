"""Receipts and bill documents read from the stores."""
