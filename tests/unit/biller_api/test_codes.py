"""The Biller API's error codes are the switch's own, where the switch has one."""

from __future__ import annotations

import pytest

from fawtara.biller_api.codes import ALL_CODES, ErrorCode
from fawtara.kernel.errors import all_error_classes

SWITCH_CODES = {cls.code: cls for cls in all_error_classes()}


@pytest.mark.parametrize("code", ALL_CODES, ids=lambda code: code.code)
def test_a_code_has_the_status_and_arabic_message_of_the_switchs_error(code: ErrorCode) -> None:
    switch_error = SWITCH_CODES[code.code]
    assert (code.http_status, code.message_ar) == (
        switch_error.http_status,
        switch_error.message_ar,
    )


def test_codes_are_listed_once() -> None:
    assert len({code.code for code in ALL_CODES}) == len(ALL_CODES)
