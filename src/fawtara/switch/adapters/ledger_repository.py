"""The ledger's storage: legs first, then the transfer row that seals them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select
from sqlalchemy.orm import aliased

from fawtara.storage import tables as t
from fawtara.switch.domain.ledger import (
    Account,
    AccountType,
    Balance,
    Side,
    StoredTransferSummary,
    Transfer,
    TransferKind,
)


def _account(row: Any) -> Account:
    return Account(row.id, row.code, row.name_en, row.name_ar, AccountType(row.type), row.currency)


class SqlLedgerRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_account(
        self, code: str, name_en: str, name_ar: str, type: str, currency: str, created_at: datetime
    ) -> Account:
        result = self.connection.execute(
            insert(t.ledger_accounts)
            .values(
                code=code,
                name_en=name_en,
                name_ar=name_ar,
                type=type,
                currency=currency,
                created_at=created_at,
            )
            .returning(t.ledger_accounts)
        )
        return _account(result.one())

    def account_by_code(self, code: str) -> Account | None:
        query = select(t.ledger_accounts).where(t.ledger_accounts.c.code == code)
        row = self.connection.execute(query).first()
        return None if row is None else _account(row)

    def account(self, account_id: int) -> Account | None:
        query = select(t.ledger_accounts).where(t.ledger_accounts.c.id == account_id)
        row = self.connection.execute(query).first()
        return None if row is None else _account(row)

    def accounts(self) -> list[Account]:
        query = select(t.ledger_accounts).order_by(t.ledger_accounts.c.code)
        return [_account(row) for row in self.connection.execute(query)]

    def transfer(self, transfer_id: str) -> Transfer | None:
        tr = t.ledger_transfers.c
        row = self.connection.execute(
            select(t.ledger_transfers).where(tr.id == transfer_id)
        ).first()
        if row is None:
            return None
        legs = {
            leg.side: leg.account_id
            for leg in self.connection.execute(
                select(t.ledger_legs).where(t.ledger_legs.c.transfer_id == transfer_id)
            )
        }
        return Transfer(
            id=row.id,
            kind=TransferKind(row.kind),
            debit_account_id=legs[Side.DEBIT.value],
            credit_account_id=legs[Side.CREDIT.value],
            amount_minor=row.amount_minor,
            currency=row.currency,
            code=row.code,
            reference=row.reference,
            created_at=row.created_at,
            pending_id=row.pending_id,
        )

    def is_resolved(self, pending_id: str) -> bool:
        query = select(t.ledger_transfers.c.id).where(t.ledger_transfers.c.pending_id == pending_id)
        return self.connection.execute(query).first() is not None

    def add_transfer(self, transfer: Transfer) -> None:
        self.connection.execute(
            insert(t.ledger_legs),
            [
                {
                    "transfer_id": transfer.id,
                    "account_id": leg.account_id,
                    "currency": leg.currency,
                    "side": leg.side.value,
                    "amount_minor": leg.amount_minor,
                }
                for leg in transfer.legs()
            ],
        )
        self.connection.execute(
            insert(t.ledger_transfers).values(
                id=transfer.id,
                kind=transfer.kind.value,
                pending_id=transfer.pending_id,
                amount_minor=transfer.amount_minor,
                currency=transfer.currency,
                code=transfer.code,
                reference=transfer.reference,
                created_at=transfer.created_at,
            )
        )

    def balance(self, account_id: int) -> Balance:
        legs, tr = t.ledger_legs.c, t.ledger_transfers.c
        resolution = aliased(t.ledger_transfers)
        posted = tr.kind.in_([TransferKind.SINGLE_PHASE.value, TransferKind.POST_PENDING.value])
        open_pending = (tr.kind == TransferKind.PENDING.value) & ~select(resolution.c.id).where(
            resolution.c.pending_id == tr.id
        ).exists()

        def total(side: Side, condition: Any) -> Any:
            return func.coalesce(
                func.sum(case(((legs.side == side.value) & condition, legs.amount_minor), else_=0)),
                0,
            )

        query = (
            select(
                total(Side.DEBIT, posted),
                total(Side.CREDIT, posted),
                total(Side.DEBIT, open_pending),
                total(Side.CREDIT, open_pending),
            )
            .select_from(t.ledger_legs.join(t.ledger_transfers, tr.id == legs.transfer_id))
            .where(legs.account_id == account_id)
        )
        row = self.connection.execute(query).one()
        return Balance(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def summaries(self, batch_rows: int) -> Iterator[StoredTransferSummary]:
        """Per-transfer aggregates of the legs, in keyset pages of `batch_rows`."""
        legs, tr = t.ledger_legs.c, t.ledger_transfers.c
        pending = aliased(t.ledger_transfers)
        siblings = aliased(t.ledger_transfers)
        debit = legs.side == Side.DEBIT.value
        credit = legs.side == Side.CREDIT.value
        after = ""
        while True:
            query = (
                select(
                    tr.id,
                    tr.kind,
                    tr.amount_minor,
                    func.sum(case((debit, 1), else_=0)),
                    func.sum(case((credit, 1), else_=0)),
                    func.coalesce(func.sum(case((debit, legs.amount_minor), else_=0)), 0),
                    func.coalesce(func.sum(case((credit, legs.amount_minor), else_=0)), 0),
                    func.sum(case((legs.amount_minor <= 0, 1), else_=0)),
                    func.count(func.distinct(legs.currency)),
                    func.count(func.distinct(legs.account_id)),
                    func.max(pending.c.kind),
                    func.max(pending.c.amount_minor),
                    select(func.count())
                    .where(siblings.c.pending_id == tr.pending_id)
                    .scalar_subquery(),
                    func.sum(case((legs.currency != tr.currency, 1), else_=0)),
                )
                .select_from(
                    t.ledger_transfers.outerjoin(
                        t.ledger_legs, legs.transfer_id == tr.id
                    ).outerjoin(pending, pending.c.id == tr.pending_id)
                )
                .where(tr.id > after)
                .group_by(tr.id, tr.kind, tr.amount_minor, tr.pending_id, tr.currency)
                .order_by(tr.id)
                .limit(batch_rows)
            )
            rows = self.connection.execute(query).all()
            for row in rows:
                yield StoredTransferSummary(
                    transfer_id=row[0],
                    kind=row[1],
                    amount_minor=row[2],
                    debit_legs=int(row[3] or 0),
                    credit_legs=int(row[4] or 0),
                    debit_sum_minor=int(row[5]),
                    credit_sum_minor=int(row[6]),
                    nonpositive_legs=int(row[7] or 0),
                    currencies=max(int(row[8]), 2 if row[13] else 1),
                    distinct_accounts=int(row[9]),
                    pending_kind=row[10],
                    pending_amount_minor=row[11],
                    resolutions_of_pending=int(row[12] or 0),
                )
            if len(rows) < batch_rows:
                return
            after = rows[-1][0]

    def totals_by_currency(self) -> dict[str, tuple[int, int]]:
        legs = t.ledger_legs.c
        query = select(
            legs.currency,
            func.coalesce(
                func.sum(case((legs.side == Side.DEBIT.value, legs.amount_minor), else_=0)), 0
            ),
            func.coalesce(
                func.sum(case((legs.side == Side.CREDIT.value, legs.amount_minor), else_=0)), 0
            ),
        ).group_by(legs.currency)
        return {row[0]: (int(row[1]), int(row[2])) for row in self.connection.execute(query)}
