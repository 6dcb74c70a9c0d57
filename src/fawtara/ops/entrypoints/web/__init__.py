"""The operations console (server-rendered pages)."""
