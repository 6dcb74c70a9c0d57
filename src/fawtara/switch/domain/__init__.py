"""The switch's pure rules: payments, participants, the ledger, accounts."""
