"""docs/biller-api.openapi.json is what the schema and paths generate, and the simulated
biller's answers validate against it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient

from fawtara.biller_api import paths
from fawtara.biller_api.openapi import DOCUMENT, biller_api_document, rendered
from fawtara.simulators.biller.faults import Fault
from fawtara.simulators.biller.seed import API_KEY_DEFAULT, BILLER_DEFAULT
from fawtara.simulators.biller.server import build_biller_app

KEY = {paths.API_KEY_HEADER: API_KEY_DEFAULT}
CUSTOMER = "100001"
PAYMENT_ID = "DOC-TEST-0001"
NOTICE_BODY = {
    "biller": BILLER_DEFAULT,
    "customer_ref": CUSTOMER,
    "bills": [{"bill_id": "100001-2026-B1"}],
    "amount_minor": 1_520_000,
    "currency": "SYP",
    "channel": "bank",
    "accepted_at": "2026-03-30T21:45:00Z",
    "settlement_date": "2026-03-31",
}


def test_the_committed_document_is_the_generated_one() -> None:
    committed = DOCUMENT.read_text(encoding="utf-8")
    assert committed == rendered(), "run `python -m fawtara.biller_api.openapi` and commit"


def test_every_path_of_the_api_is_in_the_document() -> None:
    documented = set(biller_api_document()["paths"])
    written = {value for name, value in vars(paths).items() if name.isupper() and "{" in value}
    written |= {paths.FEED, paths.IN_FLIGHT, paths.PAYMENT_FILES}
    assert documented == written


def validate(
    document: dict[str, Any], template: str, method: str, response: httpx.Response
) -> None:
    """The answer's body against the schema the document gives for its status."""
    answers = document["paths"][template][method.lower()]["responses"]
    assert str(response.status_code) in answers, f"{method} {template}: {response.status_code}"
    schema = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(schema | {"components": document["components"]}).validate(
        response.json()
    )


@pytest.fixture
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


def exchanges(client: TestClient) -> list[tuple[str, str, httpx.Response]]:
    """One of each answer the simulated biller gives: answers and refusals."""
    notice = paths.notice(BILLER_DEFAULT, PAYMENT_ID)
    reversal = paths.reversal(BILLER_DEFAULT, PAYMENT_ID)
    other_body = NOTICE_BODY | {"channel": "portal"}
    calls = [
        ("GET", paths.INQUIRY, paths.inquiry(BILLER_DEFAULT, CUSTOMER), None, KEY),
        ("GET", paths.INQUIRY, paths.inquiry(BILLER_DEFAULT, "NOBODY"), None, KEY),
        ("GET", paths.INQUIRY, paths.inquiry("ZZOTHER", CUSTOMER), None, KEY),
        ("GET", paths.INQUIRY, paths.inquiry(BILLER_DEFAULT, CUSTOMER), None, {}),
        ("GET", paths.NOTICE, notice, None, KEY),
        ("PUT", paths.NOTICE, notice, NOTICE_BODY | {"amount_minor": -1}, KEY),
        ("PUT", paths.NOTICE, notice, NOTICE_BODY, KEY),
        ("PUT", paths.NOTICE, notice, NOTICE_BODY, KEY),
        ("PUT", paths.NOTICE, notice, other_body, KEY),
        ("GET", paths.NOTICE, notice, None, KEY),
        ("PUT", paths.REVERSAL, reversal, {"reason": "returned by the bank"}, KEY),
        ("PUT", paths.REVERSAL, reversal, {"reason": "returned by the bank"}, KEY),
    ]
    return [
        (method, template, client.request(method, path, json=body, headers=headers))
        for method, template, path, body, headers in calls
    ]


def test_the_simulated_billers_answers_validate_against_the_document(
    document: dict[str, Any],
) -> None:
    app, _store = build_biller_app(Fault.NONE)
    with TestClient(app) as client:
        answered = exchanges(client)
    statuses = [response.status_code for _method, _template, response in answered]
    assert statuses == [200, 404, 404, 401, 404, 422, 200, 200, 409, 200, 200, 200]
    for method, template, response in answered:
        validate(document, template, method, response)


def test_an_answer_that_breaks_the_schema_fails_validation(document: dict[str, Any]) -> None:
    broken = httpx.Response(200, json={"payment_id": "P-1", "reversed": "yes"})
    with pytest.raises(jsonschema.ValidationError):
        validate(document, paths.REVERSAL, "PUT", broken)
