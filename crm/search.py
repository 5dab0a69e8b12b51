"""Finding organisations by any part of their Chinese or English name or credit code.

One rule for the organisation list (web, API, export), the autocomplete under the
visit form's organisation box, the project form's investor picker and the chains'
picker: a name (either one, any case) or a credit code that contains the typed text.

Chinese names are searched by two-character fragments (村田, 无锡), which no B-tree
helps and pg_trgm (three characters) does not either. On PostgreSQL a GIN index
holds, for every organisation, the set of its one- and two-character fragments
(`crm_organisation_grams(name, name_en, credit_code)`, migration 0005; upper-cased
as `icontains` compares). A query keeps only the rows holding every two-character
fragment of the typed text (the character itself when one is typed): an index
lookup that may let through a row holding the fragments apart (瀚芯科技芯片 holds 瀚芯
and 芯片, not 瀚芯片); the exact `icontains` test then drops those. The index is an
expression over the columns, so PostgreSQL keeps it on every write, the COPY of
bench.generate and bulk_create included; nothing in Python has to remember it.

A text made only of fragments nearly every name has (有限, 公司, a single letter) is
searched without the index: the index would hand back most of the table, so the
planner would read every row instead and compute each one's fragments (some 40 us
each), where the plain substring test reads the names in order and stops as soon as
a page is full. SQLite (the embedded default) has
no such index and tests the substring on every row.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value


def credit_code_fragment(text: str) -> str | None:
    """Text that may be part of a credit code (4 to 18 letters and digits), upper-cased."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if re.fullmatch(r"[0-9A-Z]{4,18}", compact) else None


def name_or_code_matches(text: str) -> Q:
    """Any part of the Chinese or English name (any case), or of the credit code."""
    condition = Q(name__icontains=text) | Q(name_en__icontains=text)
    code = credit_code_fragment(text)
    if code:
        condition |= Q(credit_code__contains=code)
    return condition


# Words in nearly every name: their fragments are in most rows (see above).
_COMMON_WORDS = ("股份有限公司", "有限责任公司", "（中国）", "(中国)", "CO., LTD.")


def _fragments(text: str) -> set[str]:
    """What crm_query_grams asks the index for (upper-cased here by Python: only used to
    choose a plan, never to decide what matches)."""
    text = text.upper()
    return {text} if len(text) < 2 else {text[i : i + 2] for i in range(len(text) - 1)}


_COMMON_FRAGMENTS = {gram for word in _COMMON_WORDS for gram in _fragments(word) | set(word)}


def _index_helps(text: str) -> bool:
    if len(text) == 1 and text.isascii():  # a letter or digit: in too many names
        return False
    return not _fragments(text) <= _COMMON_FRAGMENTS


class _HasFragmentsOf(Func):
    """PostgreSQL: the organisation's fragments include every fragment of the text (GIN lookup).

    Written exactly as the index expression of migration 0005, or the index is not used."""

    arity = 4
    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("name"), F("name_en"), F("credit_code"), Value(text))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        name, name_en, credit_code, text = parts
        return f"(crm_organisation_grams({name}, {name_en}, {credit_code}) @> crm_query_grams({text}))", params


def organisations_matching(queryset: QuerySet, text: str) -> QuerySet:
    """The organisations of `queryset` whose name, English name or credit code contains `text`."""
    text = (text or "").strip()
    if not text:
        return queryset
    exact = name_or_code_matches(text)
    if connections[queryset.db].vendor != "postgresql" or not _index_helps(text):
        return queryset.filter(exact)
    candidates = Q(_HasFragmentsOf(text))
    code = credit_code_fragment(text)
    if code and code != text.upper():  # typed with spaces: the code is compared without them
        candidates |= Q(_HasFragmentsOf(code))
    return queryset.filter(candidates, exact)
