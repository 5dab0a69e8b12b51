"""One search over everything a user may see: organisations, projects, contacts,
missions, visits and industry documents, grouped by kind.

Every kind is matched by the one rule of crm.search (folded text; organisations and
contacts also by pinyin, initials and other names through their stored search keys),
so the header's box, its results page and each list's own search agree. Projects go
through projects.selectors.visible: a confidential project of another team, or a
deleted one, is neither shown nor counted. Within a kind the order is: a whole name
typed, then a name starting with it, then the rest; the user's own team's records
before others'; the most recent first. One query per kind for the rows, one per kind
for the count on the results page: the number of queries does not grow with the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chains.models import IndustryDocument
from core import permissions
from crm.filters import ContactFilter, MissionFilter, OrganisationFilter, VisitFilter
from crm.models import Contact, Mission, Organisation, Visit
from crm.search import folded_contains, highlighted, match_rank, match_span, typed_forms
from projects import selectors as project_selectors
from projects.filters import ProjectFilter

if TYPE_CHECKING:
    from core.models import User

# Counted up to this many per kind on the results page ("1,000+" beyond).
COUNT_BOUND = 1000
MAX_QUERY_LENGTH = 100


@dataclass
class Hit:
    title: str  # escaped HTML with the match in <mark>
    url: str
    detail: str = ""  # escaped HTML: the other name that matched, or where it is
    meta: str = ""  # plain text: kind, stage, date


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    count: int | None = None  # None when not counted (the dropdown)
    more_url: str = ""

    @property
    def count_is_bounded(self) -> bool:
        return self.count is not None and self.count > COUNT_BOUND


def _searched(filterset_class, queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed by the `q` search of the kind's own list (and API): the box
    and the list cannot disagree."""
    return filterset_class(queryset=queryset).search(queryset, "q", text)


def _own_team_first(user: User) -> Case:
    teams = permissions.team_ids_of(user)
    return Case(When(team_id__in=teams, then=Value(0)), default=Value(1), output_field=IntegerField())


def _title_rank(column: str, text: str) -> Case:
    """0: the column is what was typed; 1: it starts with it; 2: anything else."""
    exact, prefix = Q(), Q()
    for form in dict.fromkeys([text.strip(), *typed_forms(text)]):
        exact |= Q(**{f"{column}__iexact": form})
        prefix |= Q(**{f"{column}__istartswith": form})
    return Case(When(exact, then=Value(0)), When(prefix, then=Value(1)), default=Value(2), output_field=IntegerField())


def _other_name_that_matched(organisation: Organisation, text: str) -> str:
    """The English name or other name to show under the Chinese one: the one that
    matched when the Chinese name did not, else the English name."""
    if match_span(organisation.name, text):
        return highlighted(organisation.name_en, text) if organisation.name_en else ""
    for other in [organisation.name_en, *(organisation.aliases or [])]:
        if other and match_span(other, text):
            return highlighted(other, text)
    return highlighted(organisation.name_en, text) if organisation.name_en else ""


# --- One function per kind: (user, text) -> queryset ranked; row -> Hit ------------


def _organisations(user: User, text: str) -> QuerySet:
    return (
        _searched(OrganisationFilter, Organisation.objects.all(), text)
        .annotate(match_rank=match_rank(text))
        .order_by("match_rank", _own_team_first(user), "-updated_at", "pk")
    )


def _organisation_hit(row: Organisation, text: str) -> Hit:
    return Hit(
        title=highlighted(row.name, text),
        url=reverse("crm:organisation_detail", args=[row.pk]),
        detail=_other_name_that_matched(row, text),
        meta=" · ".join(part for part in (str(row.get_kind_display()), row.city) if part),
    )


def _projects(user: User, text: str) -> QuerySet:
    return (
        _searched(ProjectFilter, project_selectors.visible(user), text)
        .select_related("investor")
        .order_by(_title_rank("name", text), _own_team_first(user), "-updated_at", "pk")
    )


def _project_hit(row, text: str) -> Hit:
    return Hit(
        title=highlighted(row.name, text),
        url=reverse("projects:project_detail", args=[row.pk]),
        detail=highlighted(row.investor.name, text) if row.investor_id else "",
        meta=str(row.get_stage_display()),
    )


def _contacts(user: User, text: str) -> QuerySet:
    return (
        _searched(ContactFilter, Contact.objects.all(), text)
        .annotate(match_rank=match_rank(text))
        .select_related("organisation")
        .order_by("match_rank", _own_team_first(user), "-updated_at", "pk")
    )


def _contact_hit(row: Contact, text: str) -> Hit:
    name = row.name if match_span(row.name, text) or not row.name_en else f"{row.name} ({row.name_en})"
    return Hit(
        title=highlighted(name, text),
        url=reverse("crm:organisation_detail", args=[row.organisation_id]),
        detail=highlighted(row.organisation.name, text),
        meta=row.title,
    )


def _missions(user: User, text: str) -> QuerySet:
    return _searched(MissionFilter, Mission.objects.all(), text).order_by(
        _title_rank("title", text), _own_team_first(user), "-start_date", "pk"
    )


def _mission_hit(row: Mission, text: str) -> Hit:
    return Hit(
        title=highlighted(row.title, text),
        url=reverse("crm:mission_detail", args=[row.pk]),
        detail=highlighted(row.cities, text) if row.cities else "",
        meta=f"{row.start_date:%Y-%m-%d}",
    )


def _visits(user: User, text: str) -> QuerySet:
    return (
        _searched(VisitFilter, Visit.objects.all(), text)
        .select_related("organisation")
        .order_by(_own_team_first(user), "-date", "-pk")
    )


def _excerpt(text: str, typed: str, width: int = 60) -> str:
    """About `width` characters of a long text around where it matched."""
    span = match_span(text, typed)
    if not span or len(text) <= width:
        return highlighted(text[:width] + ("…" if len(text) > width else ""), typed)
    start = max(0, span[0] - width // 3)
    piece = ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")
    return highlighted(piece, typed)


def _visit_hit(row: Visit, text: str) -> Hit:
    return Hit(
        title=highlighted(row.organisation.name, text),
        url=reverse("crm:organisation_detail", args=[row.organisation_id]),
        detail=_excerpt(row.summary, text),
        meta=f"{row.date:%Y-%m-%d} · {row.get_kind_display()}",
    )


def _documents(user: User, text: str) -> QuerySet:
    return (
        IndustryDocument.objects.filter(folded_contains("title", text))
        .select_related("industry")
        .order_by(_title_rank("title", text), "-issued_on", "-pk")
    )


def _document_hit(row: IndustryDocument, text: str) -> Hit:
    return Hit(
        title=highlighted(row.title, text),
        url=reverse("chains:document_download", args=[row.pk]),
        detail=str(row.industry),
        meta=f"{row.get_kind_display()} · {row.issued_on:%Y-%m-%d}",
    )


@dataclass(frozen=True)
class Kind:
    key: str
    label: object
    rows: Callable[[User, str], QuerySet]
    hit: Callable[[object, str], Hit]
    list_url: str = ""  # the kind's own list, searched the same way (?q=)
    in_dropdown: bool = True


KINDS = (
    Kind("organisations", _("Organisations"), _organisations, _organisation_hit, "crm:organisation_list"),
    Kind("projects", _("Projects"), _projects, _project_hit, "projects:project_list"),
    Kind("contacts", _("Contacts"), _contacts, _contact_hit, "crm:contact_list"),
    Kind("missions", _("Missions"), _missions, _mission_hit, "crm:mission_list"),
    # What was said and what was filed: read in full only on the results page.
    Kind("visits", pgettext_lazy("search results", "Visits"), _visits, _visit_hit, "crm:visit_list", False),
    Kind("documents", _("Industry documents"), _documents, _document_hit, "", False),
)
KIND_KEYS = tuple(kind.key for kind in KINDS)


def search_everything(
    *, user: User, text: str, per_kind: int = 5, dropdown: bool = False, only: str = ""
) -> list[Group]:
    """The groups of what `text` finds for `user`, in the order of KINDS; empty groups
    are left out. The dropdown reads the quick kinds without counting; the results page
    reads every kind (or `only` one) and counts each up to COUNT_BOUND."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not typed_forms(text):
        return []
    groups = []
    for kind in KINDS:
        if (dropdown and not kind.in_dropdown) or (only and kind.key != only):
            continue
        rows = kind.rows(user, text)
        found = list(rows[: per_kind + (1 if dropdown else 0)])
        if not found:
            continue
        group = Group(kind=kind.key, label=str(kind.label), hits=[kind.hit(row, text) for row in found[:per_kind]])
        if not dropdown:
            group.count = len(found) if len(found) < per_kind else rows.order_by()[: COUNT_BOUND + 1].count()
        if kind.list_url:
            group.more_url = f"{reverse(kind.list_url)}?{_query_string(text)}"
        groups.append(group)
    return groups


def _query_string(text: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": text})
