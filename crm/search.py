"""Finding organisations (and contacts) the way officers type: the one search rule.

One rule for the header's search box and its results page (finder), the organisation
list (web, API ?q=, export), the autocomplete under the visit form's organisation box,
the project form's investor picker, the chains' picker, the project list's search by
investor and the visit list's search by organisation.

What is typed is folded (`fold`): full-width to half-width (NFKC), Traditional and
Japanese forms to Simplified (crm.names.to_simplified: 村田製作所 -> 村田制作所), lower
case, spaces run together. It is then looked for inside the record's stored search key
(`SearchKeyField`, written on every save and bulk_create): one line for each of the
folded names (Chinese, English, aliases and former names, credit code) and, for a name
with Chinese characters, its pinyin in full (cuntianzhongguotouzi), its initials
(ctzgtz) and a few mixes (cuntianzgtz: the first syllables in full, the rest initials).
A key starts and ends with a line break, so "exact" and "prefix" are substring tests
too ("\n村田\n", "\n村田"): the rank is computed by the database.

Chinese names are searched by two-character fragments (村田, 无锡), which no B-tree
helps and pg_trgm (three characters) does not either. On PostgreSQL a GIN index holds,
for every organisation, the set of one- and two-character fragments of its search key
(`crm_organisation_grams(search_key, '', '')`, functions of migration 0005, index of
migration 0011; upper-cased by the function on both sides). A query keeps only the rows
holding every two-character fragment of the folded text (the character itself when one
is typed): an index lookup that may let through a row holding the fragments apart
(瀚芯科技芯片 holds 瀚芯 and 芯片, not 瀚芯片); the substring test then drops those.
The index is an expression over the column, so PostgreSQL keeps it on every write, the
COPY of bench.generate included.

A text made only of fragments nearly every key has (有限, 公司, their pinyin, one or two
Latin letters) is searched without the index: the index would hand back most of the
table, where the plain substring test reads the rows in order and stops as soon as a
page is full. SQLite (the embedded default) has no such index and tests every row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connections, models
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When

from crm.names import to_simplified

# How many leading syllables are written in full before the initials, in the mixes kept.
MIXED_SYLLABLES = 4


def fold(text: str) -> str:
    """What is compared: half-width, Simplified, lower case, single spaces, stripped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text).lower()
    return re.sub(r"\s+", " ", text).strip()


_HAN = re.compile(r"[\u3400-\u9fff]+")
_RUN = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+")


def _syllables(folded: str) -> tuple[list[str], list[str]]:
    """The folded text as pinyin syllables (one per Chinese character) and Latin or digit
    words, punctuation and brackets dropped; and the same with each syllable's initial
    (a Latin word stays whole)."""
    from pypinyin import lazy_pinyin  # loads its dictionaries on first use

    syllables: list[str] = []
    initials: list[str] = []
    for run in _RUN.findall(folded):
        if _HAN.fullmatch(run):
            spoken = [syllable.lower() for syllable in lazy_pinyin(run) if syllable]
            syllables += spoken
            initials += [syllable[0] for syllable in spoken]
        else:
            syllables.append(run)
            initials.append(run)
    return syllables, initials


def pinyin_forms(text: str) -> list[str]:
    """How an officer may type a Chinese name in Latin letters: 村田中国 gives cuntianzhongguo,
    ctzg, cuntzg, cuntianzg, cuntianzhongg. Nothing for a name with no Chinese character."""
    folded = fold(text)
    if not _HAN.search(folded):
        return []
    syllables, initials = _syllables(folded)
    forms = ["".join(syllables), "".join(initials)]
    for k in range(1, min(MIXED_SYLLABLES, len(syllables) - 1) + 1):
        forms.append("".join(syllables[:k]) + "".join(initials[k:]))
    return list(dict.fromkeys(form for form in forms if form))


def search_key(*texts: str | Iterable[str]) -> str:
    """The stored key of a record with these names: each folded, then its pinyin forms;
    a line each, with a line break before the first and after the last."""
    lines: list[str] = []
    for text in texts:
        for one in [text] if isinstance(text, str) or text is None else text:
            folded = fold(one or "")
            if folded:
                lines.append(folded)
                lines += pinyin_forms(folded)
    lines = list(dict.fromkeys(lines))
    return "\n" + "\n".join(lines) + "\n" if lines else ""


class SearchKeyField(models.TextField):
    """The search key of the record's `sources` (crm.search.search_key), written whenever
    the record is saved, created in bulk included; never edited by hand."""

    def __init__(self, *args, sources: tuple[str, ...] = (), **kwargs) -> None:
        self.sources = tuple(sources)
        kwargs["blank"] = True
        kwargs["editable"] = False
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        kwargs.pop("blank", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = search_key(*(getattr(model_instance, source) or "" for source in self.sources))
        setattr(model_instance, self.attname, value)
        return value


def credit_code_fragment(text: str) -> str | None:
    """Text that may be part of a credit code (4 to 18 letters and digits), upper-cased."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if re.fullmatch(r"[0-9A-Z]{4,18}", compact) else None


def typed_forms(text: str) -> list[str]:
    """The folded forms of what was typed that a key may contain: the text, and without
    its spaces (cun tian, a credit code written in groups)."""
    folded = fold(text)
    if not folded:
        return []
    forms = [folded]
    if " " in folded:
        forms.append(folded.replace(" ", ""))
    return forms


def key_matches(text: str, column: str = "search_key") -> Q:
    """Rows whose search key (in `column`) holds what was typed."""
    condition = Q()
    for form in typed_forms(text):
        condition |= Q(**{f"{column}__contains": form})
    return condition


def match_rank(text: str, column: str = "search_key") -> Case:
    """0 when a whole name (or its pinyin) is what was typed, 1 when one starts with it,
    2 for a match inside a name."""
    forms = typed_forms(text)
    exact, prefix = Q(), Q()
    for form in forms:
        exact |= Q(**{f"{column}__contains": f"\n{form}\n"})
        prefix |= Q(**{f"{column}__contains": f"\n{form}"})
    return Case(When(exact, then=Value(0)), When(prefix, then=Value(1)), default=Value(2), output_field=IntegerField())


# Words in nearly every name: their fragments are in most rows (see above).
_COMMON_WORDS = ("股份有限公司", "有限责任公司", "(中国)", "co., ltd.")
_COMMON_FORMS = [form for word in _COMMON_WORDS for form in [fold(word), *pinyin_forms(word)]]


def _fragments(text: str) -> set[str]:
    """What crm_query_grams asks the index for (upper-cased here by Python: only used to
    choose a plan, never to decide what matches)."""
    text = text.upper()
    return {text} if len(text) < 2 else {text[i : i + 2] for i in range(len(text) - 1)}


_COMMON_FRAGMENTS = {gram for form in _COMMON_FORMS for gram in _fragments(form) | set(form.upper())}


def _index_helps(text: str) -> bool:
    if text.isascii() and len(text) <= 2:  # a letter or two: in the pinyin of too many names
        return False
    return not _fragments(text) <= _COMMON_FRAGMENTS


class _HasFragmentsOf(Func):
    """PostgreSQL: the key's fragments include every fragment of the text (GIN lookup).

    Written exactly as the index expression of migration 0011, or the index is not used."""

    arity = 2
    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("search_key"), Value(text))

    def as_sql(self, compiler, connection, **extra_context):
        key_sql, key_params = compiler.compile(self.get_source_expressions()[0])
        text_sql, text_params = compiler.compile(self.get_source_expressions()[1])
        sql = f"(crm_organisation_grams({key_sql}, '', '') @> crm_query_grams({text_sql}))"
        return sql, [*key_params, *text_params]


def records_matching(queryset: QuerySet, text: str) -> QuerySet:
    """The organisations (or contacts) of `queryset` whose search key holds what was
    typed: any part of a name, an alias or the credit code, or of their pinyin."""
    forms = typed_forms(text)
    if not forms:
        return queryset
    exact = key_matches(text)
    if connections[queryset.db].vendor != "postgresql" or not all(_index_helps(form) for form in forms):
        return queryset.filter(exact)
    candidates = Q()
    for form in forms:
        candidates |= Q(_HasFragmentsOf(form))
    return queryset.filter(candidates, exact)


organisations_matching = records_matching


def records_ranked(queryset: QuerySet, text: str) -> QuerySet:
    """records_matching, with `match_rank` annotated (exact, prefix, fragment)."""
    return records_matching(queryset, text).annotate(match_rank=match_rank(text))


def matching_organisation_ids(text: str) -> QuerySet:
    """The ids of the organisations matching `text`, for a filter on another table (the
    project list by investor, the visit list by organisation)."""
    from crm.models import Organisation

    return organisations_matching(Organisation.objects.all(), text).values("pk")


def folded_contains(column: str, text: str) -> Q:
    """A free-text column (a title, a summary) holding what was typed, in any case and in
    Simplified or the form typed (Traditional typed, Simplified stored and the reverse)."""
    condition = Q()
    for form in dict.fromkeys([(text or "").strip(), *typed_forms(text)]):
        if form:
            condition |= Q(**{f"{column}__icontains": form})
    return condition


# --- Showing where a record matched ---------------------------------------------


def _folded_characters(text: str) -> list[str]:
    """Each character of `text` folded on its own (one entry per character, maybe empty
    or longer: ㈱ gives "(株)"), so a match in the folded text maps back to the text."""
    return [to_simplified(unicodedata.normalize("NFKC", character)).lower() for character in text]


def _span_in(pieces: list[str], form: str) -> tuple[int, int] | None:
    """The characters whose pieces, joined, hold `form` (start, end), or None."""
    joined, starts = "", []
    for piece in pieces:
        starts.append(len(joined))
        joined += piece
    at = joined.find(form)
    if at < 0 or not form:
        return None
    end = at + len(form)
    first = max(i for i, start in enumerate(starts) if start <= at)
    last = max(i for i, start in enumerate(starts) if start < end)
    return first, last + 1


def match_span(text: str, typed: str) -> tuple[int, int] | None:
    """Where in `text` what was typed matches: as characters (村田, 村田製作所, MURATA),
    then as pinyin in full or initials (cuntian, ct: the characters they spell)."""
    if not text:
        return None
    forms = typed_forms(typed)
    folded = _folded_characters(text)
    for form in forms:
        span = _span_in(folded, form)
        if span:
            return span
    if not _HAN.search("".join(folded)):
        return None
    from pypinyin import lazy_pinyin

    # One syllable per Chinese character, in place; other characters stay as folded.
    spoken = [lazy_pinyin(piece)[0].lower() if _HAN.fullmatch(piece or "-") else piece for piece in folded]
    for pieces in (
        spoken,
        [piece[:1] if _HAN.fullmatch(folded[i] or "-") else piece for i, piece in enumerate(spoken)],
    ):
        kept = [(i, piece) for i, piece in enumerate(pieces) if re.fullmatch(r"[0-9a-z]+", piece)]
        for form in forms:
            span = _span_in([piece for _i, piece in kept], form.replace(" ", ""))
            if span:
                return kept[span[0]][0], kept[span[1] - 1][0] + 1
    return None


def highlighted(text: str, typed: str):
    """`text` escaped for HTML, the part that matched `typed` in <mark>."""
    from django.utils.html import escape, format_html

    span = match_span(text, typed)
    if not span:
        return escape(text)
    start, end = span
    return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])
