"""SMS confirmations and notices: the messages, the SMPP link and its worker."""
