"""Static data of the demo: the billers, the banks, governorates and names.

Facts (names, area codes, number lengths, channels) come from the design
brief's reference/syria.md; its section is cited beside each. The
population weights and the names of people are only there to make the
demo look like Syria; they are not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from fawtara.kernel.billers import (
    Biller,
    CalendarKind,
    PaymentRule,
    PaymentRuleKind,
    ServiceKind,
)

# The demo cycles: telecom invoices monthly, electricity and water every two
# months (syria.md §3–5). B5 is September–October 2026; both are issued on
# 1 November 2026.
TELECOM_CYCLE = "2026-10"
METER_CYCLE = "2026-B5"

TELECOM = Biller(
    code="STE",
    name_ar="الشركة السورية للاتصالات",
    name_en="Syrian Telecom",
    service_kinds=(ServiceKind.LANDLINE, ServiceKind.INTERNET),
    calendar=CalendarKind.MONTHLY,
    payment_rule=PaymentRule(PaymentRuleKind.EXACT),
    due_days=30,
    # syria.md §5: after the month to pay, the 2007 rule gave 10 more days
    # (with a surcharge) before the line was cut one way; the demo keeps those
    # 10 days as grace before suspension, without the surcharge (uncertain).
    grace_days=10,
    # Cash at telephone centres came back on 16 Jan 2026 beside e-payment (§5).
    channels=("bank", "portal", "counter"),
)

ELECTRICITY = Biller(
    code="ELEC",
    name_ar="الشركة العامة لكهرباء دمشق وريفها",
    name_en="General Electricity Company of Damascus and Rif Dimashq",
    service_kinds=(ServiceKind.ELECTRICITY,),
    calendar=CalendarKind.BIMONTHLY,
    # The sources establish no payment or late-payment rule for electricity
    # (§3). The largest household bill (the 400 kWh estimate alone is 3,200 new
    # SYP a cycle) is where paying in parts matters most, so the demo gives it
    # the partial rule and the network shows one biller of each rule.
    payment_rule=PaymentRule(PaymentRuleKind.PARTIAL),
    due_days=30,
    grace_days=0,  # no grace is established (§3), so none beyond the window
    channels=("bank", "portal", "counter"),
)

WATER = Biller(
    code="WATER",
    name_ar="مؤسسة مياه الشرب والصرف الصحي في دمشق وريفها",
    name_en="Damascus and Rif Dimashq Drinking Water and Sewerage Establishment",
    service_kinds=(ServiceKind.WATER,),
    calendar=CalendarKind.BIMONTHLY,
    payment_rule=PaymentRule(PaymentRuleKind.EXACT),
    due_days=30,
    grace_days=0,
    # Damascus water stopped cash payment in January 2024; bills are paid only
    # electronically since (§4): no counter.
    channels=("bank", "portal"),
)

DEMO_BILLERS: tuple[Biller, ...] = (TELECOM, ELECTRICITY, WATER)

CYCLES: dict[str, str] = {
    TELECOM.code: TELECOM_CYCLE,
    ELECTRICITY.code: METER_CYCLE,
    WATER.code: METER_CYCLE,
}


@dataclass(frozen=True, slots=True)
class Bank:
    code: str
    name_en: str
    name_ar: str


# Banks linked to the switch (syria.md §6): the first two, and the largest
# public bank added later. "CBSY", not "CBS", so it is not read as the Central
# Bank of Syria.
DEMO_BANKS: tuple[Bank, ...] = (
    Bank("CBSY", "Commercial Bank of Syria", "المصرف التجاري السوري"),
    Bank("BEMO", "Bank Bemo Saudi Fransi", "بنك بيمو السعودي الفرنسي"),
    Bank("BARAKA", "Al Baraka Bank Syria", "بنك البركة سورية"),
)


@dataclass(frozen=True, slots=True)
class AreaCode:
    code: str  # national form, with the trunk 0: "011"
    subscriber_digits: int  # length of the subscriber number after the code
    place: str


@dataclass(frozen=True, slots=True)
class Governorate:
    name_en: str
    name_ar: str
    weight: int  # rough relative size, for a plausible spread only
    area_codes: tuple[AreaCode, ...]


# syria.md §1: codes per governorate, and the subscriber-number length the
# fixed-line pattern accepts (7 digits after 11, 14, 21, 31, 33; 6 elsewhere;
# 21 takes both, the demo uses 7).
GOVERNORATES: tuple[Governorate, ...] = (
    Governorate("Damascus", "دمشق", 17, (AreaCode("011", 7, "Damascus"),)),
    Governorate(
        "Rif Dimashq",
        "ريف دمشق",
        28,
        (
            AreaCode("011", 7, "Damascus countryside"),
            AreaCode("012", 6, "Al-Nabk"),
            AreaCode("013", 6, "Al-Zabadani"),
        ),
    ),
    Governorate("Quneitra", "القنيطرة", 1, (AreaCode("014", 7, "Quneitra"),)),
    Governorate("Daraa", "درعا", 10, (AreaCode("015", 6, "Daraa"),)),
    Governorate("As-Suwayda", "السويداء", 4, (AreaCode("016", 6, "As-Suwayda"),)),
    Governorate(
        "Aleppo",
        "حلب",
        46,
        (
            AreaCode("021", 7, "Aleppo"),
            AreaCode("025", 6, "Manbij"),
        ),
    ),
    Governorate("Raqqa", "الرقة", 9, (AreaCode("022", 6, "Raqqa"),)),
    Governorate("Idlib", "إدلب", 15, (AreaCode("023", 6, "Idlib"),)),
    Governorate(
        "Homs",
        "حمص",
        18,
        (
            AreaCode("031", 7, "Homs"),
            AreaCode("034", 6, "Palmyra"),
        ),
    ),
    Governorate(
        "Hama",
        "حماة",
        16,
        (
            AreaCode("033", 7, "Hama"),
            AreaCode("044", 6, "Hama"),
        ),
    ),
    Governorate("Latakia", "اللاذقية", 10, (AreaCode("041", 6, "Latakia"),)),
    Governorate("Tartus", "طرطوس", 8, (AreaCode("043", 6, "Tartus"),)),
    Governorate(
        "Deir ez-Zor",
        "دير الزور",
        12,
        (
            AreaCode("051", 6, "Deir ez-Zor"),
            AreaCode("024", 6, "Deir ez-Zor"),
        ),
    ),
    Governorate(
        "Al-Hasakah",
        "الحسكة",
        15,
        (
            AreaCode("052", 6, "Al-Hasakah"),
            AreaCode("053", 6, "Al-Qamishli"),
        ),
    ),
)

# Both meter billers serve Damascus and Rif Dimashq only, as their names say.
METER_GOVERNORATES: tuple[Governorate, ...] = tuple(
    g for g in GOVERNORATES if g.name_en in ("Damascus", "Rif Dimashq")
)

# Mobile prefixes after +963 (§2): Syriatel 93, 98, 99; MTN 94, 95, 96. MTN's
# 97 is left out: the installed libphonenumber metadata (phonenumbers 9.0.43,
# mobile pattern (?:50|9[03-689])\d{7}) rejects it, and every number the demo
# stores must pass `normalise_mobile`. Wafa's 91/92 are rejected likewise.
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("93", 22),
    ("98", 10),
    ("99", 28),  # Syriatel
    ("94", 14),
    ("95", 13),
    ("96", 13),  # MTN
)

# (Arabic, English transliteration).
MALE_NAMES: tuple[tuple[str, str], ...] = (
    ("محمد", "Mohammad"),
    ("أحمد", "Ahmad"),
    ("محمود", "Mahmoud"),
    ("علي", "Ali"),
    ("حسن", "Hasan"),
    ("حسين", "Hussein"),
    ("خالد", "Khaled"),
    ("عمر", "Omar"),
    ("يوسف", "Youssef"),
    ("إبراهيم", "Ibrahim"),
    ("سامر", "Samer"),
    ("باسل", "Basel"),
    ("رامي", "Rami"),
    ("فادي", "Fadi"),
    ("مازن", "Mazen"),
    ("وائل", "Wael"),
    ("هاني", "Hani"),
    ("طارق", "Tarek"),
    ("عبد الله", "Abdullah"),
    ("عبد الرحمن", "Abdulrahman"),
    ("سليمان", "Suleiman"),
    ("جورج", "George"),
    ("إلياس", "Elias"),
    ("ميشيل", "Michel"),
    ("نبيل", "Nabil"),
    ("زياد", "Ziad"),
    ("غسان", "Ghassan"),
    ("ماهر", "Maher"),
    ("أيمن", "Ayman"),
    ("ياسر", "Yasser"),
    ("مصطفى", "Mustafa"),
    ("كريم", "Karim"),
    ("عماد", "Imad"),
    ("رياض", "Riad"),
    ("منير", "Mounir"),
    ("فراس", "Firas"),
    ("مهند", "Mohannad"),
    ("علاء", "Alaa"),
    ("نزار", "Nizar"),
    ("جميل", "Jamil"),
)

FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("فاطمة", "Fatima"),
    ("مريم", "Maryam"),
    ("سارة", "Sara"),
    ("لينا", "Lina"),
    ("رنا", "Rana"),
    ("هالة", "Hala"),
    ("ريم", "Reem"),
    ("نور", "Nour"),
    ("هبة", "Hiba"),
    ("سلمى", "Salma"),
    ("دانة", "Dana"),
    ("رشا", "Rasha"),
    ("لمى", "Lama"),
    ("ديما", "Dima"),
    ("عبير", "Abeer"),
    ("سوسن", "Sawsan"),
    ("منى", "Mona"),
    ("ليلى", "Layla"),
    ("زينب", "Zainab"),
    ("خديجة", "Khadija"),
    ("آمنة", "Amina"),
    ("غادة", "Ghada"),
    ("نسرين", "Nisreen"),
    ("رغد", "Raghad"),
    ("يارا", "Yara"),
    ("جنى", "Jana"),
    ("ميساء", "Maysaa"),
    ("وفاء", "Wafaa"),
    ("سمر", "Samar"),
    ("هيفاء", "Haifa"),
)

FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("الحلبي", "al-Halabi"),
    ("الشامي", "al-Shami"),
    ("الحمصي", "al-Homsi"),
    ("الحموي", "al-Hamawi"),
    ("الإدلبي", "al-Idlibi"),
    ("الدمشقي", "al-Dimashqi"),
    ("العلي", "al-Ali"),
    ("الأحمد", "al-Ahmad"),
    ("الخطيب", "al-Khatib"),
    ("النجار", "al-Najjar"),
    ("الحداد", "al-Haddad"),
    ("العطار", "al-Attar"),
    ("الصباغ", "al-Sabbagh"),
    ("القباني", "al-Qabbani"),
    ("الزعبي", "al-Zoubi"),
    ("المصري", "al-Masri"),
    ("الخوري", "al-Khoury"),
    ("العمر", "al-Omar"),
    ("الحسن", "al-Hasan"),
    ("السيد", "al-Sayed"),
    ("الجندي", "al-Jundi"),
    ("الطويل", "al-Tawil"),
    ("الشيخ", "al-Sheikh"),
    ("البيطار", "al-Bitar"),
    ("الكردي", "al-Kurdi"),
    ("الأسعد", "al-Asaad"),
    ("الحريري", "al-Hariri"),
    ("المقداد", "al-Miqdad"),
    ("الأطرش", "al-Atrash"),
    ("أبو عساف", "Abu Assaf"),
    ("نصر", "Nasr"),
    ("سلوم", "Salloum"),
    ("ديب", "Dib"),
    ("عيسى", "Issa"),
    ("القدسي", "al-Qudsi"),
    ("الجابري", "al-Jabiri"),
    ("العظمة", "al-Azma"),
    ("الكيلاني", "al-Kilani"),
    ("السباعي", "al-Sibai"),
    ("الرفاعي", "al-Rifai"),
    ("الدروبي", "al-Droubi"),
    ("الأتاسي", "al-Atassi"),
    ("شهاب", "Shihab"),
    ("فرح", "Farah"),
    ("بركات", "Barakat"),
    ("عثمان", "Othman"),
    ("الحسيني", "al-Husseini"),
    ("الخياط", "al-Khayyat"),
    ("الحكيم", "al-Hakim"),
    ("المعلم", "al-Muallem"),
)
