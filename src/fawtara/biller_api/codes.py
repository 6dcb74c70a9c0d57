"""The error codes an online biller answers, with their HTTP status (Biller API v1).

Every error answers `{"error": {"code", "message", "message_ar"}}` (ErrorAnswer).
The codes are the switch's own where it has one (kernel/errors.py, checked by
tests/unit/biller_api/test_codes.py), NOTICE_UNKNOWN included: the biller has
no notice under that payment id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    http_status: int
    message_ar: str


UNAUTHENTICATED = ErrorCode("UNAUTHENTICATED", 401, "بيانات الدخول مفقودة أو غير صحيحة")
VALIDATION_ERROR = ErrorCode("VALIDATION_ERROR", 422, "المدخلات غير صالحة")
NOT_FOUND = ErrorCode("NOT_FOUND", 404, "غير موجود")
UNKNOWN_BILLER = ErrorCode("UNKNOWN_BILLER", 404, "الجهة المفوترة غير معروفة")
UNKNOWN_SERVICE = ErrorCode("UNKNOWN_SERVICE", 404, "الخدمة غير موجودة")
UNKNOWN_BILL = ErrorCode("UNKNOWN_BILL", 404, "الفاتورة غير موجودة")
NOTICE_UNKNOWN = ErrorCode("NOTICE_UNKNOWN", 404, "لا يوجد إشعار دفع بهذا الرقم لدى الجهة")
BILL_ALREADY_PAID = ErrorCode("BILL_ALREADY_PAID", 409, "الفاتورة مسددة مسبقاً")
BILL_NOT_PAYABLE = ErrorCode("BILL_NOT_PAYABLE", 409, "لا يمكن تسديد هذه الفاتورة")
AMOUNT_NOT_ALLOWED = ErrorCode(
    "AMOUNT_NOT_ALLOWED", 409, "المبلغ غير مسموح بحسب قواعد الجهة المفوترة"
)
PAYMENT_ID_REUSED = ErrorCode("PAYMENT_ID_REUSED", 409, "معرّف الدفعة مستخدم لطلب مختلف")

ALL_CODES = (
    UNAUTHENTICATED,
    VALIDATION_ERROR,
    NOT_FOUND,
    UNKNOWN_BILLER,
    UNKNOWN_SERVICE,
    UNKNOWN_BILL,
    NOTICE_UNKNOWN,
    BILL_ALREADY_PAID,
    BILL_NOT_PAYABLE,
    AMOUNT_NOT_ALLOWED,
    PAYMENT_ID_REUSED,
)
