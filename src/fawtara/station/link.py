"""The link to the switch: its counter API over HTTP (X-Api-Key of the counter).

Short timeouts: a telephone centre's line is either up or it is not, and the
cashier must not wait on it. Anything but a well-formed answer is `LinkDown`
with a reason the status bar can show; the journal keeps what was not sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from fawtara.kernel import limits
from fawtara.station.model import EntryResult, JournalEntry
from fawtara.station.rules import journal_body

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 10.0  # a batch of 200 entries is applied one by one at the switch
SNAPSHOT_PAGE_ROWS = limits.counter_snapshot_bills_max


class LinkDown(Exception):
    """The switch could not be reached, or did not answer as its API says."""


class SwitchLink:
    def __init__(self, base_url: str, api_key: str, read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-Api-Key": api_key},
            timeout=httpx.Timeout(read_timeout_s, connect=CONNECT_TIMEOUT_S),
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, **options: Any) -> Any:
        try:
            response = self._client.request(method, path, **options)
        except httpx.HTTPError as error:
            raise LinkDown(f"switch unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            try:
                reason = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                reason = limits.clip(response.text, limits.excerpt_length_max)
            raise LinkDown(f"switch answered {response.status_code}: {reason}")
        try:
            return response.json()
        except ValueError as error:
            raise LinkDown("switch answered something that is not JSON") from error

    def snapshot(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(the first page without its bills, every bill of every page)."""
        first: dict[str, Any] | None = None
        bills: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": SNAPSHOT_PAGE_ROWS}
            if cursor is not None:
                params["after"] = cursor
            page = self._call("GET", "/v1/counter/snapshot", params=params)
            first = first or page
            bills.extend(page["bills"])
            cursor = page.get("next")
            if not cursor:
                return first, bills

    def push(self, entries: list[JournalEntry], synced_through: datetime) -> list[EntryResult]:
        body = journal_body([e.wire() for e in entries], synced_through)
        answer = self._call(
            "POST",
            "/v1/counter/journal",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            return [
                EntryResult(
                    r["entry_id"], r["status"], r.get("error"), r.get("outcome"), r.get("shift")
                )
                for r in answer["results"]
            ]
        except (KeyError, TypeError) as error:
            raise LinkDown(f"switch answered a journal push without results ({error})") from error
