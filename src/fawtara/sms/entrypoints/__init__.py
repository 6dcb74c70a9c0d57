"""The SMS worker process."""
