"""Every bound of the system, in one place, with the reason beside it.

Names carry the unit last (`_max`, `_minor`, `_ms`, `_rows`). A value that is
exceeded is an expected failure (`LimitExceeded`), never a silent truncation.
"""

from __future__ import annotations

# Money. 10^15 qirsh is 10 trillion new pounds: far above any bill or payment
# (the whole of H1 2024 was about 10 billion new pounds), and well inside a
# signed 64-bit column, so sums of many amounts cannot overflow BIGINT.
amount_minor_max = 10**15

# Tariff rates are exact integers in millionths of a minor unit (see
# money.RATE_SCALE); a rate above 10^12 (10 million SYP per unit) is a typo.
rate_micro_minor_max = 10**12

# Usage quantities (call units, kWh, m³) per service per cycle. A household
# meter cannot plausibly record a billion units in two months.
usage_quantity_max = 10**9

# Text fields.
name_length_max = 120
customer_reference_length_max = 32
description_length_max = 200

# A usage file: larger files are split by the sender. Keeps one import's
# memory and its error report bounded.
usage_file_rows_max = 5_000_000
usage_errors_reported_max = 1_000

# Bill runs work in batches: one transaction per batch, so a killed run loses
# at most one batch and memory stays flat whatever the number of services.
bill_run_batch_rows = 5_000

# A bill carries a handful of lines (rental, units, blocks); more is a bug.
bill_lines_max = 16

# One payment pays at most this many bills (a year of monthly bills and more).
bills_per_payment_max = 24

# Due days and grace days that a biller may configure.
due_days_max = 120
grace_days_max = 120

# The billers registry is small; the API pages nothing, but it is bounded.
billers_max = 1_000
