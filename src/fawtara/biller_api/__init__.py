"""The Biller API: the written contract between the switch and the billers' systems.

Both sides import this package and nothing else of each other: the wire
models (`schema`), the paths (`paths`) and the meaning of a biller's payment
rule. docs/BILLER-API.md describes it for a vendor; docs/biller-api.openapi.json
is generated from these models and tests validate both sides against it.
"""

from fawtara.biller_api.schema import API_VERSION

__all__ = ["API_VERSION"]
