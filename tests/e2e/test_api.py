"""The HTTP API over a real (in-process) ASGI transport, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fawtara.kernel.errors import SchemaBehind
from fawtara.storage import schema
from fawtara.storage.engine import make_engine
from fawtara.switch.entrypoints.api.app import create_app
from fawtara.wiring import Platform
from tests.support import build_world


@pytest.fixture
def client(platform: Platform) -> TestClient:
    build_world(platform)
    return TestClient(create_app(platform))


def test_the_billers_registry_lists_codes_names_formats_and_rules(client: TestClient) -> None:
    response = client.get("/v1/billers")
    assert response.status_code == 200
    billers = {b["code"]: b for b in response.json()["billers"]}
    assert set(billers) == {"ELEC", "STE"}
    elec = billers["ELEC"]
    assert elec["name_ar"] == "كهرباء دمشق" and elec["name_en"] == "Damascus Electricity"
    assert elec["service_kinds"] == ["electricity"]
    assert elec["customer_reference_formats"][0]["example"] == "1000000008"
    assert elec["payment_rule"] == {
        "kind": "partial",
        "minimum_minor": 100,
        "maximum_minor": 10**15,
    }
    assert (elec["due_days"], elec["grace_days"], elec["currency"]) == (30, 15, "SYP")
    assert billers["STE"]["service_kinds"] == ["internet", "landline"]


def test_an_unknown_route_answers_the_error_shape(client: TestClient) -> None:
    response = client.get("/v1/nothing")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "message_ar"}


def test_the_openapi_document_describes_the_billers_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "/v1/billers" in document["paths"]


def test_the_service_refuses_to_start_on_a_schema_behind(
    tmp_path: Path, platform: Platform
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    schema.upgrade(engine, "0001")
    with pytest.raises(SchemaBehind, match="fawtara db upgrade"):
        create_app(Platform(platform.settings, engine, platform.clock))
    engine.dispose()
