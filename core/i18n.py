"""Names of reference data (industries, chain links, parks, teams, departments) in
the reader's language: the English name when the page is in English and one is set,
else the Chinese name. The one rule, used by templates (the `display_name` filter),
by code (`display_name(obj)`) and by selectors that read names with .values()
(`name_expression("industry__")`)."""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation


def reads_english() -> bool:
    return (translation.get_language() or "").lower().startswith("en")


def pick_name(name: str | None, name_en: str | None) -> str:
    """The name to show, given both; the Chinese one when no English one is set."""
    if reads_english() and name_en:
        return name_en
    return name or name_en or ""


def display_name(obj) -> str:
    """obj's name in the reader's language, for reference data (models that set
    `localised_name = True`: industries and chain links, parks, teams, departments);
    str(obj) for anything else (an organisation keeps its registered name)."""
    if obj is None:
        return ""
    if getattr(obj, "localised_name", False):
        return pick_name(obj.name, obj.name_en)
    return str(obj)


def name_expression(prefix: str = ""):
    """A query expression for the name in the reader's language, decided when it is
    built (during the request): `prefix` is the relation path, e.g. "industry__"."""
    if reads_english():
        return Coalesce(NullIf(F(f"{prefix}name_en"), Value("")), F(f"{prefix}name"))
    return F(f"{prefix}name")


def name_sql(alias: str) -> str:
    """The same rule in raw SQL, for the table aliased `alias` (a fixed identifier)."""
    if reads_english():
        return f"COALESCE(NULLIF({alias}.name_en, ''), {alias}.name)"
    return f"{alias}.name"
