"""The `fawtara` command (Typer + Rich): the root app (main.py), the sub-apps that
belong to no capability, and `fawtara up` (up.py).
"""
