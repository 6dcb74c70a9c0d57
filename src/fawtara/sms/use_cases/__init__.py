"""Which SMS to send when, and the outbox the worker drains."""
