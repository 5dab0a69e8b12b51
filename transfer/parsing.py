"""Values as people write them in office spreadsheets, turned into typed values.

Every parser takes the raw cell (a str, a number, a date or None) and returns the
typed value or raises ValueError with a message the user can act on. Amounts are
returned in 万 (10,000) of their currency, the unit the models store.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Characters that make a spreadsheet cell a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Prefix written before such a text on export; taken off again on import.
NEUTRALISER = "'"


def fold_width(text: str) -> str:
    """Full-width digits, letters, brackets and spaces to their half-width twins."""
    return unicodedata.normalize("NFKC", text)


def clean_text(value) -> str:
    """A cell as text: strip spaces; undo the export's formula neutralisation."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value).strip()
    if len(text) > 1 and text[0] == NEUTRALISER and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Amounts ------------------------------------------------------------------------

CNY = "CNY"
USD = "USD"
EUR = "EUR"
JPY = "JPY"
HKD = "HKD"
KRW = "KRW"
GBP = "GBP"


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in 万 (10,000) of the currency
    currency: str = CNY

    @property
    def is_foreign(self) -> bool:
        return self.currency != CNY


# Multipliers written after the number, in 万 (the unit the models store).
_UNITS = {
    "亿": Decimal(10000),
    "千万": Decimal(1000),
    "百万": Decimal(100),
    "万": Decimal(1),
    "千": Decimal("0.1"),
}
_PLAIN = Decimal("0.0001")  # one yuan, dollar, euro ... in 万
# How currencies are written, compared after width folding and lower-casing.
_CURRENCY_WORDS = {
    CNY: ("元人民币", "人民币元", "人民币", "元", "rmb", "cny", "¥"),
    USD: ("美元", "美金", "usd", "us$", "$"),
    EUR: ("欧元", "eur", "€"),
    JPY: ("日元", "日币", "jpy", "円"),
    HKD: ("港元", "港币", "hkd", "hk$"),
    KRW: ("韩元", "韩币", "krw", "₩"),
    GBP: ("英镑", "gbp", "£"),
}
_WORD_CURRENCY = {word: currency for currency, words in _CURRENCY_WORDS.items() for word in words}
_WORDS = "|".join(re.escape(word) for word in sorted(_WORD_CURRENCY, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"^(?P<cur1>{_WORDS})?(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<unit>亿|千万|百万|万|千)?(?P<cur2>{_WORDS})?$"
)
# A column's unit, as its header says it: 总投资(亿元), 投资额（万美元）.
_HEADER_UNIT = re.compile(rf"(?P<unit>亿|千万|百万|万|千)?(?P<currency>{_WORDS})\s*\)?$")


_ENGLISH_HEADER_UNITS = {
    "(100myuan)": (Decimal(10000), CNY),
    "(100millionyuan)": (Decimal(10000), CNY),
    "(10kyuan)": (Decimal(1), CNY),
    "(10kusd)": (Decimal(1), USD),
    "(yuan)": (_PLAIN, CNY),
}


def header_unit(header: str) -> tuple[Decimal, str] | None:
    """The unit a column's header names for its bare numbers, in 万 of its currency:
    "总投资（亿元）" -> (10000, CNY), "外资(万美元)" -> (1, USD), "投资额(元)" -> (0.0001, CNY);
    None when the header names none."""
    text = fold_width(str(header or "")).lower().replace(" ", "")
    for words, found in _ENGLISH_HEADER_UNITS.items():
        if words in text:
            return found
    inside = re.findall(r"\(([^()]*)\)", text)
    candidates = [*inside, text]
    for candidate in candidates:
        match = _HEADER_UNIT.search(candidate)
        if match and (match["unit"] or candidate in inside):
            currency = _WORD_CURRENCY[match["currency"]]
            unit = _UNITS[match["unit"]] if match["unit"] else _PLAIN
            return unit, currency
    return None


def parse_amount(value, *, unit: Decimal | None = None, currency: str = CNY) -> Amount | None:
    """An amount as offices write it, in 万 of its currency.

    "5亿" -> 50000 万元; "50,000万元" -> 50000; "2亿元人民币" -> 20000; "3,000万美元" ->
    3000 万美元; "USD 3000万", "1.5亿日元", "800万欧元", full-width digits and commas.
    A bare number is in the column's unit: `unit` (in 万, from header_unit: 10000 under
    a header in 亿元) and `currency`; 万元 when the header names none. A currency
    written without 万 or 亿 means plain units ("300000000元", "30,000,000美元"), except
    a foreign amount under 10,000, which offices write in a 万 column without its 万."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter an amount, such as 5亿 or 50,000万元."))
    if isinstance(value, int | float | Decimal):
        return Amount(_cents(Decimal(str(value)) * (unit or Decimal(1))), currency)
    text = fold_width(clean_text(value)).lower().replace(" ", "").replace("，", ",")
    match = _AMOUNT.match(text)
    if not match or (
        match["cur1"] and match["cur2"] and _WORD_CURRENCY[match["cur1"]] != _WORD_CURRENCY[match["cur2"]]
    ):
        raise ValueError(
            _("“%(value)s” is not an amount; write it like 5亿, 50,000万元 or 3000万美元.") % {"value": value}
        )
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from None
    word = match["cur2"] or match["cur1"]
    written = _WORD_CURRENCY[word] if word else None
    if match["unit"]:
        factor = _UNITS[match["unit"]]
    elif written is None:
        factor = unit or Decimal(1)  # a bare number: the column's unit
    elif written == CNY:
        factor = _PLAIN if match["cur2"] else (unit or Decimal(1))  # "5000元" plain; "¥5000" the column's
    elif match["cur2"] and number >= 10000:
        factor = _PLAIN  # "30,000,000美元": plain dollars
    else:
        factor = unit if unit is not None and currency == written else Decimal(1)
    return Amount(_cents(number * factor), written or currency)


def _cents(value: Decimal) -> Decimal:
    """Amounts are kept to two decimals of 万 (100 yuan), as the models store them."""
    if value.as_tuple().exponent < -2:
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value


def parse_integer(value) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if Decimal(str(value)) != int(value):
            raise ValueError(_("Enter a whole number."))
        return int(value)
    text = fold_width(clean_text(value)).replace(",", "").replace("人", "").strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(text)


# --- Dates --------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})[/\-.](?P<m>\d{1,2})[/\-.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


def excel_serial_to_date(serial: float) -> dt.date:
    # Excel's day 1 is 1900-01-01 and it counts a 29 February 1900 that never was;
    # from 1 March 1900 on, counting from 1899-12-30 gives the right day.
    if not (1 <= serial < 2958466):
        raise ValueError(_("%(value)s is not a date.") % {"value": serial})
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value) -> dt.date | None:
    """2024年1月24日, 2024/1/24, 2024-01-24, 2024.1.24, 20240124, or an Excel serial number."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return excel_serial_to_date(float(value))
    text = fold_width(clean_text(value)).replace(" ", "")
    text = re.sub(r"[T ]?\d{1,2}:\d{2}(:\d{2})?$", "", text)  # "2024-01-24 00:00:00" from a datetime cell
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return excel_serial_to_date(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise ValueError(_("“%(value)s” is not a date; write it like 2024年1月24日 or 2024/1/24.") % {"value": value})


def parse_month(value) -> dt.date | None:
    """A month as ledgers write it, as its first day: 2026年3月, 2026-03, 2026/3, 202603,
    2026.3, or any date of the month (an Excel date cell, 2026-03-31)."""
    if is_blank(value):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and 190001 <= value <= 210012:
        value = str(int(value))  # 202603 typed in a number cell, not an Excel date
    if not isinstance(value, dt.date | int | float | Decimal) or isinstance(value, bool):
        text = fold_width(clean_text(value)).replace(" ", "")
        match = _MONTH.fullmatch(text)
        if match:
            month = int(match["m"])
            if 1 <= month <= 12:
                return dt.date(int(match["y"]), month, 1)
            raise ValueError(_("“%(value)s” is not a month; write it like 2026年3月 or 2026-03.") % {"value": value})
    try:
        day = parse_date(value)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a month; write it like 2026年3月 or 2026-03.") % {"value": value}
        ) from None
    return day.replace(day=1) if day else None


_MONTH = re.compile(r"(?P<y>\d{4})(?:年|[-/.])?(?P<m>\d{1,2})月?")


def parse_currency(value) -> str | None:
    """A currency as written in a ledger's currency column: 人民币, 美元, USD, 港币 ..."""
    if is_blank(value):
        return None
    text = fold_width(clean_text(value)).lower().replace(" ", "")
    currency = _WORD_CURRENCY.get(text) or _WORD_CURRENCY.get(text.removeprefix("万"))
    if currency is None and text.upper() in _CURRENCY_WORDS:
        currency = text.upper()
    if currency is None:
        raise ValueError(
            _("“%(value)s” is not a currency; write 人民币, 美元, 欧元, 日元, 港元 ...") % {"value": value}
        )
    return currency


# --- Yes / no -----------------------------------------------------------------------

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "x", "有"}
_FALSE = {"否", "n", "no", "false", "0", "", "无", "不是"}


def parse_bool(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = fold_width(clean_text(value)).lower()
    if text in _TRUE or text == _("Yes").lower():
        return True
    if text in _FALSE or text == _("No").lower():
        return False
    raise ValueError(_("Write 是 or 否 (yes or no), not “%(value)s”.") % {"value": value})


# --- Names --------------------------------------------------------------------------


def lookup_key(text: str) -> str:
    """How a choice, an industry, a park or a person's name is compared: width, case
    and spaces do not matter."""
    return re.sub(r"\s+", "", fold_width(str(text))).lower()


def split_names(value) -> list[str]:
    """ "张三、李四, 王五" -> three names."""
    text = clean_text(value)
    return [part.strip() for part in re.split(r"[、,，;；/\n]+", text) if part.strip()]
