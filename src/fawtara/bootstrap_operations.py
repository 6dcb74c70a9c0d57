"""The operations part of the wiring: link probes and the log format.

Beside bootstrap.py like bootstrap_sms.py (tests/test_architecture.py treats
it as bootstrap: entry points may import it, adapters may not).
"""

from __future__ import annotations

from fawtara.adapters.logs import configure_logging, log_format
from fawtara.adapters.probes import Probes
from fawtara.bootstrap import Platform
from fawtara.bootstrap_sms import smpp_config

__all__ = ["Probes", "probes_for", "setup_logging"]


def probes_for(platform: Platform) -> Probes:
    """Probes of the platform's database, its FAWTARA_BANKS and its SMSC."""
    sms = smpp_config()
    return Probes(platform.engine, platform.settings.banks, (sms.host, sms.port))


def setup_logging() -> str:
    """Configure the logs from FAWTARA_LOG_FORMAT (json|text); returns the format used."""
    chosen = log_format()
    configure_logging(chosen)
    return chosen
