"""The error tree: stable unique codes, Arabic messages, and the tree drawn in the docstring."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from fawtara.kernel import errors
from fawtara.kernel.errors import FawtaraError, all_error_classes

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
TREE_LINE = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z][A-Za-z]+)\s+(?P<rest>\S.*)$")


@dataclass(frozen=True)
class TreeEntry:
    name: str
    parent: str | None
    rest: str  # what the line says after the name: a code, or "(422)"


def drawn_tree() -> dict[str, TreeEntry]:
    """The tree in the module docstring, as name -> entry."""
    doc = errors.__doc__ or ""
    lines = doc.splitlines()
    start = next(i for i, text in enumerate(lines) if text.strip().startswith("FawtaraError"))
    entries: dict[str, TreeEntry] = {}
    stack: list[tuple[int, str]] = []  # (column of the name, name)
    for text in lines[start:]:
        if not text.strip():
            break
        match = TREE_LINE.match(text)
        assert match is not None, f"unreadable tree line: {text!r}"
        column, name = len(match["lead"]), match["name"]
        while stack and stack[-1][0] >= column:
            stack.pop()
        entries[name] = TreeEntry(name, stack[-1][1] if stack else None, match["rest"].strip())
        stack.append((column, name))
    return entries


CLASSES = all_error_classes()
LEAVES = [cls for cls in CLASSES if not cls.__subclasses__()]
INNER = [cls for cls in CLASSES if cls.__subclasses__()]


def test_every_error_code_is_unique() -> None:
    codes = [cls.code for cls in CLASSES]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_has_an_upper_snake_code_and_an_arabic_message(
    cls: type[FawtaraError],
) -> None:
    assert re.fullmatch(r"[A-Z]+(?:_[A-Z]+)*", cls.code)
    assert cls.message_ar.strip()
    assert ARABIC_LETTER.search(cls.message_ar)


@pytest.mark.parametrize(
    ("family", "http_status"),
    [
        (errors.ValidationError, 422),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.Unavailable, 503),
        (errors.TooManyRequests, 429),
    ],
)
def test_each_family_shares_its_http_status(family: type[FawtaraError], http_status: int) -> None:
    members = [cls for cls in CLASSES if issubclass(cls, family)]
    assert len(members) > 1
    assert {cls.http_status for cls in members} == {http_status}


def test_the_drawn_tree_names_exactly_the_error_classes() -> None:
    assert set(drawn_tree()) == {cls.__name__ for cls in CLASSES}


@pytest.mark.parametrize("cls", CLASSES[1:], ids=lambda cls: cls.__name__)
def test_the_drawn_tree_places_each_class_under_its_parent(cls: type[FawtaraError]) -> None:
    assert drawn_tree()[cls.__name__].parent == cls.__bases__[0].__name__


@pytest.mark.parametrize("cls", LEAVES, ids=lambda cls: cls.__name__)
def test_the_drawn_tree_lists_the_code_of_each_error(cls: type[FawtaraError]) -> None:
    assert drawn_tree()[cls.__name__].rest == cls.code


@pytest.mark.parametrize("cls", INNER[1:], ids=lambda cls: cls.__name__)
def test_the_drawn_tree_shows_the_http_status_of_each_family(cls: type[FawtaraError]) -> None:
    assert drawn_tree()[cls.__name__].rest.endswith(f"({cls.http_status})")


@pytest.mark.parametrize("cls", INNER, ids=lambda cls: cls.__name__)
def test_the_drawn_tree_lists_the_code_of_each_family(cls: type[FawtaraError]) -> None:
    assert cls.code in drawn_tree()[cls.__name__].rest.split()


def test_as_dict_carries_the_code_and_both_messages() -> None:
    error = errors.InvalidAmount("amount too large")
    assert error.as_dict() == {
        "code": "INVALID_AMOUNT",
        "message": "amount too large",
        "message_ar": "المبلغ غير صالح",
    }
    assert str(error) == "amount too large"


def test_a_specific_arabic_message_replaces_the_default_for_that_error_only() -> None:
    error = errors.InvalidCycle("bad id", "معرّف غير صالح")
    assert error.as_dict()["message_ar"] == "معرّف غير صالح"
    assert errors.InvalidCycle("bad id").message_ar == "دورة الفوترة غير صالحة"
