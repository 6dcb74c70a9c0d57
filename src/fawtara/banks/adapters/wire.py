"""What every ISO 20022 message of the connector shares on the wire.

Schemas: each published XSD in `xsd/` is loaded once, on first use, and every
message built or read is validated against it. Parsing refuses entities,
network access and documents above `message_bytes_max`, so a bank (or anyone
posing as one) cannot make the switch read files or exhaust memory.

Conversions, each exact and reversible:

    amounts   int minor units  <->  "1234.50" with Ccy="SYP" (at most 2 decimals)
    ids       payment UUID     <->  its 32 hex digits (Max35Text cannot hold 36)
    times     aware datetime   <->  ISO 8601 with offset, in Asia/Damascus
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from fawtara.kernel import limits
from fawtara.kernel.calendar import DAMASCUS
from fawtara.kernel.money import CURRENCY_EXPONENTS

# A single-payment message is a few kilobytes; a day's statement of a busy
# collection account may hold tens of thousands of entries.
message_bytes_max = 1_000_000
statement_bytes_max = 50_000_000

# ISO text types used for ids and free text.
id_length_max = 35  # Max35Text
account_length_max = 34  # Max34Text
additional_info_length_max = 105  # Max105Text
remittance_length_max = 140  # Max140Text

MESSAGE_IDS = (
    "pain.001.001.09",
    "pain.002.001.10",
    "pacs.002.001.10",
    "pacs.028.001.03",
    "pacs.004.001.09",
    "camt.053.001.08",
    "camt.054.001.08",
)


class MalformedBankMessage(Exception):
    """A message that is not well-formed XML, not the expected message, or breaks its XSD.

    Stable code BANK_MESSAGE_INVALID. `reason` says what was wrong, in one line.
    """

    code = "BANK_MESSAGE_INVALID"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def namespace(message_id: str) -> str:
    return f"urn:iso:std:iso:20022:tech:xsd:{message_id}"


@dataclass(frozen=True, slots=True)
class _Schema:
    schema: Any
    lock: threading.Lock  # an XMLSchema keeps its error log on itself


# libxml2 is not safe when several threads compile schemas at once (seen
# here: "xmlSchemaPValAttrNodeValue, the given type is not a built-in type"),
# so the first load of each schema happens under one lock.
_SCHEMA_LOAD_LOCK = threading.Lock()


def _schema(message_id: str) -> _Schema:
    with _SCHEMA_LOAD_LOCK:
        return _load_schema(message_id)


@cache
def _load_schema(message_id: str) -> _Schema:
    assert message_id in MESSAGE_IDS, f"no schema shipped for {message_id}"
    source = resources.files("fawtara.banks.adapters") / "xsd" / f"{message_id}.xsd"
    with source.open("rb") as handle:
        document = etree.parse(handle, _parser())
    return _Schema(etree.XMLSchema(document), threading.Lock())


def _parser() -> Any:
    # One parser per document: lxml parsers are not safe to share across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def validation_errors(root: Any, message_id: str) -> list[str]:
    """The XSD violations of a document, empty when it is valid."""
    holder = _schema(message_id)
    with holder.lock:
        try:
            if holder.schema.validate(etree.ElementTree(root)):
                return []
        except etree.Error as error:  # e.g. an unresolved entity: never valid
            return [f"cannot be validated: {error}"]
        return [
            f"line {e.line}: {e.message}" if e.line else e.message for e in holder.schema.error_log
        ]


def serialise(root: Any, message_id: str) -> bytes:
    """A built message as UTF-8 bytes; a message that breaks its XSD is refused."""
    errors = validation_errors(root, message_id)
    if errors:
        raise MalformedBankMessage(f"built {message_id} breaks its schema: {errors[0]}")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def parse(data: bytes, message_id: str, size_max: int = message_bytes_max) -> Any:
    """The root `Document` of a received message, checked to be a valid `message_id`."""
    if len(data) > size_max:
        raise MalformedBankMessage(f"{message_id} of {len(data)} bytes exceeds {size_max}")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise MalformedBankMessage(f"not well-formed XML: {error}") from None
    if root.getroottree().docinfo.doctype:
        raise MalformedBankMessage("a DOCTYPE is not allowed in an ISO 20022 message")
    expected = f"{{{namespace(message_id)}}}Document"
    if root.tag != expected:
        raise MalformedBankMessage(f"expected a {message_id} Document, got {root.tag}")
    errors = validation_errors(root, message_id)
    if errors:
        raise MalformedBankMessage(f"{message_id} breaks its schema: {errors[0]}")
    return root


class Builder:
    """Appends elements in one message's namespace: `b.add(parent, "GrpHdr/MsgId", "x")`."""

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.ns = namespace(message_id)
        self.root = etree.Element(f"{{{self.ns}}}Document", nsmap={None: self.ns})

    def add(self, parent: Any, path: str, text: str | None = None, **attributes: str) -> Any:
        """Append the elements of `path` under `parent`; returns the last one."""
        element = parent
        for tag in path.split("/"):
            element = etree.SubElement(element, f"{{{self.ns}}}{tag}")
        if text is not None:
            element.text = text
        for name, value in attributes.items():
            element.set(name, value)
        return element

    def to_bytes(self) -> bytes:
        return serialise(self.root, self.message_id)


class Reader:
    """Finds elements of one message by slash paths without namespace prefixes."""

    def __init__(self, message_id: str) -> None:
        self.ns = namespace(message_id)

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{tag}" for tag in path.split("/"))

    def find(self, element: Any, path: str) -> Any | None:
        return element.find(self._path(path))

    def all(self, element: Any, path: str) -> list[Any]:
        return list(element.findall(self._path(path)))

    def one(self, element: Any, path: str) -> Any:
        found = self.find(element, path)
        if found is None:
            raise MalformedBankMessage(f"missing {path}")
        return found

    def text(self, element: Any, path: str) -> str | None:
        found = self.find(element, path)
        return None if found is None else (found.text or "")

    def required(self, element: Any, path: str) -> str:
        value = self.text(element, path)
        if not value:
            raise MalformedBankMessage(f"missing {path}")
        return value


# Amounts ------------------------------------------------------------------


def amount_text(amount_minor: int, currency: str) -> str:
    """12345 minor units of SYP -> "123.45"."""
    assert type(amount_minor) is int and amount_minor >= 0, amount_minor
    exponent = _exponent(currency)
    return f"{Decimal(amount_minor).scaleb(-exponent):.{exponent}f}"


def parse_amount_minor(text: str | None, currency: str | None) -> int:
    """ "123.45" SYP -> 12345; more decimals than the currency has are refused."""
    exponent = _exponent(currency or "")
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise MalformedBankMessage(f"not an amount: {text!r}") from None
    exponent_of_text = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent_of_text, int):
        raise MalformedBankMessage(f"not a finite amount: {text!r}")
    if -exponent_of_text > exponent:
        raise MalformedBankMessage(
            f"amount {text} has more than {exponent} decimals for {currency}"
        )
    minor = int(value.scaleb(exponent))
    if not 0 <= minor <= limits.amount_minor_max:
        raise MalformedBankMessage(f"amount {text} is out of range")
    return minor


def _exponent(currency: str) -> int:
    if currency not in CURRENCY_EXPONENTS:
        raise MalformedBankMessage(f"unsupported currency {currency!r}")
    return CURRENCY_EXPONENTS[currency]


# Ids ----------------------------------------------------------------------


def wire_id(identifier: str) -> str:
    """A UUID travels as its 32 hex digits; any other id of at most 35 characters as is."""
    try:
        parsed = uuid.UUID(identifier)
    except ValueError:
        parsed = None
    if parsed is not None and str(parsed) == identifier:
        return parsed.hex
    if not 0 < len(identifier) <= id_length_max or _is_hex32(identifier):
        raise MalformedBankMessage(f"id {identifier!r} cannot travel as an ISO 20022 id")
    return identifier


def domain_id(wire: str) -> str:
    """The inverse of `wire_id`: 32 hex digits become the dashed UUID again."""
    return str(uuid.UUID(hex=wire)) if _is_hex32(wire) else wire


def _is_hex32(text: str) -> bool:
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


def new_message_id(prefix: str) -> str:
    """A fresh MsgId: up to 3 letters of the sender, then 128 random bits (35 chars)."""
    return f"{prefix[:3].upper()}{secrets.token_hex(16)}"


# Times --------------------------------------------------------------------


def iso_datetime(instant: datetime) -> str:
    """An aware instant as ISO 8601 in Damascus time, offset included."""
    assert instant.tzinfo is not None, "messages carry aware instants only"
    return instant.astimezone(DAMASCUS).isoformat()


def parse_datetime(text: str | None) -> datetime:
    """ISO 8601 to an aware datetime; a time without offset is read as Damascus time."""
    try:
        parsed = datetime.fromisoformat(text or "")
    except ValueError:
        raise MalformedBankMessage(f"not an ISO date-time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=DAMASCUS)


def parse_date(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise MalformedBankMessage(f"not an ISO date: {text!r}") from None


def damascus_day(instant: datetime) -> date:
    assert instant.tzinfo is not None, "messages carry aware instants only"
    return instant.astimezone(DAMASCUS).date()


def clip_narrative(text: str, length_max: int) -> str:
    """Free text cut to an ISO text type's length, ending in "…" when cut (narrative
    fields only; limits.clip cuts stored text without a mark)."""
    return text if len(text) <= length_max else text[: length_max - 1] + "…"
