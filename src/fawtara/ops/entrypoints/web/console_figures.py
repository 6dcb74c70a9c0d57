"""The figures as the console shows them: the same text as static/console.js writes.

The dashboard is rendered once on the server from the JSON of
GET /v1/ops/figures, then console.js refreshes it from the same JSON; both
format a value by its kind (int, seconds, percent, decimal, clock, text) and take
table rows from a path and a column list written in the template, so the
first render and every refresh read alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fawtara.sms.domain.sms import ARABIC_DECIMAL_SEPARATOR, arabic_digits

PERCENT_SIGN = {"ar": "\u066a", "en": "%"}


def figure_text(value: Any, kind: str, language: str, words: Mapping[str, str]) -> str:
    """One value as text; `words` names the booleans ("true"/"false")."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return words.get(str(value).lower(), str(value))
    if kind == "clock":  # an ISO instant: its UTC time of day
        return _digits(str(value)[11:19], language) + " UTC"
    if kind == "text" or not isinstance(value, int | float):
        return str(value)
    if kind == "percent":
        return _digits(f"{value * 100:.1f}", language) + PERCENT_SIGN[language]
    if kind == "seconds":
        return _digits(f"{value:.1f}", language)
    if kind == "decimal":
        return _digits(f"{value:.2f}", language)
    return _digits(str(value), language)


def _digits(text: str, language: str) -> str:
    if language != "ar":
        return text
    return arabic_digits(text).replace(".", ARABIC_DECIMAL_SEPARATOR)


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """`data["a"]["b"]` for the path "a.b"; None when a step is missing."""
    found: Any = data
    for key in path.split("."):
        found = found.get(key) if isinstance(found, Mapping) else None
    return found


def table(
    data: Mapping[str, Any],
    path: str,
    columns: str,
    language: str,
    words: Mapping[str, str],
    flag: str = "",
) -> list[tuple[bool, list[str]]]:
    """Rows (marked?, cells) of the list or mapping at `path`.

    `columns` is "name:kind,…" (kind defaults to text; the column "message"
    is message_ar or message_en); a mapping's rows have "key" and "value".
    `flag` names a field that marks a row ("!up": marked when not up).
    """
    found = lookup(data, path)
    if isinstance(found, Mapping):
        rows = [{"key": key, "value": found[key]} for key in sorted(found)]
    else:
        rows = list(found or [])
    negate, field = flag.startswith("!"), flag.lstrip("!")
    out: list[tuple[bool, list[str]]] = []
    for row in rows:
        cells = []
        for column in columns.split(","):
            name, _, kind = column.partition(":")
            if name == "message":
                name = f"message_{language}"
            cells.append(figure_text(row.get(name), kind or "text", language, words))
        marked = bool(field) and (not row.get(field) if negate else bool(row.get(field)))
        out.append((marked, cells))
    return out
