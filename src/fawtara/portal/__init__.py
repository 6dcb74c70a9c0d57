"""The subscriber's web pages: find bills, pay, follow the payment."""
