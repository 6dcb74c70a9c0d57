"""The counter station: the process at a telephone centre that serves the cashier's page.

A small hexagon of its own, beside the switch (docs/STATION.md):

- `model` and `rules`: pure data and decisions (journal entries, cash to take,
  change, shift figures, when to retry a sync); standard library, the
  kernel and the counters' and receipts' domains only.
- `store`: the station's own SQLite file: the snapshot of the switch (counter,
  cashiers, billers, unpaid bills of the area), the journal, shifts, payments,
  voids and sessions. Every action writes its journal entry and its local effect in
  one transaction, so a crash loses nothing the cashier was told.
- `link`: the switch's counter API over HTTP (snapshot pages, journal pushes).
- `sync`: pushes the journal in order and refreshes the snapshot, by itself,
  with backoff while the link is down.
- `counter`: the cashier's use cases (sign in, shifts, payments, a supervisor's
  approval and void at the desk).
- `web`: the Arabic right-to-left page (FastAPI + Jinja2), wired by
  `fawtara.station.bootstrap`.
"""
