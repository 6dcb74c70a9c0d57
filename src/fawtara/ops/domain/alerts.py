"""Alerts: thresholds on the operations figures, as data, judged purely.

Each rule reads one value from a `Figures` snapshot and compares it with its
threshold; an active alert carries both, and a message in English and in
Arabic for the console. The thresholds and their reasons are in
docs/OPERATIONS.md; an external alert manager can read the same list from
GET /v1/ops/alerts or `fawtara_alert_active` on /metrics.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fawtara.kernel import limits
from fawtara.ops.domain.figures import Figures


class Severity(enum.StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    severity: Severity
    value: float
    threshold: float
    message_en: str
    message_ar: str

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "severity": self.severity.value,
            "value": self.value,
            "threshold": self.threshold,
            "message_en": self.message_en,
            "message_ar": self.message_ar,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    """Fires when `above` is True and value > threshold, or `above` is False and value < it.

    `value` returns None when there is nothing to judge (no sample); the rule
    stays quiet then. Messages are formats with {value} and {threshold}.
    """

    name: str
    severity: Severity
    threshold: float
    above: bool
    value: Callable[[Figures], float | None]
    message_en: str
    message_ar: str

    def judge(self, figures: Figures) -> Alert | None:
        value = self.value(figures)
        if value is None:
            return None
        fires = value > self.threshold if self.above else value < self.threshold
        if not fires:
            return None
        shown = {"value": _shown(value), "threshold": _shown(self.threshold)}
        return Alert(
            self.name,
            self.severity,
            value,
            self.threshold,
            self.message_en.format(**shown),
            self.message_ar.format(**shown),
        )


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.2f}"


# Past this age an unknown payment is late: the worker resolves it within
# limits.unknown_resolution_s (60 s), so twice that means the bank or the worker is stuck.
UNKNOWN_AGE_S_MAX = 2 * limits.unknown_resolution_s
SMS_DELIVERY_RATE_MIN = 0.90
# Below this many final receipts in the window the rate says nothing yet.
SMS_DELIVERY_SAMPLE_MIN = 20
# Undelivered outbox rows (SMS to write, returns, reconnection reviews): a few
# seconds of work at demo rates; more means a worker is down.
OUTBOX_DEPTH_MAX = 1_000


def _sms_rate(figures: Figures) -> float | None:
    if figures.sms_with_final_receipt < SMS_DELIVERY_SAMPLE_MIN:
        return None
    return figures.sms_delivery_rate


def _links_down(kind: str) -> Callable[[Figures], float]:
    return lambda figures: float(
        sum(1 for link in figures.links if link.kind == kind and not link.up)
    )


def _down_names(figures: Figures, kind: str) -> str:
    return ", ".join(link.name for link in figures.links if link.kind == kind and not link.up)


RULES: tuple[Rule, ...] = (
    Rule(
        "unknown_payment_too_old",
        Severity.CRITICAL,
        UNKNOWN_AGE_S_MAX,
        True,
        lambda f: f.unknown_oldest_age_s,
        "a payment has been unknown for {value} s (more than {threshold} s)",
        "دفعة نتيجتها مجهولة منذ {value} ثانية (أكثر من {threshold})",
    ),
    Rule(
        "sms_delivery_rate_low",
        Severity.WARNING,
        SMS_DELIVERY_RATE_MIN,
        False,
        _sms_rate,
        "SMS delivery rate {value} is below {threshold}",
        "نسبة تسليم الرسائل {value} أقل من {threshold}",
    ),
    Rule(
        "bank_link_down",
        Severity.CRITICAL,
        0,
        True,
        _links_down("bank"),
        "{value} bank link(s) down",
        "{value} من روابط المصارف متوقفة",
    ),
    Rule(
        "smsc_down",
        Severity.CRITICAL,
        0,
        True,
        _links_down("smsc"),
        "the SMSC is unreachable",
        "مركز الرسائل القصيرة غير متاح",
    ),
    Rule(
        "database_down",
        Severity.CRITICAL,
        0,
        True,
        _links_down("database"),
        "the database is unreachable",
        "قاعدة البيانات غير متاحة",
    ),
    Rule(
        "outbox_backlog",
        Severity.WARNING,
        OUTBOX_DEPTH_MAX,
        True,
        lambda f: float(f.outbox_depth),
        "{value} outbox rows wait (more than {threshold})",
        "{value} من المهام تنتظر في صندوق الصادر (أكثر من {threshold})",
    ),
    Rule(
        "biller_link_down",
        Severity.WARNING,
        0,
        True,
        lambda f: float(len(f.biller_links_down)),
        "{value} biller link(s) down: their payment notices wait",
        "{value} من روابط الجهات المفوترة متوقفة: إشعارات الدفع تنتظر",
    ),
)


def evaluate(figures: Figures, rules: Sequence[Rule] = RULES) -> list[Alert]:
    """The alerts active for this snapshot, in the order of the rules."""
    active = [rule.judge(figures) for rule in rules]
    alerts = [alert for alert in active if alert is not None]
    return [_named(alert, figures) for alert in alerts]


def _named(alert: Alert, figures: Figures) -> Alert:
    """Say which link, where a rule counts several."""
    which = {
        "bank_link_down": _down_names(figures, "bank"),
        "biller_link_down": ", ".join(link.biller_code for link in figures.biller_links_down),
    }.get(alert.name)
    if not which:
        return alert
    return Alert(
        alert.name,
        alert.severity,
        alert.value,
        alert.threshold,
        f"{alert.message_en}: {which}",
        f"{alert.message_ar}: {which}",
    )
