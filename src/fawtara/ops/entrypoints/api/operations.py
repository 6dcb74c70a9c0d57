"""Operations endpoints: health, readiness, Prometheus metrics, figures and alerts.

* `/healthz`: the process answers (no I/O).
* `/readyz`: the database, every bank link and the SMSC (200 when all are up,
  503 naming what is down).
* `/metrics`: the figures in Prometheus text format, read at scrape time.
* `GET /v1/ops/figures`, `GET /v1/ops/alerts`: JSON for the console and an
  external alert manager; an operator only (see `operator`).

docs/OPERATIONS.md lists every metric and alert.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from fawtara.kernel import limits
from fawtara.kernel.errors import NotAllowed
from fawtara.ops.bootstrap import Probes, probes_for
from fawtara.ops.domain.alerts import Alert, evaluate
from fawtara.ops.domain.figures import Figures, LinkHealth
from fawtara.ops.entrypoints.api.metrics import FiguresCollector
from fawtara.ops.use_cases.monitoring import figures as read_figures
from fawtara.switch.bootstrap import Platform
from fawtara.switch.domain.participants import ParticipantKind
from fawtara.switch.entrypoints.api.payments import participant

router = APIRouter(tags=["operations"])

# A console session (H5's web pages) may vouch for an operator: set
# `app.state.operator_session` to a function of the request returning the
# operator's name, or None when the request has no valid session.
OperatorSession = Callable[[Request], str | None]


def operator(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="CODE.SECRET of an operator")] = None,
) -> str:
    """Who is asking: an operator's console session, or an OPERATOR participant's key."""
    session: OperatorSession | None = getattr(request.app.state, "operator_session", None)
    if session is not None and x_api_key is None:
        name = session(request)
        if name is not None:
            return name
    caller = participant(request, x_api_key)
    if caller.kind is not ParticipantKind.OPERATOR:
        raise NotAllowed(
            "the operations figures are for operators; use an operator's key",
            "أرقام التشغيل للمشغّلين فقط",
        )
    return caller.code


Operator = Annotated[str, Depends(operator)]
Window = Annotated[
    int,
    Query(
        ge=1,
        le=limits.figures_window_s_max,
        description="seconds of recent time the figures cover",
    ),
]


def probes_of(app: FastAPI) -> Probes:
    """The app's probes, made on first use (tests may set app.state.probes first)."""
    probes: Probes | None = getattr(app.state, "probes", None)
    if probes is None:
        platform: Platform = app.state.platform
        probes = probes_for(platform.engine, platform.settings.banks)
        app.state.probes = probes
    return probes


def current_figures(app: FastAPI, window_s: int = limits.figures_window_s_default) -> Figures:
    """The figures now, with the links' health: what the console pages show."""
    platform: Platform = app.state.platform
    return read_figures(
        platform.uow(readonly=True), platform.clock.now(), window_s, probes_of(app).links()
    )


def current_alerts(app: FastAPI, window_s: int = limits.figures_window_s_default) -> list[Alert]:
    return evaluate(current_figures(app, window_s))


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _link_out(link: LinkHealth) -> dict[str, object]:
    return {"name": link.name, "kind": link.kind, "up": link.up, "detail": link.detail}


@router.get("/readyz", summary="The database, the bank links and the SMSC answer")
def readyz(request: Request) -> JSONResponse:
    links = probes_of(request.app).links()
    down = [link.name for link in links if not link.up]
    return JSONResponse(
        {
            "status": "not ready" if down else "ready",
            "down": down,
            "links": [_link_out(link) for link in links],
        },
        status_code=503 if down else 200,
    )


@router.get("/metrics", summary="Prometheus metrics (text format)")
def metrics(request: Request) -> Response:
    registry: CollectorRegistry | None = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        app = request.app
        registry.register(FiguresCollector(lambda: current_figures(app)))
        request.app.state.metrics_registry = registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/ops/figures", summary="The operations figures (JSON)")
def ops_figures(
    request: Request, _operator: Operator, window_s: Window = limits.figures_window_s_default
) -> dict[str, object]:
    found = current_figures(request.app, window_s)
    return {**found.as_dict(), "alerts": [alert.as_dict() for alert in evaluate(found)]}


@router.get("/v1/ops/alerts", summary="The active alerts (JSON)")
def ops_alerts(
    request: Request, _operator: Operator, window_s: Window = limits.figures_window_s_default
) -> dict[str, object]:
    return {"alerts": [alert.as_dict() for alert in current_alerts(request.app, window_s)]}
