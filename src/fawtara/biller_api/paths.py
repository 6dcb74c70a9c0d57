"""Where each operation of the Biller API lives (version 1).

Served by an online biller (the switch calls):

    GET  /biller-api/v1/billers/{biller}/customers/{customer_ref}/bills   inquiry
    PUT  /biller-api/v1/billers/{biller}/notices/{payment_id}             payment notice
    GET  /biller-api/v1/billers/{biller}/notices/{payment_id}             notice status
    PUT  /biller-api/v1/billers/{biller}/notices/{payment_id}/reversal    reversal notice

Served by the switch (a biller calls, with its participant key):

    GET  /biller-api/v1/feed?after=&limit=            acceptance notices since a cursor
    POST /biller-api/v1/in-flight                      accepted, not yet acknowledged
    PUT  /biller-api/v1/bill-files/{file_id}           bill upload (upload-mode billers)
    GET  /biller-api/v1/payment-files?after=           the payments file(s) to download
    POST /biller-api/v1/payment-files/{file_id}/ack    the biller took that file

Every call carries `X-Api-Key`; every error answers
`{"error": {"code", "message", "message_ar"}}` with a stable code.
"""

from __future__ import annotations

from urllib.parse import quote

PREFIX = "/biller-api/v1"
API_KEY_HEADER = "X-Api-Key"

# Served by the biller.
INQUIRY = PREFIX + "/billers/{biller}/customers/{customer_ref}/bills"
NOTICE = PREFIX + "/billers/{biller}/notices/{payment_id}"
REVERSAL = PREFIX + "/billers/{biller}/notices/{payment_id}/reversal"
# The bill as the biller prints it (application/pdf); ?customer_ref= must be its owner's.
BILL_DOCUMENT = PREFIX + "/billers/{biller}/bills/{bill_id}/document"

# Served by the switch.
FEED = PREFIX + "/feed"
IN_FLIGHT = PREFIX + "/in-flight"
BILL_FILE = PREFIX + "/bill-files/{file_id}"
PAYMENT_FILES = PREFIX + "/payment-files"
PAYMENT_FILE_ACK = PREFIX + "/payment-files/{file_id}/ack"


def inquiry(biller: str, customer_ref: str) -> str:
    return INQUIRY.format(biller=quote(biller, safe=""), customer_ref=quote(customer_ref, safe=""))


def notice(biller: str, payment_id: str) -> str:
    return NOTICE.format(biller=quote(biller, safe=""), payment_id=quote(payment_id, safe=""))


def reversal(biller: str, payment_id: str) -> str:
    return REVERSAL.format(biller=quote(biller, safe=""), payment_id=quote(payment_id, safe=""))


def bill_document(biller: str, bill_id: str) -> str:
    return BILL_DOCUMENT.format(biller=quote(biller, safe=""), bill_id=quote(bill_id, safe=""))


def bill_file(file_id: str) -> str:
    return BILL_FILE.format(file_id=quote(file_id, safe=""))


def payment_file_ack(file_id: str) -> str:
    return PAYMENT_FILE_ACK.format(file_id=quote(file_id, safe=""))
