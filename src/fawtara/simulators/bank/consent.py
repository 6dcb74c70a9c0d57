"""The bank's consent to a pull debit: a one-time code sent by SMS to the account holder.

    POST /consents                      {payment_id, account, amount_minor} -> code by SMS
    POST /consents/{payment_id}/confirm {code}
    GET/POST /admin/consent-policy      {every_account, third_party, accounts}: whose
                                        debits need it

A consent is for one payment id, one account and one amount. When the policy
wants one for a debit, a pain.001 is refused with MD01 (no mandate) unless a
confirmed consent for that payment id, account and amount exists. Policies
(`fawtara bank-sim --consent off|all|third-party`, or the admin API):

    off            no debit needs one (the default: the switch's own tests and
                   chaos runs are not touched)
    all            every debit (`every_account`; `--require-consent` is the same)
    third-party    debits initiated by anyone but this bank itself, as open
                   banking has it: the portal's need the holder's code, the
                   bank's own app (initiator = this bank's code, read from
                   PmtInf/InstrForDbtrAgt) authenticated the holder already;
                   a debit that does not say who initiated it is a third party's
    listed         the debits of the accounts in `accounts` (with any of the above)

A code is good for `code_ttl_s` and `code_attempts_max` tries; asking again
for the same payment sends a new code but keeps the tries already spent. Per
account and rolling hour the bank sends at most `codes_per_account_hour_max`
codes (no SMS flood of the holder) and takes at most
`wrong_codes_per_account_hour_max` wrong codes: then the account's consents
are locked until the hour has passed, a right code included (no guessing
across re-issued codes). These refusals are HTTP 429 with a `refusal` name
(`too_many_codes`, `locked`) beside the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from fawtara.banks.domain.banking import DebitInstruction
from fawtara.simulators.bank.store import BankStore, account_in
from fawtara.sms.adapters.config import BANK_LOGIN, SmppConfig
from fawtara.sms.adapters.gateway import SmppGateway
from fawtara.sms.domain.sms import format_amount, split_into_parts
from fawtara.sms.use_cases.notifications import OutgoingSms, SubmitStatus

code_digits = 6
code_ttl_s = 600
code_attempts_max = 5
codes_per_account_hour_max = 5
wrong_codes_per_account_hour_max = 10
caps_window = timedelta(hours=1)
TOO_MANY_CODES, LOCKED = "too_many_codes", "locked"


class ConsentError(Exception):
    """A refusal with the HTTP status the consent API answers and a reason a person can read."""

    def __init__(self, status: int, reason: str, refusal: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.refusal = status, reason, refusal


POLICIES = ("off", "all", "third-party")


@dataclass
class ConsentPolicy:
    """Whose pull debits need a confirmed consent; changed at run time by the admin API."""

    every_account: bool = False
    third_party: bool = False
    accounts: set[str] = field(default_factory=set)

    @classmethod
    def named(cls, name: str) -> ConsentPolicy:
        """The policy `off`, `all` or `third-party` (ValueError for another name)."""
        if name not in POLICIES:
            raise ValueError(f"consent policy {name!r} is not one of {', '.join(POLICIES)}")
        return cls(every_account=name == "all", third_party=name == "third-party")

    def requires(self, instruction: DebitInstruction) -> bool:
        return (
            self.every_account
            or (self.third_party and not instruction.initiated_by_the_bank)
            or instruction.account in self.accounts
        )


class CodeSender:
    """Sends the code over SMPP to the SMSC, binding on first use (a bank without SMS works)."""

    def __init__(self, config: SmppConfig) -> None:
        self.config = config
        self._gateway: SmppGateway | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def send(self, msisdn: str, text: str) -> None:
        with self._lock:
            if self._gateway is None:
                gateway = SmppGateway(self.config)
                gateway.start()
                self._gateway = gateway
            message_id = next(self._ids)
            parts = split_into_parts(text, message_id % 256)
            [outcome] = self._gateway.submit([OutgoingSms(message_id, msisdn, parts, 0)])
        if outcome.status is not SubmitStatus.SENT:
            raise ConsentError(502, f"the SMS with the code was not sent: {outcome.reason}")

    def close(self) -> None:
        if self._gateway is not None:
            self._gateway.close()


def sender_for(bank_code: str) -> CodeSender:
    """The SMSC named by FAWTARA_SMSC_* and FAWTARA_SMS_*, the banks' own login
    (FAWTARA_BANK_SMSC_SYSTEM_ID/_PASSWORD: the receipts of the codes are not the switch's);
    the bank's code as sender id."""
    config = SmppConfig.from_environment(login=BANK_LOGIN)
    return CodeSender(replace(config, source_addr=bank_code[:11]))


def _hash(payment_id: str, code: str) -> str:
    return hashlib.sha256(f"{payment_id}:{code}".encode()).hexdigest()


def code_text(bank_code: str, amount_minor: int, code: str) -> str:
    amount = format_amount(amount_minor, "SYP", "ar")
    return f"{bank_code}: رمز الموافقة على خصم {amount} من حسابك لتسديد فواتير: {code}"


def _instant(moment: datetime) -> str:
    """A UTC timestamp whose text sorts as the time does (fixed width)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _events_this_hour(
    connection: sqlite3.Connection, store: BankStore, account: str, kind: str
) -> int:
    since = _instant(store.clock() - caps_window)
    row = connection.execute(
        "SELECT count(*) FROM consent_events WHERE account = ? AND kind = ? AND at > ?",
        (account, kind, since),
    ).fetchone()
    return int(row[0])


def _record(connection: sqlite3.Connection, store: BankStore, account: str, kind: str) -> None:
    """Note a code sent or a wrong code; the account's events older than the hour go."""
    since = _instant(store.clock() - caps_window)
    connection.execute("DELETE FROM consent_events WHERE account = ? AND at <= ?", (account, since))
    connection.execute(
        "INSERT INTO consent_events (account, kind, at) VALUES (?, ?, ?)",
        (account, kind, _instant(store.clock())),
    )


def _refuse_if_locked(connection: sqlite3.Connection, store: BankStore, account: str) -> None:
    if (
        _events_this_hour(connection, store, account, "wrong_code")
        >= wrong_codes_per_account_hour_max
    ):
        raise ConsentError(
            429,
            f"too many wrong codes for account {account}: its consents are locked for an hour",
            LOCKED,
        )


def request_consent(
    store: BankStore, sender: CodeSender, payment_id: str, account: str, amount_minor: int
) -> str:
    """Store a new code for the payment and text it to the holder; returns the masked number."""
    code = f"{secrets.randbelow(10**code_digits):0{code_digits}d}"
    with store.write() as connection:
        holder = account_in(connection, account)
        if holder is None:
            raise ConsentError(404, f"no account {account} at {store.bank_code}")
        if holder.state != "active" or not holder.msisdn:
            raise ConsentError(422, f"account {account} is {holder.state} or has no phone number")
        existing = connection.execute(
            "SELECT * FROM consents WHERE payment_id = ?", (payment_id,)
        ).fetchone()
        if existing is not None and (existing["account"], existing["amount_minor"]) != (
            account,
            amount_minor,
        ):
            raise ConsentError(409, f"payment {payment_id} was consented for another debit")
        if existing is not None and existing["confirmed_at"]:
            raise ConsentError(409, f"payment {payment_id} is already consented")
        if existing is not None and existing["attempts"] >= code_attempts_max:
            raise ConsentError(429, f"too many wrong codes for payment {payment_id}; start again")
        _refuse_if_locked(connection, store, account)
        if _events_this_hour(connection, store, account, "code_sent") >= codes_per_account_hour_max:
            raise ConsentError(
                429,
                f"{codes_per_account_hour_max} codes were sent for account {account}"
                " in the last hour; ask again later",
                TOO_MANY_CODES,
            )
        # A new code and a new validity; the tries already spent on this payment stay.
        connection.execute(
            "INSERT INTO consents (payment_id, account, amount_minor, code_hash, attempts,"
            " created_at) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (payment_id) DO UPDATE SET"
            " code_hash = excluded.code_hash, created_at = excluded.created_at",
            (payment_id, account, amount_minor, _hash(payment_id, code), store.stamp()[0]),
        )
        _record(connection, store, account, "code_sent")
    sender.send(holder.msisdn, code_text(store.bank_code, amount_minor, code))
    return f"…{holder.msisdn[-3:]}"


def confirm_consent(store: BankStore, payment_id: str, code: str) -> None:
    """Confirm with the code; ConsentError when wrong, expired, tried too often or locked."""
    with store.write() as connection:
        row = connection.execute(
            "SELECT * FROM consents WHERE payment_id = ?", (payment_id,)
        ).fetchone()
        if row is None:
            raise ConsentError(404, f"no consent was asked for payment {payment_id}")
        if row["confirmed_at"]:
            return
        _refuse_if_locked(connection, store, row["account"])
        if row["attempts"] >= code_attempts_max:
            raise ConsentError(429, "too many wrong codes; ask for a new one")
        expires = datetime.fromisoformat(row["created_at"]) + timedelta(seconds=code_ttl_s)
        if store.clock() > expires:
            raise ConsentError(410, "the code has expired; ask for a new one")
        # Hashes of equal length compared in constant time: the code does not leak by timing.
        right = hmac.compare_digest(row["code_hash"], _hash(payment_id, code.strip()))
        if right:
            connection.execute(
                "UPDATE consents SET confirmed_at = ? WHERE payment_id = ?",
                (store.stamp()[0], payment_id),
            )
        else:  # counted, and committed: the refusal is raised after the transaction
            connection.execute(
                "UPDATE consents SET attempts = attempts + 1 WHERE payment_id = ?", (payment_id,)
            )
            _record(connection, store, row["account"], "wrong_code")
    if not right:
        raise ConsentError(403, f"wrong code; {code_attempts_max - row['attempts'] - 1} tries left")


def missing_consent(
    store: BankStore, policy: ConsentPolicy, instruction: DebitInstruction
) -> str | None:
    """MD01 when the policy wants a consent for this debit and none is confirmed."""
    if not policy.requires(instruction):
        return None
    with store.read() as connection:
        row = connection.execute(
            "SELECT 1 FROM consents WHERE payment_id = ? AND account = ? AND amount_minor = ?"
            " AND confirmed_at IS NOT NULL",
            (instruction.payment_id, instruction.account, instruction.amount_minor),
        ).fetchone()
    return None if row is not None else "MD01"
