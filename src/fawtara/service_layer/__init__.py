"""Use cases: one handler per use case, each in its own unit of work.

Handlers load through repositories, decide in the domain, commit. They know
the ports (ports.py), never a concrete adapter.
"""
