"""The billing store's revisions, b0001 onwards (one chain, never rewritten once run)."""
