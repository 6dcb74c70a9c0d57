"""`fawtara counter-station`: the process at a telephone centre that serves the cashier's page.

It keeps its own SQLite file (the snapshot of the switch and the journal), so
it starts and takes payments with the switch unreachable; it syncs by itself
when the link returns. The page is for the cashier's browser on this machine.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated

import typer

from fawtara.counters.domain.counters import COUNTER_CODE

log = logging.getLogger("fawtara.station")


def counter_station(
    counter: Annotated[str, typer.Option(help="the counter's code, e.g. DAM01")],
    switch: Annotated[str, typer.Option(help="the switch's base URL")] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str, typer.Option(envvar="FAWTARA_STATION_API_KEY", help="CODE.SECRET of the counter")
    ] = "",
    db: Annotated[Path | None, typer.Option(help="default var/station-CODE.db")] = None,
    host: Annotated[str, typer.Option(help="where the page listens")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="where the page listens")] = 8300,
    keys_dir: Annotated[
        Path, typer.Option(help="holds counters/CODE.key.pem and counters/CODE.cert")
    ] = Path("var/keys"),
) -> None:
    """Serve the counter's Arabic page, keep the local journal, sync with the switch."""
    import uvicorn

    from fawtara.station.bootstrap import bootstrap_station

    code = counter.upper()
    if not COUNTER_CODE.fullmatch(code):
        raise typer.BadParameter("a counter code is like DAM01", param_hint="--counter")
    if not re.fullmatch(rf"{code}\.\S+", api_key):
        raise typer.BadParameter(f"the API key is {code}.SECRET", param_hint="--api-key")
    station = bootstrap_station(
        code, switch, api_key, db or Path(f"var/station-{code}.db"), keys_dir
    )
    station.start_sync()
    log.info("counter %s: page on http://%s:%d, switch %s", code, host, port, switch)
    try:
        uvicorn.run(station.app, host=host, port=port, log_level="info")
    finally:
        station.stop_sync()
