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


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in 万 (10,000) of the currency
    currency: str = CNY


_UNITS = {
    "亿": Decimal(10000),
    "千万": Decimal(1000),
    "百万": Decimal(100),
    "万": Decimal(1),
    "千": Decimal("0.1"),
    "": None,  # no unit: the column's unit (万)
    "元": Decimal("0.0001"),
}
_AMOUNT = re.compile(
    r"^(?P<cur1>(?:us\$|usd|\$|rmb|cny|￥|¥))?\s*(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?)\s*"
    r"(?P<unit>亿|千万|百万|万|千|)\s*(?P<cur2>美元|美金|usd|us\$|人民币|元|rmb|cny)?$",
    re.IGNORECASE,
)


def parse_amount(value) -> Amount | None:
    """ "5亿" -> 50000 万元; "50,000万元" -> 50000; "3000万美元" -> 3000 万美元;
    a bare number is already in 万 (the template's columns say so)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter an amount, such as 5亿 or 50,000万元."))
    if isinstance(value, int | float | Decimal):
        return Amount(_cents(Decimal(str(value))))
    text = fold_width(clean_text(value)).replace(" ", "").replace("，", ",")
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError(
            _("“%(value)s” is not an amount; write it like 5亿, 50,000万元 or 3000万美元.") % {"value": value}
        )
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from None
    currency_words = f"{match['cur1'] or ''}{match['cur2'] or ''}".lower()
    currency = USD if any(word in currency_words for word in ("美", "usd", "$")) else CNY
    unit = match["unit"]
    if unit == "" and currency_words.endswith("元") and "美" not in currency_words:
        factor = _UNITS["元"]  # "5000000元": plain yuan
    elif unit == "" and (match["cur2"] or "").lower() in {"美元", "美金", "usd", "us$"} and number >= 10000:
        factor = _UNITS["元"]  # "30,000,000美元": plain dollars
    else:
        factor = _UNITS[unit] or Decimal(1)
    return Amount(_cents(number * factor), currency)


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
