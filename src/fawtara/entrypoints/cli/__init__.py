"""The `fawtara` command (Typer + Rich)."""
