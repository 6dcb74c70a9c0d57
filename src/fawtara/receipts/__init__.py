"""Signed receipts and Arabic PDFs of receipts and bills (docs/RECEIPTS.md)."""
