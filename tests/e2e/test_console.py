"""The operations console over HTTP, in process: sign-in, roles, expiry, search, figures."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from fawtara.counters.bootstrap import password_hasher
from fawtara.counters.use_cases.staff import sign_in
from fawtara.kernel import limits
from fawtara.ops.adapters.probes import Probes
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.console_support import PASSWORD, add_console_staff, console_app
from tests.integration.test_payment_flow import Network
from tests.monitoring_support import counted_in_sql, run_burst
from tests.upload_support import upload_mode


class Page(HTMLParser):
    """What a test reads of a console page: figures, table rows, labels, inputs."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.labels: set[str] = set()
        self.inputs: list[str] = []
        self.dir = ""
        self._figure: str | None = None
        self._rows: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.dir = a.get("dir") or ""
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a.get("id") or "")
        if a.get("data-figure"):
            self._figure = a["data-figure"]
            self.figures[self._figure or ""] = ""
        if tag == "tbody" and a.get("data-rows"):
            self._rows = a["data-rows"]
            self.rows[self._rows or ""] = []
        if tag == "tr" and self._rows:
            self.rows[self._rows].append([])
        if tag == "td" and self._rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("span", "bdi"):
            self._figure = None
        if tag == "tbody":
            self._rows = None
        if tag == "td" and self._rows and self._cell is not None:
            self.rows[self._rows][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._figure:
            self.figures[self._figure] += data.strip()
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def net(platform: Platform) -> Network:
    add_console_staff(platform)
    return Network(platform)


@pytest.fixture
def client(net: Network, smsc_port: int) -> TestClient:
    return TestClient(console_app(net, smsc_port))


def signed_in(client: TestClient, username: str = "amal") -> TestClient:
    answer = client.post(
        "/console/sign-in",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def test_the_sign_in_page_is_arabic_rtl_with_a_label_for_every_input(client: TestClient) -> None:
    page = Page(client.get("/console/sign-in").text)
    assert page.dir == "rtl"
    assert page.inputs == ["username", "password"] and set(page.inputs) <= page.labels
    english = client.get("/console/sign-in?lang=en")
    assert Page(english.text).dir == "ltr" and "Sign in" in english.text


@pytest.mark.parametrize("username", ["amal", "sami"])
def test_operators_and_administrators_get_a_strict_httponly_session(
    client: TestClient, username: str
) -> None:
    answer = client.post(
        "/console/sign-in",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/console")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert f"max-age={limits.staff_session_hours * 3600}" in cookie
    dashboard = client.get("/console")
    assert dashboard.status_code == 200 and username in dashboard.text
    assert Page(dashboard.text).dir == "rtl"
    assert client.get("/v1/ops/figures").status_code == 200  # the cookie vouches


@pytest.mark.parametrize("username", ["omar", "huda"])
def test_cashiers_and_supervisors_are_refused_clearly(client: TestClient, username: str) -> None:
    answer = client.post("/console/sign-in", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert "لوحة العمليات للمشغّلين والمديرين فقط" in answer.text
    english = client.post(
        "/console/sign-in?lang=en", data={"username": username, "password": PASSWORD}
    )
    assert "for operators and administrators only" in english.text
    assert client.get("/console").status_code == 401


def test_a_counter_session_does_not_open_the_console(client: TestClient, net: Network) -> None:
    session = sign_in(
        net.platform.uow_factory(),
        password_hasher(),
        net.platform.clock,
        "omar",
        PASSWORD,
        "DAM01",
    )
    client.cookies.set("fawtara_console", session.token)
    assert client.get("/console").status_code == 401
    assert client.get("/v1/ops/figures").status_code == 401


def test_a_wrong_password_or_no_session_leads_to_the_sign_in_page(client: TestClient) -> None:
    wrong = client.post("/console/sign-in", data={"username": "amal", "password": "nope-nope"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in wrong.text
    for path in ("/console", "/console/payments?q=0933123456", "/console/payments/x"):
        refused = client.get(path)
        assert refused.status_code == 401 and 'action="/console/sign-in"' in refused.text


def test_a_session_expires_and_sign_out_ends_it(client: TestClient, net: Network) -> None:
    signed_in(client)
    net.clock.advance(timedelta(hours=limits.staff_session_hours, seconds=1))
    expired = client.get("/console")
    assert expired.status_code == 401 and "انتهت الجلسة" in expired.text
    assert client.get("/v1/ops/figures").status_code == 401
    signed_in(client)
    assert client.get("/console").status_code == 200
    out = client.post("/console/sign-out")
    assert out.status_code == 200 and "خرجت من لوحة العمليات" in out.text
    assert client.get("/console").status_code == 401


def test_a_payment_is_found_by_receipt_and_shows_its_whole_history(
    client: TestClient, net: Network
) -> None:
    payment = net.pay(net.request())
    signed_in(client)
    assert payment.receipt_no is not None
    found = client.get("/console/payments", params={"q": payment.receipt_no})
    assert found.status_code == 200 and f"/console/payments/{payment.payment_id}" in found.text
    assert set(Page(found.text).inputs) <= Page(found.text).labels
    history = client.get(f"/console/payments/{payment.payment_id}?lang=en").text
    for expected in (
        payment.receipt_no,
        "completed",
        "pain.001.001.09",
        "bank:BEMO:settlement",
        "biller:ELEC:payable",
        "post_pending",
        "sms.payment_completed",
    ):
        assert expected in history
    by_phone = client.get("/console/payments", params={"q": "+963 933 123 456"})
    assert payment.payment_id in by_phone.text


def test_a_bad_query_or_unknown_payment_says_what_to_do(client: TestClient) -> None:
    signed_in(client)
    bad = client.get("/console/payments?q=hello&lang=en")
    assert bad.status_code == 422 and "payment id, receipt number" in bad.text
    missing = client.get("/console/payments/0b6f5f7e-8d7e-4c43-9a0e-3d3f2a1c5b01?lang=en")
    assert missing.status_code == 404 and "no payment" in missing.text
    empty = client.get("/console/payments?q=0999999999")  # English is remembered
    assert empty.status_code == 200 and "No matching payment." in empty.text
    too_long = client.get("/console/payments/" + "a" * 65)
    assert too_long.status_code == 422 and "at most 64 characters" in too_long.text


def test_the_dashboard_shows_what_the_database_and_the_ops_api_say(
    client: TestClient, net: Network
) -> None:
    run_burst(net)
    truth = counted_in_sql(net)
    signed_in(client)
    api = client.get("/v1/ops/figures").json()
    page = Page(client.get("/console?lang=en").text)
    shown = {(row[0], row[1]): int(row[2]) for row in page.rows["payments"]}
    assert (
        shown
        == truth["payments"]
        == {(p["channel"], p["outcome"]): p["count"] for p in api["payments"]}
    )
    failures = {row[0]: int(row[1]) for row in page.rows["failures_by_reason"]}
    assert failures == truth["failures"] == api["failures_by_reason"]
    assert int(page.figures["unknown.count"]) == truth["unknown"] == api["unknown"]["count"]
    assert float(page.figures["unknown.oldest_age_s"]) == truth["unknown_age_s"] == 130
    assert float(page.figures["latency_s.p99"]) == pytest.approx(truth["p99"], abs=0.05)
    assert int(page.figures["latency_s.samples"]) == truth["samples"]
    assert int(page.figures["outbox.depth"]) == truth["outbox"] == api["outbox"]["depth"]
    assert int(page.figures["sms.queue_depth"]) == truth["sms_queue"]
    assert page.figures["sms.delivery_rate"] == "75.0%"
    alerts = [row[1] for row in page.rows["alerts"]]
    assert [a["message_en"] for a in api["alerts"]] == alerts and alerts
    assert [(row[0], row[1], row[2]) for row in page.rows["biller_links"]] == [
        ("ELEC", "down", "2")
    ]
    assert [link["biller"] for link in api["biller_links"]] == ["ELEC"]
    assert [row[0] for row in page.rows["links"]] == ["database", "smsc"]
    arabic = Page(client.get("/console?lang=ar").text)
    assert arabic.figures["unknown.count"] == "١"


def test_the_dashboard_names_the_billers_in_upload_mode(
    platform: Platform, net: Network, smsc_port: int
) -> None:
    upload = upload_mode(platform, "WATER")
    app = create_app(upload, net.bank)
    app.state.probes = Probes(upload.engine, [], ("127.0.0.1", smsc_port), cache_s=0)
    page = signed_in(TestClient(app)).get("/console?lang=en").text
    assert "In upload mode (no notices: they collect payments files)" in page
    assert '<bdi dir="ltr">WATER</bdi>' in page
    assert (
        "upload-mode-billers"
        not in signed_in(TestClient(console_app(net, smsc_port))).get("/console?lang=en").text
    )
