"""The operations endpoints over HTTP: /healthz, /readyz, /metrics, /v1/ops/*.

/readyz probes real sockets: a bank link served by a small HTTP server that
the test stops, an SMSC port that listens; /metrics is parsed with
prometheus-client's own parser and must carry the figures of the burst.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from fawtara.ops.bootstrap import Probes
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.integration.test_payment_flow import Network
from tests.monitoring_support import counted_in_sql, run_burst

OPS = {"X-Api-Key": "OPS.s"}
PORTAL = {"X-Api-Key": "PORTAL.s"}


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def bank_link() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def net(platform: Platform) -> Network:
    return Network(platform)


def client_for(net: Network, bank_url: str, smsc_port: int) -> TestClient:
    app = create_app(net.platform, net.bank)
    app.state.probes = Probes(
        net.platform.engine, [("BEMO", bank_url)], ("127.0.0.1", smsc_port), cache_s=0
    )
    return TestClient(app)


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_readyz_names_the_bank_link_that_went_down(
    net: Network, bank_link: ThreadingHTTPServer, smsc_port: int
) -> None:
    client = client_for(net, url_of(bank_link), smsc_port)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["down"] == []
    assert {link["name"] for link in ready.json()["links"]} == {"database", "BEMO", "smsc"}
    bank_link.shutdown()
    bank_link.server_close()  # the bank is gone: its port refuses
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "not ready" and down.json()["down"] == ["BEMO"]


def test_readyz_says_when_the_smsc_is_unreachable(
    net: Network, bank_link: ThreadingHTTPServer
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        answer = client_for(net, url_of(bank_link), port).get("/readyz")
    assert answer.status_code == 503 and answer.json()["down"] == ["smsc"]


def test_metrics_parse_and_carry_the_figures_of_the_burst(
    net: Network, bank_link: ThreadingHTTPServer, smsc_port: int
) -> None:
    run_burst(net)
    truth = counted_in_sql(net)
    answer = client_for(net, url_of(bank_link), smsc_port).get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }
    for (channel, outcome), count in truth["payments"].items():
        key = (("channel", channel), ("outcome", outcome))
        assert samples[("fawtara_payments_final_in_window", key)] == count
        assert samples[("fawtara_payments_per_minute", key)] == count / 5
    for reason, count in truth["failures"].items():
        assert samples[("fawtara_payment_failures_in_window", (("reason", reason),))] == count
    assert samples[("fawtara_payment_latency_seconds", (("quantile", "0.99"),))] == truth["p99"]
    assert samples[("fawtara_payments_unknown", ())] == truth["unknown"] == 1
    assert samples[("fawtara_payments_unknown_oldest_age_seconds", ())] == 130
    assert samples[("fawtara_outbox_depth", ())] == truth["outbox"]
    assert samples[("fawtara_sms_queue_depth", ())] == truth["sms_queue"]
    assert samples[("fawtara_sms_delivery_rate", ())] == 0.75
    elec = (("biller", "ELEC"),)
    assert samples[("fawtara_biller_link_up", elec)] == 0
    assert samples[("fawtara_biller_link_failures", elec)] == 2
    assert samples[("fawtara_link_up", (("kind", "bank"), ("link", "BEMO")))] == 1
    alert = "fawtara_alert_active"
    assert samples[(alert, (("name", "unknown_payment_too_old"), ("severity", "critical")))] == 1
    assert samples[(alert, (("name", "bank_link_down"), ("severity", "critical")))] == 0


def test_ops_figures_and_alerts_are_for_operators_only(
    net: Network, bank_link: ThreadingHTTPServer, smsc_port: int
) -> None:
    run_burst(net)
    client = client_for(net, url_of(bank_link), smsc_port)
    assert client.get("/v1/ops/figures").json()["error"]["code"] == "UNAUTHENTICATED"
    refused = client.get("/v1/ops/alerts", headers=PORTAL)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "NOT_ALLOWED")
    found = client.get("/v1/ops/figures", headers=OPS).json()
    assert found["unknown"] == {"count": 1, "oldest_age_s": 130.0}
    assert [(link["biller"], link["up"]) for link in found["biller_links"]] == [("ELEC", False)]
    alerts = client.get("/v1/ops/alerts", headers=OPS).json()["alerts"]
    assert [a["name"] for a in alerts] == [a["name"] for a in found["alerts"]]
    assert "biller_link_down" in [a["name"] for a in alerts]
    assert client.get("/v1/ops/figures?window_s=0", headers=OPS).status_code == 422


def test_a_console_session_may_vouch_for_an_operator(
    net: Network, bank_link: ThreadingHTTPServer, smsc_port: int
) -> None:
    client = client_for(net, url_of(bank_link), smsc_port)
    client.app.state.operator_session = lambda request: (  # type: ignore[attr-defined]
        "amal" if request.cookies.get("session") == "good" else None
    )
    client.cookies.set("session", "good")
    assert client.get("/v1/ops/alerts").status_code == 200
    client.cookies.set("session", "bad")
    assert client.get("/v1/ops/alerts").status_code == 401
