"""The kit validates every answer with the schema models, errors with ErrorAnswer."""

from __future__ import annotations

import httpx
import pytest

from fawtara.biller_api import codes
from fawtara.biller_api.conformance import Fixture, run_conformance
from fawtara.biller_api.conformance_probe import CaseFailed, Probe, answer, refusal
from fawtara.biller_api.schema import ReversalAnswer


def respond(status: int, body: object) -> httpx.Client:
    transport = httpx.MockTransport(lambda _request: httpx.Response(status, json=body))
    return httpx.Client(transport=transport, base_url="http://biller.test")


def test_an_answer_that_is_not_the_model_fails_naming_the_field() -> None:
    response = httpx.Response(200, json={"payment_id": "P-1", "reversed": "perhaps"})
    with pytest.raises(CaseFailed, match="not a valid ReversalAnswer: reversed"):
        answer(response, ReversalAnswer)


def test_an_answer_with_a_field_the_schema_does_not_have_fails() -> None:
    response = httpx.Response(200, json={"payment_id": "P-1", "reversed": True, "extra": 1})
    with pytest.raises(CaseFailed, match="extra"):
        answer(response, ReversalAnswer)


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (httpx.Response(404, text="Not Found"), "not a valid ErrorAnswer"),
        (
            httpx.Response(
                404, json={"error": {"code": "NOT_FOUND", "message": "x", "message_ar": "x"}}
            ),
            "answered 404 NOT_FOUND, expected 404 NOTICE_UNKNOWN",
        ),
        (httpx.Response(200, json={}), "answered HTTP 200, expected 404 NOTICE_UNKNOWN"),
    ],
    ids=["no error body", "other code", "not refused"],
)
def test_a_refusal_must_be_an_error_answer_with_its_code(
    response: httpx.Response, words: str
) -> None:
    with pytest.raises(CaseFailed, match=words):
        refusal(response, codes.NOTICE_UNKNOWN)


def test_a_biller_answering_nonsense_fails_the_inquiry_and_what_needs_it() -> None:
    with respond(200, {"bills": "none"}) as client:
        results = {r.name: r for r in run_conformance(client, "SIMWATER", "k", Fixture("1"))}
    assert "not a valid BillInquiryAnswer" in results["inquiry"].detail
    assert results["notice-accepted"].detail == "not run: needs inquiry"
    assert not any(result.passed for result in results.values())


def test_an_unreachable_biller_fails_every_case_it_reaches() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(
        transport=httpx.MockTransport(refuse), base_url="http://biller.test"
    ) as client:
        probe = Probe(client, "k", 1.0)
        with pytest.raises(CaseFailed, match="ConnectError: connection refused"):
            probe.call("GET", "/anything")
