"""Amounts as each language writes them.

Amounts are stored in 万元 (10,000 yuan; USD amounts in 万美元). Chinese readers
expect 亿元 from 1亿 up and 万元 below it; English readers expect "CNY 1.2bn",
"CNY 350m" or "CNY 80k".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import translation

register = template.Library()

WAN = Decimal(10000)
YI_IN_WAN = Decimal(10000)  # 1亿 = 10,000万

_EN_CURRENCY = {"CNY": "CNY", "USD": "USD"}
_ZH_UNIT = {"CNY": "元", "USD": "美元"}


def _trimmed(value: Decimal, places: int) -> str:
    """Digits grouped by thousands (as both Chinese and English reports write them),
    at most `places` decimals, no trailing zeros. Not Django's locale formats: those
    group Chinese numbers by four digits (1,2345), which reports here do not."""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):,.{places}f}"
    if places and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_amount(value_wan, currency: str = "CNY", language: str | None = None) -> str:
    """Format an amount given in 万 (of yuan, or of USD) for the language."""
    amount = _as_decimal(value_wan)
    if amount is None:
        return ""
    language = language or translation.get_language() or "zh-hans"
    currency = currency.upper()
    if language.startswith("zh"):
        unit = _ZH_UNIT.get(currency, currency)
        if abs(amount) >= YI_IN_WAN:
            return f"{_trimmed(amount / YI_IN_WAN, 2)}亿{unit}"
        return f"{_trimmed(amount, 2)}万{unit}"
    units = amount * WAN
    code = _EN_CURRENCY.get(currency, currency)
    for size, suffix in ((Decimal("1e9"), "bn"), (Decimal("1e6"), "m"), (Decimal("1e3"), "k")):
        if abs(units) >= size:
            return f"{code} {_trimmed(units / size, 1)}{suffix}"
    return f"{code} {_trimmed(units, 0)}"


@register.filter
def amount(value_wan, currency: str = "CNY") -> str:
    """{{ project.total_investment|amount }} or {{ project.foreign_capital_usd|amount:"USD" }}"""
    return format_amount(value_wan, currency)


def format_amount_in_column(value_wan, currency: str = "CNY", language: str | None = None) -> str:
    """An amount in a table column: one unit for every row, so the column reads down
    (亿元 in Chinese, "0.35亿元" below 1亿; millions in English, "CNY 12,000m")."""
    amount = _as_decimal(value_wan)
    if amount is None:
        return ""
    language = language or translation.get_language() or "zh-hans"
    currency = currency.upper()
    if language.startswith("zh"):
        places = 4 if abs(amount) < YI_IN_WAN else 2
        return f"{_trimmed(amount / YI_IN_WAN, places)}亿{_ZH_UNIT.get(currency, currency)}"
    millions = amount * WAN / Decimal("1e6")
    return f"{_EN_CURRENCY.get(currency, currency)} {_trimmed(millions, 1)}m"


@register.filter
def amount_in_column(value_wan, currency: str = "CNY") -> str:
    """{{ project.total_investment|amount_in_column }}: the same unit down a table column."""
    return format_amount_in_column(value_wan, currency)
