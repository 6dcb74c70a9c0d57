"""Structured logs: one JSON object per line on stderr, or plain text for a terminal.

Each JSON line has `ts` (UTC, ISO 8601), `level`, `logger`, `message`, and
`payment_id` when the line is about a payment (set by the switch through
kernel/log_context.py, or given as `extra={"payment_id": ...}`), plus
`exc` with the traceback when there is one. FAWTARA_LOG_FORMAT=json|text
chooses; by default JSON unless stderr is a terminal.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import TextIO

from fawtara.kernel.log_context import current_payment_id

LOG_FORMATS = ("json", "text")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payment_id = getattr(record, "payment_id", None) or current_payment_id()
        if payment_id:
            line["payment_id"] = payment_id
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Human lines, with the payment id in brackets when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        payment_id = getattr(record, "payment_id", None) or current_payment_id()
        return text if not payment_id or payment_id in text else f"{text} [{payment_id}]"


def log_format(environ: dict[str, str] | None = None, stream: TextIO | None = None) -> str:
    """FAWTARA_LOG_FORMAT, or json unless the stream is a terminal."""
    env = os.environ if environ is None else environ
    chosen = env.get("FAWTARA_LOG_FORMAT", "").strip().lower()
    if chosen:
        if chosen not in LOG_FORMATS:
            raise ValueError(f"FAWTARA_LOG_FORMAT must be one of {LOG_FORMATS}, not {chosen!r}")
        return chosen
    return "text" if (stream or sys.stderr).isatty() else "json"


def configure_logging(log_format_name: str, level: int = logging.INFO) -> None:
    """Route every logger (uvicorn's too, given log_config=None) to one stderr handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format_name == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
