"""The bank connector: ISO 20022 over HTTP, the switch's port to the banks."""
