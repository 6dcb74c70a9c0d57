"""The switch's links to the billers' billing systems (the Biller API, docs/BILLER-API.md).

`http_gateway` speaks the Biller API over HTTP to a biller's own system (what
`make run` and production use); `in_process` calls the billing system's use
cases on its own store directly, for tests that run both systems in one
process. Both implement service_layer.ports.BillerGateway.
"""
