"""UI strings of the web pages in Arabic and English, and the page language.

The language comes from `?lang=ar|en`, which also sets a cookie, then from
the cookie; Arabic is the default. Error messages come from the domain errors
themselves (`message_ar`, `message`), not from here.
"""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"
LANGUAGE_COOKIE = "lang"

STRINGS: dict[str, tuple[str, str]] = {
    # key: (Arabic, English)
    "app_name": ("فوترة", "Fawtara"),
    "skip_to_content": ("انتقل إلى المحتوى", "Skip to content"),
    "switch_language": ("English", "العربية"),
    "main_navigation": ("التنقل الرئيسي", "Main navigation"),
    "error": ("خطأ", "Error"),
    "portal": ("بوابة المشتركين", "Subscriber portal"),
    "portal_intro": (
        "اعرض فواتيرك وسدّدها من حسابك المصرفي.",
        "See your bills and pay them from your bank account.",
    ),
    "biller": ("الجهة المفوترة", "Biller"),
    "service_number": ("رقم الخدمة", "Service number"),
    "service_number_hint": (
        "رقم العداد أو الهاتف كما يظهر على الفاتورة",
        "The meter or phone number as printed on the bill",
    ),
    "find_bills": ("اعرض الفواتير", "Find bills"),
    "bills": ("الفواتير", "Bills"),
    "unpaid_bills": ("فواتير غير مسددة", "Unpaid bills"),
    "paid_bills": ("فواتير مسددة", "Paid bills"),
    "no_unpaid_bills": ("لا توجد فواتير غير مسددة.", "No unpaid bills."),
    "no_paid_bills": ("لا توجد فواتير مسددة.", "No paid bills."),
    "bill": ("الفاتورة", "Bill"),
    "period": ("الفترة", "Period"),
    "amount": ("المبلغ", "Amount"),
    "due_date": ("تاريخ الاستحقاق", "Due date"),
    "status": ("الحالة", "Status"),
    "choose": ("اختر", "Choose"),
    "pay_bill": ("سدّد الفاتورة", "Pay bill"),
    "download_pdf": ("تنزيل PDF", "Download PDF"),
    "receipt_pdf": ("الإيصال PDF", "Receipt PDF"),
    "if_unpaid": ("إذا لم تُسدَّد", "If unpaid"),
    "if_unpaid_rule": (
        "إذا بقيت الفاتورة غير مسددة بعد {last_day} (تاريخ الاستحقاق مع مهلة {grace} يومًا) "
        "تُعلَّق الخدمة، وتُعاد فور تسديد كل الفواتير المتأخرة، من أي قناة.",
        "If the bill is still unpaid after {last_day} (the due date and {grace} days of grace) "
        "the service is suspended; it is reconnected as soon as every overdue bill is paid, "
        "by any channel.",
    ),
    "pay_chosen": ("سدّد الفواتير المختارة", "Pay the chosen bills"),
    "total": ("المجموع", "Total"),
    "bank": ("المصرف", "Bank"),
    "account_number": ("رقم الحساب", "Account number"),
    "phone_for_sms": ("رقم الجوال لرسالة التأكيد", "Mobile number for the confirmation SMS"),
    "continue": ("متابعة", "Continue"),
    "confirm": ("تأكيد", "Confirm"),
    "payer": ("حساب الدفع", "Paying account"),
    "consent_title": ("تأكيد الدفع", "Confirm the payment"),
    "consent_sent": (
        "أرسل المصرف رمزًا لمرة واحدة برسالة قصيرة إلى صاحب الحساب. أدخله هنا للموافقة على الخصم.",
        "The bank sent a one-time code by SMS to the account holder. Enter it here to "
        "approve the debit.",
    ),
    "one_time_code": ("الرمز لمرة واحدة", "One-time code"),
    "approve_and_pay": ("وافق وسدّد", "Approve and pay"),
    "progress_title": ("حالة الدفعة", "Payment status"),
    "progress_wait": (
        "تُعالَج الدفعة؛ تتحدّث هذه الصفحة وحدها.",
        "The payment is being processed; this page refreshes by itself.",
    ),
    "payment_id": ("رقم الدفعة", "Payment id"),
    "receipt_number": ("رقم الإيصال", "Receipt number"),
    "sms_sent": ("الرسائل القصيرة", "SMS messages"),
    "no_sms_yet": ("لم تُرسل رسالة بعد.", "No SMS sent yet."),
    "back_to_bills": ("العودة إلى الفواتير", "Back to the bills"),
    "refresh": ("تحديث", "Refresh"),
    "state_received": ("استُلمت، بانتظار المصرف", "Received, waiting for the bank"),
    "state_unknown": ("بانتظار تأكيد المصرف", "Waiting for the bank's confirmation"),
    "state_debited": ("خُصم المبلغ، يُسلَّم للجهة المفوترة", "Debited, being handed to the biller"),
    "state_completed": ("مكتملة", "Completed"),
    "state_failed": ("مرفوضة", "Failed"),
    "state_returning": ("يُعاد المبلغ", "Being refunded"),
    "state_returned": ("أُعيد المبلغ", "Refunded"),
    "state_reversing": ("تُلغى", "Being reversed"),
    "state_reversed": ("ملغاة ومستردة", "Reversed and refunded"),
    "reason": ("السبب", "Reason"),
    "choose_one_bill": ("اختر فاتورة واحدة على الأقل.", "Choose at least one bill."),
    "customer": ("المشترك", "Subscriber"),
    "bill_unpaid": ("غير مسددة", "Unpaid"),
    "bill_paid": ("مسددة", "Paid"),
    # The operations console (web/console.py)
    "console": ("لوحة العمليات", "Operations console"),
    "console_sign_in": ("دخول لوحة العمليات", "Sign in to the operations console"),
    "console_for_operators": (
        "لوحة العمليات للمشغّلين والمديرين فقط؛ الصرّافون والمشرفون يعملون من صناديقهم.",
        "The operations console is for operators and administrators only; cashiers and "
        "supervisors work at their counters.",
    ),
    "username": ("اسم المستخدم", "Username"),
    "password": ("كلمة المرور", "Password"),
    "sign_in": ("دخول", "Sign in"),
    "sign_out": ("خروج", "Sign out"),
    "signed_in_as": ("المستخدم", "Signed in as"),
    "signed_out": ("خرجت من لوحة العمليات.", "You have signed out of the console."),
    "live_figures": ("الأرقام الحية", "Live figures"),
    "figures_window": (
        "آخر {minutes} دقائق؛ تتحدّث الأرقام وحدها كل {every} ثوانٍ.",
        "The last {minutes} minutes; the figures refresh by themselves every {every} seconds.",
    ),
    "updated_at": ("آخر تحديث", "Last updated"),
    "active_alerts": ("التنبيهات النشطة", "Active alerts"),
    "no_alerts": ("لا توجد تنبيهات نشطة.", "No active alerts."),
    "severity": ("الخطورة", "Severity"),
    "message": ("الرسالة", "Message"),
    "value": ("القيمة", "Value"),
    "threshold": ("العتبة", "Threshold"),
    "payments_per_minute": (
        "الدفعات في الدقيقة حسب القناة والنتيجة",
        "Payments per minute by channel and outcome",
    ),
    "channel": ("القناة", "Channel"),
    "outcome": ("النتيجة", "Outcome"),
    "count": ("العدد", "Count"),
    "per_minute": ("في الدقيقة", "Per minute"),
    "no_payments_yet": ("لا دفعات في هذه الفترة.", "No payments in this window."),
    "latency": ("الزمن حتى الحالة النهائية (ثانية)", "Time to a final state (seconds)"),
    "samples": ("العينات", "Samples"),
    "unknown_payments": ("دفعات مجهولة النتيجة", "Payments with an unknown outcome"),
    "oldest_age_s": ("عمر أقدمها (ثانية)", "Age of the oldest (seconds)"),
    "failures_by_reason": ("الإخفاقات حسب رمز السبب", "Failures by reason code"),
    "reason_code": ("رمز السبب", "Reason code"),
    "no_failures": ("لا إخفاقات في هذه الفترة.", "No failures in this window."),
    "queues": ("الطوابير", "Queues"),
    "outbox_depth": ("أعمال صندوق الصادر المعلّقة", "Outbox depth"),
    "sms_queue_depth": ("رسائل قصيرة بانتظار الإرسال", "SMS waiting to be sent"),
    "topic": ("الموضوع", "Topic"),
    "nothing_waiting": ("لا شيء ينتظر.", "Nothing waiting."),
    "sms_delivery": ("تسليم الرسائل القصيرة", "SMS delivery"),
    "sms_delivery_rate": ("نسبة التسليم", "Delivery rate"),
    "no_receipts": ("لا إيصالات تسليم في هذه الفترة.", "No delivery receipts in this window."),
    "biller_links": ("الروابط مع الجهات المفوترة", "Biller links"),
    "failures": ("إخفاقات متتالية", "Failures in a row"),
    "attempts": ("المحاولات", "Attempts"),
    "oldest_waiting_s": ("أقدم إشعار ينتظر (ثانية)", "Oldest waiting notice (s)"),
    "no_biller_links": ("لم يُتصل بأي جهة مفوترة بعد.", "No biller called yet."),
    "upload_mode_billers": (
        "بوضع الرفع (لا إشعارات، تجمع مدفوعاتها بملفات المدفوعات)",
        "In upload mode (no notices: they collect payments files)",
    ),
    "links": ("الروابط مع المصارف ومركز الرسائل", "Bank and SMSC links"),
    "link": ("الرابط", "Link"),
    "kind": ("النوع", "Kind"),
    "link_up": ("يعمل", "up"),
    "link_down": ("متوقف", "down"),
    "detail": ("التفاصيل", "Detail"),
    "no_links": ("لا روابط مفحوصة.", "No links probed."),
    "find_payment": ("البحث عن دفعة", "Find a payment"),
    "search_query": (
        "رقم الدفعة أو رقم الإيصال أو رقم الجوال",
        "Payment id, receipt number or mobile number",
    ),
    "search_hint": (
        "مثل 261101-ABCDEFGHIJ أو 0933123456",
        "For example 261101-ABCDEFGHIJ or 0933123456",
    ),
    "search": ("ابحث", "Search"),
    "results_newest_first": (
        "{count} نتيجة، الأحدث أولًا (حتى {max})",
        "{count} found, newest first (at most {max})",
    ),
    "no_payments_found": ("لا دفعات مطابقة.", "No matching payment."),
    "received_at": ("وقت الاستلام", "Received at"),
    "payment_history": ("سجل الدفعة", "Payment history"),
    "timeline": ("التسلسل الزمني", "Timeline"),
    "at": ("الوقت", "At"),
    "source": ("المصدر", "Source"),
    "event": ("الحدث", "Event"),
    "state_changes": ("تغيّرات الحالة", "State changes"),
    "from_state": ("من", "From"),
    "to_state": ("إلى", "To"),
    "bank_exchanges": ("المراسلات مع المصرف (ISO 20022)", "Bank exchanges (ISO 20022)"),
    "bank_exchanges_note": (
        "لا يحفظ المقسم نص الرسائل؛ تُسجَّل نتيجة كل مراسلة في تغيّر الحالة الذي أحدثته.",
        "The switch keeps not the XML but the outcome of each exchange, in the state "
        "change it caused.",
    ),
    "request_message": ("الطلب", "Request"),
    "answer_message": ("الرد", "Answer"),
    "no_answer": ("لا رد", "no answer"),
    "bank_reference": ("مرجع المصرف", "Bank reference"),
    "ledger_transfers": ("قيود الدفتر", "Ledger transfers"),
    "purpose": ("الغرض", "Purpose"),
    "account": ("الحساب", "Account"),
    "debit": ("مدين", "Debit"),
    "credit": ("دائن", "Credit"),
    "biller_posting": ("الترحيل إلى الجهة المفوترة", "Posting to the biller"),
    "posted_at": ("وقت الترحيل", "Posted at"),
    "not_posted": ("لم تُرحَّل إلى الجهة المفوترة.", "Not posted to the biller."),
    "reversed_at": ("أُلغي في", "Reversed at"),
    "sms_and_receipts": ("الرسائل القصيرة وإيصالات التسليم", "SMS and delivery receipts"),
    "part": ("الجزء", "Part"),
    "smsc_message_id": ("معرّف مركز الرسائل", "SMSC message id"),
    "receipt_stat": ("إيصال التسليم", "Delivery receipt"),
    "receipt_at": ("وقت الإيصال", "Receipt at"),
    "no_receipt_yet": ("لم يصل بعد", "not yet"),
    "outbox_work": ("أعمال صندوق الصادر", "Outbox work"),
    "done_at": ("أُنجز في", "Done at"),
    "waiting": ("ينتظر", "waiting"),
    "mobile": ("الجوال", "Mobile"),
    "none": ("لا شيء.", "None."),
}


def language_of(request: Request) -> str:
    """`?lang=` first, then the cookie, then Arabic."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def translate(key: str, language: str, **values: object) -> str:
    arabic, english = STRINGS[key]
    text = arabic if language == "ar" else english
    return text.format(**values) if values else text
