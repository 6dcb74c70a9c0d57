"""SMS texts and their Arabic formatting, as pure functions."""
