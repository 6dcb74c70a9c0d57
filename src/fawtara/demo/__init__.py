"""Demo data for `make run`: billers, tariffs, subscribers, usage, bills."""
