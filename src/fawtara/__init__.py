"""Fawtara (فوترة): an open electronic bill presentment and payment network.

The package is laid out by architecture layer, and imports point inward only:

    entrypoints  ->  service_layer  ->  domain
         \\-> bootstrap -> adapters -> service_layer.ports

`domain/` is pure (standard library only), `service_layer/` holds the use cases
and the small interfaces (ports) they need, `adapters/` implements those ports
(database, clock), and `entrypoints/` are the thin HTTP and CLI fronts.
`bootstrap.py` is the one place where concrete adapters are chosen.
"""

__version__ = "0.1.0"
