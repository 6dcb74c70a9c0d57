"""The switch's use cases: one handler per use case, and the ports (ports.py)
they need; never a concrete adapter.
"""
