"""Adapters: the edges where the core meets the world (database, clock).

Each adapter implements a port of `fawtara.service_layer.ports`; only
`fawtara.bootstrap` chooses which.
"""
