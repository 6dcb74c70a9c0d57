"""domain.payments: the ids a payment gives the banks."""

from __future__ import annotations

import uuid

from fawtara.switch.domain.payments import return_id_of


def test_a_return_id_is_one_per_payment_and_fits_an_iso_20022_id() -> None:
    ids = [str(uuid.uuid4()) for _ in range(50)] + [f"counter-{n:056d}" for n in range(50)]
    returns = [return_id_of(payment_id) for payment_id in ids]
    assert len(set(returns)) == len(ids)
    assert all(len(r) <= 35 and r.startswith("RT") for r in returns)
    assert [return_id_of(payment_id) for payment_id in ids] == returns  # stable


def test_a_uuid_payment_reads_in_its_return_id() -> None:
    payment_id = "9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a"
    assert return_id_of(payment_id) == "RT9d8c7b6a5f4e4d3ca2b10f9e8d7c6b5a"
