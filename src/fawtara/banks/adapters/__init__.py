"""The bank connector: ISO 20022 messages over HTTP between the switch and the banks.

- `iso20022`: build and read pain.001 / pain.002 / pacs.028 / pacs.002 /
  pacs.004 (and, through `statements`, camt.053 / camt.054), each validated
  against the published XSD shipped in `xsd/`.
- `wire`: what all messages share: schema loading and validation, exact
  amount, id and time conversions, `MalformedBankMessage`.
- `statements`: camt.053 statements and camt.054 notifications, for
  reconciliation.
- `http_gateway`: `HttpBankGateway`, the `BankGateway` port over HTTP (httpx).
- `in_memory`: a bank inside the switch's process, with the same promises,
  for the core-path benchmark and flow tests that need no wire.

The bank simulator (`fawtara.simulators.bank`) speaks the same messages from
the bank's side. docs/BANKS.md describes the conventions.
"""
