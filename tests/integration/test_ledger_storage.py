"""The ledger on both engines: worked examples, and the database's own guard.

The database refuses unbalanced, edited or deleted transfers even when the
domain is bypassed with raw SQL; `verify_ledger` finds what slipped in when
the guard itself was removed (a restore from a tampered dump, say).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from fawtara.kernel.errors import (
    CurrencyMismatch,
    InvalidAmount,
    PendingAlreadyResolved,
    TransferIdReused,
    UnbalancedTransfer,
    UnknownAccount,
)
from fawtara.switch.domain.accounts import SWITCH_ACCOUNTS, bank_settlement, biller_payable
from fawtara.switch.domain.ledger import AccountType
from fawtara.switch.use_cases import ledger
from fawtara.wiring import Platform

BANK, BILLER = "bank:BEMO:settlement", "biller:STE:payable"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def books(platform: Platform) -> Platform:
    ledger.open_accounts(
        platform.uow(),
        [*SWITCH_ACCOUNTS, bank_settlement("BEMO"), biller_payable("STE")],
        platform.clock,
    )
    return platform


def move(platform: Platform, transfer_id: str, amount_minor: int, pending: bool = False) -> None:
    ledger.transfer(
        platform.uow(),
        transfer_id=transfer_id,
        debit_code=BANK,
        credit_code=BILLER,
        amount_minor=amount_minor,
        currency="SYP",
        code="bill_payment",
        reference=f"payment {transfer_id}",
        clock=platform.clock,
        pending=pending,
    )


def balances(platform: Platform) -> dict[str, tuple[int, int, int, int]]:
    with platform.uow(readonly=True) as uow:
        found = {}
        for code in (BANK, BILLER):
            account = uow.ledger.account_by_code(code)
            assert account is not None
            b = uow.ledger.balance(account.id)
            found[code] = (
                b.debits_posted_minor,
                b.credits_posted_minor,
                b.debits_pending_minor,
                b.credits_pending_minor,
            )
        return found


def test_opening_the_chart_twice_opens_each_account_once(books: Platform) -> None:
    again = ledger.open_accounts(books.uow(), [bank_settlement("BEMO")], books.clock)
    with books.uow(readonly=True) as uow:
        codes = [a.code for a in uow.ledger.accounts()]
    assert codes.count(BANK) == 1 and again[0].code == BANK


def test_a_payment_of_3200_pounds_debits_the_bank_and_credits_the_biller(books: Platform) -> None:
    move(books, "t1", 320_000)
    assert balances(books) == {BANK: (320_000, 0, 0, 0), BILLER: (0, 320_000, 0, 0)}
    report = ledger.verify_ledger(books.uow(readonly=True))
    assert report.balanced and report.transfers_checked == 1
    assert report.totals == {"SYP": (320_000, 320_000)}


def test_a_pending_reservation_posts_in_part_and_only_once(books: Platform) -> None:
    move(books, "p1", 50_000, pending=True)
    assert balances(books)[BANK] == (0, 0, 50_000, 0)
    ledger.resolve(
        books.uow(),
        resolution_id="p1-post",
        pending_id="p1",
        post=True,
        amount_minor=45_000,
        clock=books.clock,
    )
    assert balances(books) == {BANK: (45_000, 0, 0, 0), BILLER: (0, 45_000, 0, 0)}
    with pytest.raises(PendingAlreadyResolved):
        ledger.resolve(
            books.uow(), resolution_id="p1-void", pending_id="p1", post=False, clock=books.clock
        )
    assert ledger.verify_ledger(books.uow(readonly=True)).balanced


def test_a_voided_reservation_leaves_no_balance(books: Platform) -> None:
    move(books, "p2", 10_000, pending=True)
    ledger.resolve(
        books.uow(), resolution_id="p2-void", pending_id="p2", post=False, clock=books.clock
    )
    assert balances(books) == {BANK: (0, 0, 0, 0), BILLER: (0, 0, 0, 0)}


def test_retrying_a_transfer_id_returns_the_first_and_a_changed_body_is_refused(
    books: Platform,
) -> None:
    move(books, "t2", 1_000)
    move(books, "t2", 1_000)
    with pytest.raises(TransferIdReused):
        move(books, "t2", 2_000)
    assert balances(books)[BANK] == (1_000, 0, 0, 0)


def test_within_a_transaction_a_reversal_and_a_resolution_happen_once(books: Platform) -> None:
    """The payment steps and the cash books move money inside their own transaction
    through the ledger's use cases: the same checks, nothing committed for them."""
    move(books, "T-R", 3_200_00, pending=True)
    with books.uow() as uow:
        pending = uow.ledger.transfer("T-R")
        assert pending is not None
        posted = ledger.resolve_within(uow, pending, resolution_id="T-R:post", post=True, now=NOW)
        again = ledger.resolve_within(uow, pending, resolution_id="T-R:post", post=True, now=NOW)
        assert again == posted
        with pytest.raises(PendingAlreadyResolved):
            ledger.resolve_within(uow, pending, resolution_id="T-R:void", post=False, now=NOW)
        reversal = ledger.reverse_within(uow, posted, reversal_id="T-R:rev", now=NOW)
        assert (reversal.debit_account_id, reversal.credit_account_id) == (
            posted.credit_account_id,
            posted.debit_account_id,
        )
        with pytest.raises(TransferIdReused):
            ledger.reverse_within(uow, posted, reversal_id="T-R:rev", now=NOW, amount_minor=1)
        uow.rollback()  # the caller decides: nothing of it is kept
    assert balances(books)[BANK] == (0, 0, 3_200_00, 0)
    with books.uow() as uow:
        pending = uow.ledger.transfer("T-R")
        assert pending is not None
        ledger.resolve_within(uow, pending, resolution_id="T-R:post", post=True, now=NOW)
        uow.commit()
    assert balances(books)[BANK] == (3_200_00, 0, 0, 0)


@pytest.mark.parametrize(
    ("amount", "debit", "credit", "currency", "error"),
    [
        (0, BANK, BILLER, "SYP", InvalidAmount),
        (-5, BANK, BILLER, "SYP", InvalidAmount),
        (10, BANK, BANK, "SYP", UnbalancedTransfer),
        (10, BANK, "nope", "SYP", UnknownAccount),
        (10, BANK, BILLER, "USD", InvalidAmount),
    ],
)
def test_the_domain_refuses_bad_transfers_and_writes_nothing(
    books: Platform,
    amount: int,
    debit: str,
    credit: str,
    currency: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        ledger.transfer(
            books.uow(),
            transfer_id="bad",
            debit_code=debit,
            credit_code=credit,
            amount_minor=amount,
            currency=currency,
            code="x",
            reference="",
            clock=books.clock,
        )
    assert ledger.verify_ledger(books.uow(readonly=True)).transfers_checked == 0


def test_an_account_in_another_currency_is_refused(books: Platform) -> None:
    with books.uow(readonly=True) as uow:
        account = uow.ledger.account_by_code(BANK)
    assert account is not None and account.type is AccountType.ASSET
    from fawtara.switch.domain.ledger import Account, Transfer, TransferKind, check_accounts

    other = Account(99, "x", "x", "x", AccountType.ASSET, "USD")
    candidate = Transfer("c", TransferKind.SINGLE_PHASE, account.id, 99, 5, "SYP", "x", "", NOW)
    with pytest.raises(CurrencyMismatch):
        check_accounts(candidate, account, other)


# --- The database's guard, bypassing the domain with raw SQL -----------------


def raw(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def ids(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT code, id FROM ledger_accounts")).all())
    return rows[BANK], rows[BILLER]


def legs(transfer: str, debit: int, credit: int, d_amount: int, c_amount: int) -> list[str]:
    return [
        f"INSERT INTO ledger_legs (transfer_id, account_id, currency, side, amount_minor) "
        f"VALUES ('{transfer}', {debit}, 'SYP', 'D', {d_amount})",
        f"INSERT INTO ledger_legs (transfer_id, account_id, currency, side, amount_minor) "
        f"VALUES ('{transfer}', {credit}, 'SYP', 'C', {c_amount})",
    ]


def header(transfer: str, amount: int, kind: str = "single_phase", pending: str = "NULL") -> str:
    return (
        "INSERT INTO ledger_transfers (id, kind, pending_id, amount_minor, currency, code, "
        f"reference, created_at) VALUES ('{transfer}', '{kind}', {pending}, {amount}, 'SYP', "
        "'raw', '', '2026-11-01 00:00:00+00')"
    )


def test_the_database_refuses_a_transfer_whose_legs_do_not_balance(books: Platform) -> None:
    bank, biller = ids(books.engine)
    with pytest.raises(DatabaseError, match="LEDGER_UNBALANCED"):
        raw(books.engine, *legs("r1", bank, biller, 100, 90), header("r1", 100))
    with pytest.raises(DatabaseError, match="LEDGER_UNBALANCED"):
        raw(books.engine, header("r2", 100))  # no legs at all
    with pytest.raises(DatabaseError, match="LEDGER_UNBALANCED"):
        raw(books.engine, *legs("r3", bank, bank, 100, 100), header("r3", 100))
    with pytest.raises(DatabaseError):
        raw(books.engine, *legs("r4", bank, biller, 0, 0), header("r4", 0))
    assert ledger.verify_ledger(books.uow(readonly=True)).transfers_checked == 0


def test_the_database_refuses_legs_without_their_transfer_at_commit(books: Platform) -> None:
    bank, biller = ids(books.engine)
    with pytest.raises(DatabaseError):
        raw(books.engine, *legs("orphan", bank, biller, 100, 100))


def test_the_database_refuses_to_change_or_delete_a_transfer(books: Platform) -> None:
    move(books, "t3", 700)
    for statement in (
        "UPDATE ledger_transfers SET amount_minor = 1 WHERE id = 't3'",
        "UPDATE ledger_legs SET amount_minor = 1 WHERE transfer_id = 't3'",
        "DELETE FROM ledger_legs WHERE transfer_id = 't3'",
        "DELETE FROM ledger_transfers WHERE id = 't3'",
    ):
        with pytest.raises(DatabaseError, match="LEDGER_IMMUTABLE"):
            raw(books.engine, statement)
    bank, biller = ids(books.engine)
    with pytest.raises(DatabaseError, match="LEDGER_SEALED"):
        raw(books.engine, *legs("t3", bank, biller, 5, 5))
    assert balances(books)[BANK] == (700, 0, 0, 0)


def test_the_database_refuses_a_second_resolution_and_a_resolution_of_nothing(
    books: Platform,
) -> None:
    move(books, "p3", 500, pending=True)
    bank, biller = ids(books.engine)
    raw(
        books.engine,
        *legs("p3-a", bank, biller, 500, 500),
        header("p3-a", 500, "post_pending", "'p3'"),
    )
    with pytest.raises(DatabaseError):
        raw(
            books.engine,
            *legs("p3-b", bank, biller, 500, 500),
            header("p3-b", 500, "void_pending", "'p3'"),
        )
    with pytest.raises(DatabaseError, match="LEDGER_BAD_RESOLUTION"):
        raw(
            books.engine,
            *legs("p4-a", bank, biller, 5, 5),
            header("p4-a", 5, "post_pending", "'t-none'"),
        )


def drop_guard(engine: Engine) -> None:
    """Remove the triggers, as a tampered restore would."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            names = (
                connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                .scalars()
                .all()
            )
            for name in names:
                connection.execute(text(f"DROP TRIGGER {name}"))
        else:
            connection.execute(text("DROP FUNCTION ledger_transfers_check() CASCADE"))


def test_verify_lists_each_offending_transfer_when_the_guard_was_bypassed(
    books: Platform,
) -> None:
    move(books, "good", 1_000)
    drop_guard(books.engine)
    bank, biller = ids(books.engine)
    raw(books.engine, *legs("bad-amounts", bank, biller, 100, 90), header("bad-amounts", 100))
    raw(books.engine, legs("one-leg", bank, biller, 100, 100)[0], header("one-leg", 100))
    report = ledger.verify_ledger(books.uow(readonly=True))
    assert not report.balanced
    assert report.transfers_checked == 3
    offenders = dict(report.offending)
    assert set(offenders) == {"bad-amounts", "one-leg"}
    assert any("debits 100 != credits 90" in p for p in offenders["bad-amounts"])
    assert any("0 credit legs" in p for p in offenders["one-leg"])
    assert report.totals["SYP"] == (1_200, 1_090)
