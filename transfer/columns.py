"""Columns shared by import and export: how a value is read from a cell, taken from a
record, written to a cell and compared. Exports and imports use the same columns, so
an exported file reads back as the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from transfer import parsing
from transfer.parsing import lookup_key


def both_languages(label) -> list[str]:
    """A lazy label in Chinese and in English."""
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(str(label))
    return texts


class ChoiceLookup:
    """Values of a TextChoices class by value, Chinese label, English label or alias."""

    def __init__(self, choices: type[models.TextChoices], aliases: dict[str, str] | None = None) -> None:
        self.choices = choices
        self.by_key: dict[str, str] = {}
        for value, label in zip(choices.values, choices.labels, strict=True):
            for text in [value, *both_languages(label)]:
                self.by_key.setdefault(lookup_key(text), value)
        for alias, value in (aliases or {}).items():
            self.by_key.setdefault(lookup_key(alias), value)

    def parse(self, raw) -> str | None:
        text = parsing.clean_text(raw)
        if not text:
            return None
        value = self.by_key.get(lookup_key(text))
        if value is None:
            labels = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": labels})
        return value

    def label(self, value: str) -> str:
        return str(self.choices(value).label) if value else ""


_COUNTRY_KEYS: dict[str, str] | None = None


def parse_country(raw) -> str | None:
    global _COUNTRY_KEYS
    text = parsing.clean_text(raw)
    if not text:
        return None
    if _COUNTRY_KEYS is None:
        keys: dict[str, str] = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for code, name in countries:
                    keys.setdefault(lookup_key(name), code)
                    keys.setdefault(lookup_key(code), code)
        keys.update({lookup_key(k): v for k, v in {"中国大陆": "CN", "香港": "HK", "台湾": "TW", "韩国": "KR"}.items()})
        _COUNTRY_KEYS = keys
    code = _COUNTRY_KEYS.get(lookup_key(text))
    if not code:
        raise ValueError(_("“%(value)s” is not a country or region.") % {"value": text})
    return code


def country_name(code) -> str:
    return str(code.name) if code else ""


def parse_credit_code(raw, _context=None) -> str:
    """A unified social credit code as typed (spaces, lower case, full width), checked
    against GB 32100: a code failing its check character is refused saying which
    character it should have, not left to read as an organisation not found."""
    from django.core.exceptions import ValidationError

    from crm.credit_code import validate_credit_code

    code = parsing.fold_width(parsing.clean_text(raw)).upper().replace(" ", "")
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as error:
            message = error.messages[0]
            if error.error_list[0].code != "credit_code_check":  # that one names the code already
                message = _("“%(value)s”: %(message)s") % {"value": code, "message": message}
            raise ValueError(message) from None
    return code


# --- Columns ------------------------------------------------------------------------


@dataclass(eq=False)
class Column:
    """One column of a list: its headers, how to read and write its cells.

    `parse(raw, context)` turns a cell into a value (ValueError: the message for the
    user); `get(record)` reads the value from a record; `cell(value)` writes it to a
    spreadsheet cell; values compare with ==.
    """

    key: str
    zh: str
    en: str
    get: Callable[[Any], Any]
    parse: Callable[[Any, Any], Any]
    cell: Callable[[Any], Any] = lambda value: value
    required: bool = False
    aliases: tuple[str, ...] = ()
    # Only in exports (a computed figure); ignored on import.
    export_only: bool = False
    # Only read on import (contacts beside their organisation, a re-planning reason).
    import_only: bool = False
    number_format: str = ""
    width: int = 14
    extra: dict = field(default_factory=dict)

    def header(self) -> str:
        return self.en if translation.get_language() == "en" else self.zh

    def names(self) -> list[str]:
        return [self.zh, self.en, self.key, *self.aliases]

    def display(self, value) -> str:
        """A value as the preview shows it."""
        cell = self.cell(value)
        if cell is None:
            return ""
        if isinstance(cell, dt.date):
            return cell.isoformat()
        if isinstance(cell, Decimal):
            return f"{cell:,.2f}".rstrip("0").rstrip(".")
        return str(cell)


def _text(raw, _context=None) -> str:
    return parsing.clean_text(raw)


def text_column(key: str, zh: str, en: str, **kwargs) -> Column:
    return Column(key, zh, en, get=lambda record: getattr(record, key) or "", parse=_text, **kwargs)


def _amount(raw, _context=None, unit: tuple[Decimal, str] | None = None) -> parsing.Amount | None:
    """An amount in any currency (the importer turns it into the column's unit); a bare
    number is in the unit the column's header names (header_unit), else in 万元."""
    if unit:
        return parsing.parse_amount(raw, unit=unit[0], currency=unit[1])
    return parsing.parse_amount(raw)


def _usd(raw, _context=None, unit: tuple[Decimal, str] | None = None) -> parsing.Amount | None:
    """Foreign capital: a bare number is in 万美元 unless the header says otherwise."""
    unit = unit or (Decimal(1), parsing.USD)
    return parsing.parse_amount(raw, unit=unit[0], currency=unit[1])


def _decimal_cell(value):
    if isinstance(value, parsing.Amount):
        value = value.value
    return None if value is None else Decimal(value)


def amount_column(key: str, zh: str, en: str, *, usd: bool = False, **kwargs) -> Column:
    """An amount: parsed to a parsing.Amount (the importer converts it), stored in 万元
    (万美元 when `usd`). extra["amount"] tells the importer to read the header's unit."""
    return Column(
        key,
        zh,
        en,
        get=lambda record: getattr(record, key),
        parse=_usd if usd else _amount,
        cell=_decimal_cell,
        number_format="#,##0.00",
        extra={"amount": parsing.USD if usd else parsing.CNY},
        **kwargs,
    )


def date_column(key: str, zh: str, en: str, *, parse=None, **kwargs) -> Column:
    return Column(
        key,
        zh,
        en,
        get=lambda record: getattr(record, key),
        parse=parse or (lambda raw, _c=None: parsing.parse_date(raw)),
        number_format="yyyy-mm-dd",
        width=12,
        **kwargs,
    )


def integer_column(key: str, zh: str, en: str, **kwargs) -> Column:
    return Column(
        key,
        zh,
        en,
        get=lambda record: getattr(record, key),
        parse=lambda raw, _c=None: parsing.parse_integer(raw),
        number_format="0",
        **kwargs,
    )


def _yes_no(value) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def bool_column(key: str, zh: str, en: str, **kwargs) -> Column:
    return Column(
        key,
        zh,
        en,
        get=lambda record: bool(getattr(record, key)),
        parse=lambda raw, _c=None: parsing.parse_bool(raw),
        cell=_yes_no,
        width=8,
        **kwargs,
    )


def choice_column(key: str, zh: str, en: str, lookup: ChoiceLookup, **kwargs) -> Column:
    return Column(
        key,
        zh,
        en,
        get=lambda record: getattr(record, key) or None,
        parse=lambda raw, _c=None: lookup.parse(raw),
        cell=lookup.label,
        **kwargs,
    )


def reference_column(key: str, zh: str, en: str, table: str, **kwargs) -> Column:
    """A foreign key written by name (industry, park, officer, team, mission)."""
    return Column(
        key,
        zh,
        en,
        get=lambda record: getattr(record, key),
        parse=lambda raw, context: context.find(table, raw),
        cell=lambda value: "" if value is None else str(value),
        **kwargs,
    )


def id_column() -> Column:
    return Column(
        "id",
        "编号",
        "ID",
        get=lambda record: record.pk,
        parse=lambda raw, _c=None: parsing.parse_integer(raw),
        number_format="0",
        width=8,
        aliases=("序号id", "id号"),
    )
