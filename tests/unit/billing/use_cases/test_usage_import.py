"""Importing usage on the fake store: bad rows named by line, good rows kept, chunk by chunk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from fawtara.billing.use_cases import usage_import
from fawtara.billing.use_cases.usage_import import import_usage
from fawtara.kernel import limits
from fawtara.kernel.clock import ManualClock
from fawtara.kernel.errors import LimitExceeded
from tests.fakes.billing import (
    BillingState,
    FakeBillingStore,
    FakeUnitOfWork,
    FakeUsageRepository,
)
from tests.fakes.billing_world import NOW
from tests.unit.billing.conftest import CYCLE, World

Rows = list[tuple[int, dict[str, str | None]]]


def usage_rows(*rows: tuple[str, str, str, str]) -> Rows:
    """CSV rows (biller, cycle, service_ref, quantity), numbered from line 2 as in a file."""
    return [
        (line_no, {"biller": b, "cycle": c, "service_ref": s, "quantity": q})
        for line_no, (b, c, s, q) in enumerate(rows, start=2)
    ]


def imported(world: World, rows: Rows) -> usage_import.ImportReport:
    return import_usage(world.store.uow, rows, "readings.csv", ManualClock(NOW))


def quantities(store: FakeBillingStore) -> dict[tuple[int, str], int]:
    return {key: row["quantity"] for key, row in store.committed.usage.items()}


def test_good_rows_are_kept_and_each_bad_one_is_named_by_its_line(world: World) -> None:
    first, second = world.meters
    report = imported(
        world,
        usage_rows(
            ("ELEC", CYCLE, first, "400"),
            ("WATER", CYCLE, first, "1"),
            ("ELEC", CYCLE, "1234567897", "5"),
            ("ELEC", CYCLE, second, "-3"),
            ("ELEC", "2026-13", second, "5"),
            ("elec", CYCLE, f" {second} ", "20"),
        ),
    )
    assert (report.rows_read, report.rows_added, report.rejected_count) == (6, 2, 4)
    assert [(line, reason.split(":")[0]) for line, reason in report.rejected] == [
        (3, "UNKNOWN_BILLER"),
        (5, "INVALID_USAGE"),
        (6, "INVALID_CYCLE"),
        (4, "UNKNOWN_SERVICE"),
    ]
    assert quantities(world.store) == {
        (world.service_ids[first], CYCLE): 400,
        (world.service_ids[second], CYCLE): 20,
    }


def test_importing_the_same_file_twice_changes_nothing(world: World) -> None:
    rows = usage_rows(("ELEC", CYCLE, world.meters[0], "400"))
    imported(world, rows)
    again = imported(world, rows)
    assert (again.rows_added, again.rows_unchanged, again.rejected) == (0, 1, [])
    assert len(world.store.committed.usage) == 1


def test_another_quantity_for_a_recorded_reading_is_a_conflict_not_a_correction(
    world: World,
) -> None:
    meter = world.meters[0]
    imported(world, usage_rows(("ELEC", CYCLE, meter, "400")))
    report = imported(world, usage_rows(("ELEC", CYCLE, meter, "401"), ("ELEC", CYCLE, meter, "5")))
    assert [reason.split(":")[0] for _, reason in report.rejected] == ["USAGE_CONFLICT"] * 2
    assert quantities(world.store) == {(world.service_ids[meter], CYCLE): 400}


def test_the_same_reading_twice_in_one_file_is_one_row_and_a_conflict(world: World) -> None:
    meter = world.meters[0]
    report = imported(world, usage_rows(("ELEC", CYCLE, meter, "7"), ("ELEC", CYCLE, meter, "8")))
    assert report.rows_added == 1 and [line for line, _ in report.rejected] == [3]


def test_a_file_over_the_limit_keeps_the_chunks_before_it_and_nothing_of_the_next(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usage_import, "CHUNK_ROWS", 1)
    monkeypatch.setattr(limits, "usage_file_rows_max", 1)
    rows = usage_rows(("ELEC", CYCLE, world.meters[0], "4"), ("ELEC", CYCLE, world.meters[1], "5"))
    with pytest.raises(LimitExceeded):
        imported(world, rows)
    assert quantities(world.store) == {(world.service_ids[world.meters[0]], CYCLE): 4}


class CrashingUsage(FakeUsageRepository):
    """Writes its rows, then fails as a dropped connection would."""

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        super().add(rows)
        raise ConnectionError("the store went away")


class CrashingUnitOfWork(FakeUnitOfWork):
    def _bind(self, state: BillingState) -> None:
        super()._bind(state)
        self.usage = CrashingUsage(state)


def test_a_chunk_that_fails_half_way_leaves_nothing_of_itself(world: World) -> None:
    imported(world, usage_rows(("ELEC", CYCLE, world.meters[0], "4")))
    with pytest.raises(ConnectionError):
        import_usage(
            lambda: CrashingUnitOfWork(world.store),
            usage_rows(("ELEC", CYCLE, world.meters[1], "5")),
            "readings.csv",
            ManualClock(NOW),
        )
    assert quantities(world.store) == {(world.service_ids[world.meters[0]], CYCLE): 4}
