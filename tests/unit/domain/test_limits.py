"""The two ways a text meets its bound: refused at the edge, or clipped for reading."""

from __future__ import annotations

import pytest

from fawtara.kernel import limits
from fawtara.kernel.errors import LimitExceeded


@pytest.mark.parametrize(
    ("text", "length_max"),
    [("", 0), ("a", 1), ("x" * 36, limits.payment_id_length_max), ("بيمو", 4)],
)
def test_a_text_within_its_bound_passes_unchanged(text: str, length_max: int) -> None:
    assert limits.check_length(text, length_max, "the text") == text


@pytest.mark.parametrize(
    ("text", "length_max", "what"),
    [
        ("a", 0, "a note"),
        ("x" * 37, limits.payment_id_length_max, "payment_id"),
        ("B" * 65, limits.bill_id_length_max, "bill_id"),
        ("+963" * 20, limits.payment_search_query_length_max, "a search"),
    ],
)
def test_a_text_past_its_bound_is_refused_with_its_name_and_bound(
    text: str, length_max: int, what: str
) -> None:
    with pytest.raises(LimitExceeded, match=f"{what} has at most {length_max} characters"):
        limits.check_length(text, length_max, what)


@pytest.mark.parametrize(
    ("text", "length_max", "kept"),
    [("short", 400, "short"), ("x" * 401, 400, "x" * 400), ("شبكة", 2, "شب"), ("", 5, "")],
)
def test_clip_keeps_the_start_of_a_text(text: str, length_max: int, kept: str) -> None:
    assert limits.clip(text, length_max) == kept
