"""docs/BILLER-API.md: every JSON example is valid under its model, every case is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fawtara.biller_api import schema
from fawtara.biller_api.conformance import CASES
from fawtara.simulators.biller.faults import FAULT_NAMES

DOC = Path(__file__).resolve().parents[3] / "docs" / "BILLER-API.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLE = re.compile(r"<!-- schema: (\w+) -->\n```json\n(.*?)\n```", re.S)
EXAMPLES = EXAMPLE.findall(TEXT)
EVERY_OPERATION_SHOWN = {
    "BillInquiryAnswer", "PaymentNotice", "NoticeAnswer", "ReversalNotice", "ReversalAnswer",
    "ErrorAnswer", "AcceptanceFeed", "InFlightQuery", "InFlightAnswer", "BillFile",
    "BillFileAnswer", "PaymentFiles", "FileAcknowledgement",
}  # fmt: skip


@pytest.mark.parametrize(("model", "body"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_an_example_is_valid_under_its_model(model: str, body: str) -> None:
    getattr(schema, model).model_validate_json(body)


def test_every_operation_has_an_example() -> None:
    assert {model for model, _ in EXAMPLES} == EVERY_OPERATION_SHOWN
    assert TEXT.count("```json") == len(EXAMPLES), "a JSON block without its schema marker"


def test_the_bill_file_example_carries_the_checksum_of_its_rows() -> None:
    body = next(body for model, body in EXAMPLES if model == "BillFile")
    bill_file = schema.BillFile.model_validate_json(body)
    assert bill_file.checksum == schema.canonical_rows_checksum(list(bill_file.rows))


def test_every_conformance_case_and_fault_is_described() -> None:
    for name in [case.name for case in CASES] + list(FAULT_NAMES):
        assert f"`{name}`" in TEXT, name
