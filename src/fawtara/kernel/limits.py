"""Every bound of the system, in one place, with the reason beside it.

Names carry the unit last (`_max`, `_minor`, `_ms`, `_rows`). A value that is
exceeded is an expected failure (`LimitExceeded`), never a silent truncation.
"""

from __future__ import annotations

from fawtara.kernel.errors import LimitExceeded

# Money. 10^15 qirsh is 10 trillion new pounds: far above any bill or payment
# (the whole of H1 2024 was about 10 billion new pounds), and well inside a
# signed 64-bit column, so sums of many amounts cannot overflow BIGINT.
amount_minor_max = 10**15

# Tariff rates are exact integers in millionths of a minor unit (see
# money.RATE_SCALE); a rate above 10^12 (10,000 SYP per unit) is a typo.
rate_micro_minor_max = 10**12

# Usage quantities (call units, kWh, m³) per service per cycle. A household
# meter cannot plausibly record a billion units in two months.
usage_quantity_max = 10**9

# Text fields.
name_length_max = 120
customer_reference_length_max = 32
description_length_max = 200
# Identifiers a caller names in a path: a payment id is a UUID in text (36
# characters); a bill id is made by its biller, at most 64. A longer one names
# nothing and is refused (check_length), never cut to another id.
payment_id_length_max = 36
bill_id_length_max = 64
# The console's search box takes a payment id, a receipt number or a phone number.
payment_search_query_length_max = 64

# Free text kept with a row for people to read: clipped (clip) to its column,
# keeping the start, where the cause is said. An error detail, a failure reason
# or an event's note: 400 characters hold a peer's message and its context.
detail_length_max = 400
# A void's or a reversal's reason, as the cashier or operator wrote it.
reason_length_max = 200
# A ledger transfer's reference ("<biller> <customer ref>", a refund's note).
transfer_reference_length_max = 200
# The file a usage import came from, as its operator named it.
usage_source_length_max = 200
# Who ran a scheduled job: host and process id.
job_runner_length_max = 64
# A peer's answer quoted in a log line or an error message: the start shows the cause.
excerpt_length_max = 200
# Input quoted back in an error message (a search, a field a bank sent): enough to
# recognise it, short enough that the message stays one line.
quoted_input_length_max = 40

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

# The payment switch.
# A payment that the bank has not settled (no answer) is resolved by status
# inquiry within this time; past it the switch returns what may have been
# debited, so no payment stays unknown for ever (DESIGN.md rule 5).
unknown_resolution_s = 60
# How long a channel's POST /v1/payments waits for a final state before
# answering with the current one for the caller to poll.
payment_wait_s_default = 10
payment_wait_s_max = 30
# A driver (API request or worker) holds a payment this long before another
# may pick it up; steps are idempotent, so an expired lease is harmless.
payment_lease_s = 15
# Retries of a step that found the bank or biller unreachable: backoff from
# the first to the max, doubling.
retry_backoff_s_first = 1
retry_backoff_s_max = 30
# A worker claims at most this many due payments per round.
worker_batch_rows = 100
# Request bodies larger than this are refused before parsing.
request_body_bytes_max = 64 * 1024

# SMS
# A concatenated SMS may have 255 parts (8-bit count), but the operator bills
# every part and handsets drop long chains; six parts (6 x 67 = 402 UCS-2
# characters) hold the longest notice the templates can make: a 120-character
# biller name, three listed periods, the largest amount and receipt number.
sms_parts_max = 6
sms_text_length_max = sms_parts_max * 67
# More than three periods are shown as a range ("from … to …"), not listed.
sms_periods_listed_max = 3
# Receipt numbers are short identifiers (the payments table holds 20 characters).
sms_receipt_no_length_max = 20
# One worker batch: one transaction per stage per batch; at 500 messages/s a
# batch is 0.4 s of work, so a killed worker leaves at most that in doubt.
sms_batch_rows = 200
# Transient failures (throttling, no connection) are retried with exponential
# backoff from 1 s to 5 min, for at most 6 hours after the payment: a
# confirmation that late is noise, and the operator console shows the failure.
sms_retry_backoff_ms_min = 1_000
sms_retry_backoff_ms_max = 300_000
sms_retry_deadline_s = 6 * 3600
# A message left in `submitting` longer than this belongs to a dead worker: a
# live one ends a batch within 6 parts x (20 s waiting for a session + 10 s
# response timer) = 180 s with the default SMPP settings.
sms_submitting_lease_s = 300
# A message in `unknown` (possibly sent) waits this long for a delivery receipt
# from the subscriber's number before it is handed to an operator as failed.
sms_unknown_resolution_s = 24 * 3600
# SMPP: outstanding submit_sm without a response, and submits per second.
smpp_window_max = 256
smpp_rate_per_s_max = 10_000
# Receipts read from the SMSC and not yet stored; past this the client stops
# acknowledging deliver_sm, so the SMSC keeps them and sends them again later.
smpp_receipts_buffered_max = 10_000

# Service lifecycle (docs/LIFECYCLE.md)
# Reminders go this many days before the due date (FAWTARA_REMINDER_DAYS_BEFORE);
# a reminder earlier than a month ahead would precede the bill itself.
reminder_days_before_default = 3
reminder_days_before_max = 30
# A cash counter that has not synced past a bill's due day may hold an offline
# payment of it: the sweep waits for it this many days past the grace, then
# suspends anyway (the apology path repairs what the counter brings later).
counter_sync_wait_days_max = 5
# Services reviewed per sweep transaction: a killed sweep loses at most one batch.
lifecycle_batch_rows = 500
# Reconnection reviews and provisioning orders taken per scheduler round.
lifecycle_reviews_batch_rows = 200
provisioning_batch_rows = 100
# Orders the network did not take are retried from 5 s to 10 min, doubling.
provisioning_retry_backoff_s_first = 5
provisioning_retry_backoff_s_max = 600
# The scheduler wakes this often: the bound on the delay between a payment of
# the overdue amount and the reconnection order (target: under 60 s).
scheduler_tick_s = 5
# Bill runs and reminders of days missed while no scheduler ran are caught up
# this far back; older ones need an operator (`fawtara billing bill-run`).
scheduler_catch_up_days = 7
# A failed job is retried from 1 min to 1 h, doubling, for as long as it fails.
job_retry_backoff_s_first = 60
job_retry_backoff_s_max = 3600
# `fawtara billing jobs` lists at most this many runs.
job_runs_listed_max = 500

# Receipts (docs/RECEIPTS.md). The QR text of a receipt: a QR code holds at
# most 2,953 bytes (version 40, level L); a receipt of 24 bills takes about 2,650.
receipt_qr_text_chars_max = 2_900
# Counter codes in certificates and receipts, as the counter contract fixes them.
counter_code_length_max = 16
# A scanned image or PDF page given to `fawtara receipt verify`.
receipt_file_bytes_max = 20 * 1024 * 1024

# Operations console: a payment search (by phone number above all) shows at
# most this many payments, newest first; an operator narrows by receipt or id.
payment_search_results_max = 50

# Operations figures and probes (docs/OPERATIONS.md). The window the figures
# look back over: five minutes by default, an hour at most, so every query
# reads a bounded slice of recent rows.
figures_window_s_default = 300
figures_window_s_max = 3600
# Latency percentiles are taken over at most this many of the newest final
# payments of the window; SMS delivery over this many newest messages.
figures_latency_samples_max = 10_000
figures_sms_sample_max = 10_000
# A link probe waits this long; its result is reused this long, so frequent
# scrapes do not hammer the banks and the SMSC.
probe_timeout_s = 1.0
probe_cache_s = 5.0

# Counters and their staff (issue 5)
# Sign-in: after this many wrong passwords in a row the account is locked for
# a quarter of an hour: too slow for guessing (at most 20 tries an hour), short
# enough that a cashier who mistyped is not kept from the queue for long.
sign_in_failures_max = 5
sign_in_lock_minutes = 15
# A sign-in lasts one working day at most (a shift), then the password is asked again.
staff_session_hours = 12
username_length_max = 32
password_length_min = 8
password_length_max = 200  # argon2 hashes anything; a limit keeps requests bounded
# A counter station pushes its journal in batches of at most this many entries,
# and reads its snapshot of unpaid bills in pages of at most this many bills.
counter_journal_entries_max = 200
counter_snapshot_bills_max = 5_000
# A cash entry's time (when the cash was taken; it counts for the 30-day rule)
# may be at most this far ahead of the switch's clock, or before its shift opened.
counter_clock_skew_s = 300
# The snapshot's first page carries at most this many refunds owed in the area.
counter_snapshot_refunds_max = 5_000
# `fawtara audit` and the audit queries list at most this many rows.
audit_rows_listed_max = 1_000
# The counter station (src/fawtara/station/). After a payment the cashier's page
# waits this long for the switch's answer before it prints "pending sync": a
# queue at the counter must not wait on a weak line.
station_push_wait_s = 3.0
# The station re-reads its snapshot (bills, cashiers) this often; while the link
# is down it retries pushes from 1 s to 1 min, doubling.
station_snapshot_refresh_s = 60
station_sync_backoff_s_first = 1
station_sync_backoff_s_max = 60
# The cashier's page lists at most this many payments of the shift.
station_payments_listed_max = 200
# Cash (counters/domain/cash.py): a configured set of notes and coins is short; a longer
# one is a configuration mistake.
cash_denominations_max = 20
# The subscriber portal's steps that reach a bank (a code sent by SMS, its
# confirmation): at most this many a minute from one client address, in bursts
# of as many (portal/throttle.py); the bank caps each account as well.
portal_bank_steps_per_minute = 10
portal_throttled_clients_max = 10_000


def check_length(text: str, length_max: int, what: str) -> str:
    """`text` when it has at most `length_max` characters; LimitExceeded otherwise.

    For input at the edge, where a shortened value would mean something else."""
    if len(text) > length_max:
        raise LimitExceeded(f"{what} has at most {length_max} characters, got {len(text)}")
    return text


def clip(text: str, length_max: int) -> str:
    """`text` shortened to `length_max` characters, for free text kept for people to read
    (an error detail, a log excerpt) whose start says what happened."""
    return text[:length_max]


# --- The Biller API (docs/BILLER-API.md) ---------------------------------------
# An online biller that does not answer an inquiry is replaced by the switch's
# copy of its last answer while the copy is this young (then BILLER_UNAVAILABLE).
presented_copy_age_s_max = 15 * 60
# A payment is checked against the copy; a copy older than this is refreshed
# first by an inquiry (when the biller answers).
presented_copy_refresh_s = 60
biller_timeout_s_default = 5.0
# While an online biller is down, its oldest waiting notice is retried with
# this backoff; the others wait behind it, so notices arrive in acceptance order.
biller_retry_backoff_s_first = 1
biller_retry_backoff_s_max = 60
# The billing system asks the switch which payments are in flight before it
# suspends; an answer older than this is not trusted (the suspension waits).
in_flight_answer_age_s_max = 120
in_flight_refs_per_query_max = 500
# A page of the acceptance feed (biller_api.schema.FEED_PAGE_MAX).
feed_page_max = 500
feed_page_default = 100
# A payments file holds at most this many payments (biller_api.schema.FEED_PAGE_MAX);
# a download lists (and cuts, while fewer are open) at most this many files, so a
# biller that never acknowledges holds a bounded backlog of files.
payments_per_file_max = 500
payment_files_open_max = 10
# A payment of an upload-mode biller waits for its payments file: the worker looks
# at it again after this long (the acknowledgement completes it, not the worker).
upload_payment_recheck_s = 3600
# The billing scheduler collects its upload-mode billers' payments files this often.
payment_collection_interval_s = 60
# Free text kept for people to read (an error detail, a link's last error) is
# shortened to this, on purpose and in one place; input is refused instead.
error_detail_length_max = 200
