"""The switch's thin fronts: the HTTP API (api/) and the payment workers."""
