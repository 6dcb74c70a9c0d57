"""The operations part of the wiring: link probes and the log format.

Beside bootstrap.py like sms/bootstrap.py (tests/test_architecture.py treats
it as bootstrap: entry points may import it, adapters may not).
"""

from __future__ import annotations

from sqlalchemy import Engine

from fawtara.ops.adapters.logs import configure_logging, log_format
from fawtara.ops.adapters.probes import Probes
from fawtara.sms.bootstrap import smpp_config

__all__ = ["Probes", "probes_for", "setup_logging"]


def probes_for(engine: Engine, banks: tuple[tuple[str, str], ...]) -> Probes:
    """Probes of the switch's database, its FAWTARA_BANKS and its SMSC."""
    sms = smpp_config()
    return Probes(engine, banks, (sms.host, sms.port))


def setup_logging() -> str:
    """Configure the logs from FAWTARA_LOG_FORMAT (json|text); returns the format used."""
    chosen = log_format()
    configure_logging(chosen)
    return chosen
