"""Expected failures, each with a stable code that the API and CLI return.

Programmer errors are assertions, not members of this tree.

    FawtaraError                      FAWTARA_ERROR
    ├── ValidationError               VALIDATION_ERROR (422)
    │   ├── InvalidAmount             INVALID_AMOUNT
    │   ├── CurrencyMismatch          CURRENCY_MISMATCH
    │   ├── InvalidCustomerReference  INVALID_CUSTOMER_REFERENCE
    │   ├── InvalidPhoneNumber        INVALID_PHONE_NUMBER
    │   ├── InvalidTariff             INVALID_TARIFF
    │   ├── InvalidCycle              INVALID_CYCLE
    │   ├── InvalidUsage              INVALID_USAGE
    │   ├── UnknownBank               UNKNOWN_BANK
    │   ├── BankMessageInvalid        BANK_MESSAGE_INVALID
    │   ├── SmsTextNotEncodable       SMS_TEXT_NOT_ENCODABLE
    │   ├── InvalidSmsNotice          INVALID_SMS_NOTICE
    │   ├── InvalidJournalEntry       INVALID_JOURNAL_ENTRY
    │   ├── EntryTimeImplausible      ENTRY_TIME_IMPLAUSIBLE
    │   ├── InvalidDenominations      INVALID_DENOMINATIONS
    │   ├── CashRoundingMismatch      CASH_ROUNDING_MISMATCH
    │   ├── ReceiptInvalid            RECEIPT_INVALID
    │   ├── ReceiptSignatureInvalid   RECEIPT_SIGNATURE_INVALID
    │   ├── CounterCertificateInvalid COUNTER_CERTIFICATE_INVALID
    │   ├── ReceiptUnreadable         RECEIPT_UNREADABLE
    │   ├── LimitExceeded             LIMIT_EXCEEDED
    │   └── PaymentNotInFile          PAYMENT_NOT_IN_FILE
    ├── PayloadTooLarge               PAYLOAD_TOO_LARGE
    ├── Unauthenticated               UNAUTHENTICATED (401)
    │   ├── SignInFailed              SIGN_IN_FAILED
    │   ├── AccountLocked             ACCOUNT_LOCKED
    │   └── SessionExpired            SESSION_EXPIRED
    ├── NotAllowed                    NOT_ALLOWED (403)
    │   ├── ChannelNotAllowed         CHANNEL_NOT_ALLOWED
    │   ├── PayerBankMismatch         PAYER_BANK_MISMATCH
    │   ├── ReversalNotAllowed        REVERSAL_NOT_ALLOWED
    │   ├── RoleNotAllowed            ROLE_NOT_ALLOWED
    │   ├── NotYourCounter            NOT_YOUR_COUNTER
    │   ├── NotYourShift              NOT_YOUR_SHIFT
    │   ├── SelfApproval              SELF_APPROVAL
    │   └── ConsentRefused            CONSENT_REFUSED
    ├── TooManyRequests               TOO_MANY_REQUESTS (429)
    │   ├── ConsentCodesExhausted     CONSENT_CODES_EXHAUSTED
    │   └── ConsentLocked             CONSENT_LOCKED
    ├── NotFound                      NOT_FOUND (404)
    │   ├── UnknownBiller             UNKNOWN_BILLER
    │   ├── UnknownCycle              UNKNOWN_CYCLE
    │   ├── UnknownBill               UNKNOWN_BILL
    │   ├── UnknownService            UNKNOWN_SERVICE
    │   ├── UnknownAccount            UNKNOWN_ACCOUNT
    │   ├── UnknownTransfer           UNKNOWN_TRANSFER
    │   ├── UnknownPayment            PAYMENT_NOT_FOUND
    │   ├── NoTariffInForce           NO_TARIFF_IN_FORCE
    │   ├── UnknownCounter            UNKNOWN_COUNTER
    │   ├── UnknownStaff              UNKNOWN_STAFF
    │   ├── UnknownShift              UNKNOWN_SHIFT
    │   ├── NoticeUnknown             NOTICE_UNKNOWN
    │   └── PaymentFileUnknown        PAYMENT_FILE_UNKNOWN
    ├── Conflict                      CONFLICT (409)
    │   ├── BillAlreadyPaid           BILL_ALREADY_PAID
    │   ├── BillNotPayable            BILL_NOT_PAYABLE
    │   ├── AmountNotAllowed          AMOUNT_NOT_ALLOWED
    │   ├── PaymentIdReused           PAYMENT_ID_REUSED
    │   ├── TransferIdReused          TRANSFER_ID_REUSED
    │   ├── UnbalancedTransfer        UNBALANCED_TRANSFER
    │   ├── PendingAlreadyResolved    PENDING_ALREADY_RESOLVED
    │   ├── ChannelNotAccepted        CHANNEL_NOT_ACCEPTED
    │   ├── BillPaymentInProgress     BILL_PAYMENT_IN_PROGRESS
    │   ├── PaymentNotReversible      PAYMENT_NOT_REVERSIBLE
    │   ├── ReceiptNotAvailable       RECEIPT_NOT_AVAILABLE
    │   ├── UsageConflict             USAGE_CONFLICT
    │   ├── CounterExists             COUNTER_EXISTS
    │   ├── UsernameTaken             USERNAME_TAKEN
    │   ├── ShiftAlreadyOpen          SHIFT_ALREADY_OPEN
    │   ├── ShiftNotOpen              SHIFT_NOT_OPEN
    │   ├── ShiftNotAwaitingApproval  SHIFT_NOT_AWAITING_APPROVAL
    │   ├── JournalEntryReused        JOURNAL_ENTRY_REUSED
    │   ├── BillFileReused            BILL_FILE_REUSED
    │   ├── PaymentFileAckConflict    PAYMENT_FILE_ACK_CONFLICT
    │   ├── RefundNotOwed             REFUND_NOT_OWED
    │   ├── RefundAlreadyPaid         REFUND_ALREADY_PAID
    │   └── RefundAmountMismatch      REFUND_AMOUNT_MISMATCH
    └── Unavailable                   UNAVAILABLE (503)
        ├── SchemaBehind              SCHEMA_BEHIND
        ├── SigningKeyMissing         SIGNING_KEY_MISSING
        ├── ToolMissing               TOOL_MISSING
        ├── SchedulerBusy             SCHEDULER_BUSY
        ├── EntryNotYet               ENTRY_NOT_YET
        ├── ConsentUnavailable        CONSENT_UNAVAILABLE
        └── BillerUnavailable         BILLER_UNAVAILABLE

Every error carries an English and an Arabic message; `docs/ERRORS.md` lists
the codes and is checked against this module by a test.
"""

from __future__ import annotations


class FawtaraError(Exception):
    """Base of all expected failures."""

    code = "FAWTARA_ERROR"
    http_status = 400
    message_ar = "خطأ"

    def __init__(self, message: str, message_ar: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if message_ar is not None:
            self.message_ar = message_ar

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_ar": self.message_ar}


class ValidationError(FawtaraError):
    code = "VALIDATION_ERROR"
    http_status = 422
    message_ar = "المدخلات غير صالحة"


class InvalidAmount(ValidationError):
    code = "INVALID_AMOUNT"
    message_ar = "المبلغ غير صالح"


class CurrencyMismatch(ValidationError):
    code = "CURRENCY_MISMATCH"
    message_ar = "العملة غير متطابقة"


class InvalidCustomerReference(ValidationError):
    code = "INVALID_CUSTOMER_REFERENCE"
    message_ar = "رقم الخدمة غير صالح"


class InvalidPhoneNumber(ValidationError):
    code = "INVALID_PHONE_NUMBER"
    message_ar = "رقم الهاتف غير صالح"


class InvalidTariff(ValidationError):
    code = "INVALID_TARIFF"
    message_ar = "التعرفة غير صالحة"


class InvalidCycle(ValidationError):
    code = "INVALID_CYCLE"
    message_ar = "دورة الفوترة غير صالحة"


class InvalidUsage(ValidationError):
    code = "INVALID_USAGE"
    message_ar = "بيانات الاستهلاك غير صالحة"


class UnknownBank(ValidationError):
    code = "UNKNOWN_BANK"
    message_ar = "المصرف غير معروف"


class BankMessageInvalid(ValidationError):
    code = "BANK_MESSAGE_INVALID"
    message_ar = "رسالة المصرف غير صالحة"


class PayloadTooLarge(FawtaraError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    message_ar = "حجم الطلب أكبر من المسموح"


class SmsTextNotEncodable(ValidationError):
    code = "SMS_TEXT_NOT_ENCODABLE"
    message_ar = "نص الرسالة يحوي محرفاً لا يمكن إرساله"


class InvalidSmsNotice(ValidationError):
    code = "INVALID_SMS_NOTICE"
    message_ar = "بيانات إشعار الرسالة غير صالحة"


class InvalidJournalEntry(ValidationError):
    code = "INVALID_JOURNAL_ENTRY"
    message_ar = "قيد سجل الصندوق غير صالح"


class EntryTimeImplausible(ValidationError):
    code = "ENTRY_TIME_IMPLAUSIBLE"
    message_ar = "وقت القيد غير معقول: قبل فتح الوردية أو بعد الآن؛ تحقق من ساعة جهاز الصندوق"


class InvalidDenominations(ValidationError):
    code = "INVALID_DENOMINATIONS"
    message_ar = "فئات النقد غير صالحة"


class CashRoundingMismatch(ValidationError):
    code = "CASH_ROUNDING_MISMATCH"
    message_ar = "المبلغ النقدي المقبوض لا يطابق تقريب المبلغ المستحق"


class LimitExceeded(ValidationError):
    code = "LIMIT_EXCEEDED"
    message_ar = "تم تجاوز الحد المسموح"


class PaymentNotInFile(ValidationError):
    code = "PAYMENT_NOT_IN_FILE"
    message_ar = "الدفعة ليست في ملف المدفوعات هذا"


class Unauthenticated(FawtaraError):
    code = "UNAUTHENTICATED"
    http_status = 401
    message_ar = "بيانات الدخول مفقودة أو غير صحيحة"


class SignInFailed(Unauthenticated):
    code = "SIGN_IN_FAILED"
    message_ar = "اسم المستخدم أو كلمة المرور غير صحيحة"


class AccountLocked(Unauthenticated):
    code = "ACCOUNT_LOCKED"
    message_ar = "الحساب مقفل مؤقتاً بعد محاولات دخول فاشلة"


class SessionExpired(Unauthenticated):
    code = "SESSION_EXPIRED"
    message_ar = "انتهت الجلسة؛ سجّل الدخول من جديد"


class NotAllowed(FawtaraError):
    code = "NOT_ALLOWED"
    http_status = 403
    message_ar = "غير مسموح"


class ChannelNotAllowed(NotAllowed):
    code = "CHANNEL_NOT_ALLOWED"
    message_ar = "هذا المشارك لا يستخدم هذه القناة"


class PayerBankMismatch(NotAllowed):
    code = "PAYER_BANK_MISMATCH"
    message_ar = "المصرف لا يمكنه الخصم من حساب في مصرف آخر"


class ReversalNotAllowed(NotAllowed):
    code = "REVERSAL_NOT_ALLOWED"
    message_ar = "غير مسموح لهذا المشارك بعكس الدفعات"


class RoleNotAllowed(NotAllowed):
    code = "ROLE_NOT_ALLOWED"
    message_ar = "هذا الدور لا يسمح بهذا الإجراء"


class NotYourCounter(NotAllowed):
    code = "NOT_YOUR_COUNTER"
    message_ar = "لا يمكنك العمل إلا في صندوقك"


class NotYourShift(NotAllowed):
    code = "NOT_YOUR_SHIFT"
    message_ar = "هذه الوردية ليست لك"


class SelfApproval(NotAllowed):
    code = "SELF_APPROVAL"
    message_ar = "لا يمكن للمشرف اعتماد إغلاق ورديته بنفسه"


class NotFound(FawtaraError):
    code = "NOT_FOUND"
    http_status = 404
    message_ar = "غير موجود"


class UnknownBiller(NotFound):
    code = "UNKNOWN_BILLER"
    message_ar = "الجهة المفوترة غير معروفة"


class UnknownCycle(NotFound):
    code = "UNKNOWN_CYCLE"
    message_ar = "دورة الفوترة غير معروفة"


class UnknownBill(NotFound):
    code = "UNKNOWN_BILL"
    message_ar = "الفاتورة غير موجودة"


class UnknownService(NotFound):
    code = "UNKNOWN_SERVICE"
    message_ar = "الخدمة غير موجودة"


class UnknownAccount(NotFound):
    code = "UNKNOWN_ACCOUNT"
    message_ar = "الحساب غير موجود"


class UnknownTransfer(NotFound):
    code = "UNKNOWN_TRANSFER"
    message_ar = "القيد غير موجود"


class UnknownPayment(NotFound):
    code = "PAYMENT_NOT_FOUND"
    message_ar = "الدفعة غير موجودة"


class NoTariffInForce(NotFound):
    code = "NO_TARIFF_IN_FORCE"
    message_ar = "لا توجد تعرفة نافذة"


class UnknownCounter(NotFound):
    code = "UNKNOWN_COUNTER"
    message_ar = "الصندوق غير معروف"


class UnknownStaff(NotFound):
    code = "UNKNOWN_STAFF"
    message_ar = "الموظف غير معروف"


class UnknownShift(NotFound):
    code = "UNKNOWN_SHIFT"
    message_ar = "الوردية غير موجودة"


class NoticeUnknown(NotFound):
    code = "NOTICE_UNKNOWN"
    message_ar = "لا يوجد إشعار دفع بهذا الرقم لدى الجهة"


class PaymentFileUnknown(NotFound):
    code = "PAYMENT_FILE_UNKNOWN"
    message_ar = "ملف المدفوعات غير موجود"


class Conflict(FawtaraError):
    code = "CONFLICT"
    http_status = 409
    message_ar = "تعارض"


class BillAlreadyPaid(Conflict):
    code = "BILL_ALREADY_PAID"
    message_ar = "الفاتورة مسددة مسبقاً"


class BillNotPayable(Conflict):
    code = "BILL_NOT_PAYABLE"
    message_ar = "لا يمكن تسديد هذه الفاتورة"


class AmountNotAllowed(Conflict):
    code = "AMOUNT_NOT_ALLOWED"
    message_ar = "المبلغ غير مسموح بحسب قواعد الجهة المفوترة"


class PaymentIdReused(Conflict):
    code = "PAYMENT_ID_REUSED"
    message_ar = "معرّف الدفعة مستخدم لطلب مختلف"


class TransferIdReused(Conflict):
    code = "TRANSFER_ID_REUSED"
    message_ar = "معرّف القيد مستخدم لقيد مختلف"


class UnbalancedTransfer(Conflict):
    code = "UNBALANCED_TRANSFER"
    message_ar = "القيد غير متوازن"


class PendingAlreadyResolved(Conflict):
    code = "PENDING_ALREADY_RESOLVED"
    message_ar = "القيد المعلّق تمت تسويته مسبقاً"


class ChannelNotAccepted(Conflict):
    code = "CHANNEL_NOT_ACCEPTED"
    message_ar = "الجهة المفوترة لا تقبل الدفع عبر هذه القناة"


class BillPaymentInProgress(Conflict):
    code = "BILL_PAYMENT_IN_PROGRESS"
    message_ar = "هناك دفعة قيد التنفيذ لهذه الفاتورة"


class PaymentNotReversible(Conflict):
    code = "PAYMENT_NOT_REVERSIBLE"
    message_ar = "لا يمكن عكس هذه الدفعة"


class UsageConflict(Conflict):
    code = "USAGE_CONFLICT"
    message_ar = "الاستهلاك مسجل مسبقاً بقيمة مختلفة"


class CounterExists(Conflict):
    code = "COUNTER_EXISTS"
    message_ar = "الصندوق مسجل مسبقاً"


class UsernameTaken(Conflict):
    code = "USERNAME_TAKEN"
    message_ar = "اسم المستخدم مستخدم مسبقاً"


class ShiftAlreadyOpen(Conflict):
    code = "SHIFT_ALREADY_OPEN"
    message_ar = "هناك وردية مفتوحة مسبقاً"


class ShiftNotOpen(Conflict):
    code = "SHIFT_NOT_OPEN"
    message_ar = "الوردية غير مفتوحة"


class ShiftNotAwaitingApproval(Conflict):
    code = "SHIFT_NOT_AWAITING_APPROVAL"
    message_ar = "إغلاق الوردية لا ينتظر اعتماداً"


class JournalEntryReused(Conflict):
    code = "JOURNAL_ENTRY_REUSED"
    message_ar = "معرّف القيد مستخدم لقيد مختلف"


class BillFileReused(Conflict):
    code = "BILL_FILE_REUSED"
    message_ar = "معرّف ملف الفواتير مستخدم لملف مختلف"


class PaymentFileAckConflict(Conflict):
    code = "PAYMENT_FILE_ACK_CONFLICT"
    message_ar = "ملف المدفوعات مؤكد مسبقاً بإيصالات مختلفة"


class RefundNotOwed(Conflict):
    code = "REFUND_NOT_OWED"
    message_ar = "لا يوجد مبلغ مستحق للمشترك عن هذه الدفعة"


class RefundAlreadyPaid(Conflict):
    code = "REFUND_ALREADY_PAID"
    message_ar = "صُرف المبلغ المستحق للمشترك من قبل"


class RefundAmountMismatch(Conflict):
    code = "REFUND_AMOUNT_MISMATCH"
    message_ar = "المبلغ المصروف لا يساوي المبلغ المستحق للمشترك"


class Unavailable(FawtaraError):
    code = "UNAVAILABLE"
    http_status = 503
    message_ar = "الخدمة غير متاحة"


class SchemaBehind(Unavailable):
    code = "SCHEMA_BEHIND"
    message_ar = "مخطط قاعدة البيانات قديم"


class SchedulerBusy(Unavailable):
    code = "SCHEDULER_BUSY"
    message_ar = "مجدول آخر يعمل الآن؛ يعمل مجدول واحد في كل مرة"


class EntryNotYet(Unavailable):
    """A journal entry the switch cannot apply yet (never "rejected"): sent again later."""

    code = "ENTRY_NOT_YET"
    message_ar = "لم يُطبَّق القيد بعد بانتظار دفعة أخرى قيد التنفيذ؛ يُعاد إرساله تلقائياً"


# Receipts (docs/RECEIPTS.md) ------------------------------------------------


class ReceiptInvalid(ValidationError):
    code = "RECEIPT_INVALID"
    message_ar = "هذا ليس إيصال فوترة صالحاً"


class ReceiptSignatureInvalid(ValidationError):
    code = "RECEIPT_SIGNATURE_INVALID"
    message_ar = "توقيع الإيصال غير صحيح: عُدّل الإيصال أو لم يصدر عن المنظومة"


class CounterCertificateInvalid(ValidationError):
    code = "COUNTER_CERTIFICATE_INVALID"
    message_ar = "شهادة الصندوق غير صادرة عن المنظومة أو تخص صندوقاً آخر"


class ReceiptUnreadable(ValidationError):
    code = "RECEIPT_UNREADABLE"
    message_ar = "تعذرت قراءة رمز الاستجابة السريعة في الإيصال"


class ReceiptNotAvailable(Conflict):
    code = "RECEIPT_NOT_AVAILABLE"
    message_ar = "لا يصدر الإيصال إلا لدفعة مكتملة"


class SigningKeyMissing(Unavailable):
    code = "SIGNING_KEY_MISSING"
    message_ar = "مفتاح التوقيع غير موجود؛ شغّل fawtara keys init"


class ToolMissing(Unavailable):
    code = "TOOL_MISSING"
    message_ar = "أداة لازمة غير مثبتة"


class ConsentRefused(NotAllowed):
    code = "CONSENT_REFUSED"
    message_ar = "لم يوافق المصرف على الخصم: تحقق من رقم الحساب أو من الرمز المرسل"


class TooManyRequests(FawtaraError):
    """Too much of something in too little time: wait, then try again."""

    code = "TOO_MANY_REQUESTS"
    http_status = 429
    message_ar = "طلبات كثيرة من هذا الجهاز؛ انتظر دقيقة ثم حاول مجدداً"


class ConsentCodesExhausted(TooManyRequests):
    code = "CONSENT_CODES_EXHAUSTED"
    message_ar = "أرسل المصرف أكبر عدد من الرموز لهذا الحساب خلال ساعة؛ حاول بعد ساعة"


class ConsentLocked(TooManyRequests):
    code = "CONSENT_LOCKED"
    message_ar = "أُدخلت رموز خاطئة كثيرة لهذا الحساب؛ أوقف المصرف تأكيد الدفع منه لمدة ساعة"


class ConsentUnavailable(Unavailable):
    code = "CONSENT_UNAVAILABLE"
    message_ar = "تعذر الوصول إلى المصرف لتأكيد الدفع؛ حاول بعد قليل"


class BillerUnavailable(Unavailable):
    code = "BILLER_UNAVAILABLE"
    message_ar = "تعذر الوصول إلى نظام الفوترة لدى الجهة؛ حاول بعد قليل"


def error_for_code(code: str) -> type[FawtaraError] | None:
    """The error class of a stable code (an answer over the Biller API names one)."""
    return next((cls for cls in all_error_classes() if cls.code == code), None)


def all_error_classes() -> list[type[FawtaraError]]:
    """Every error class of the tree, depth first, for docs and tests."""
    found: list[type[FawtaraError]] = []

    def walk(cls: type[FawtaraError]) -> None:
        found.append(cls)
        for sub in cls.__subclasses__():
            if sub.__module__ == __name__:  # not a specialisation elsewhere (same code)
                walk(sub)

    walk(FawtaraError)
    return found
