"""What the switch knows of a bank, as pure data and rules."""
