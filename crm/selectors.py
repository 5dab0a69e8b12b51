"""Reads of organisations, missions and visits for the web pages.

Every user reads every organisation, mission and visit (core.permissions); what may
be hidden are projects, which live in the projects app. crm does not import
projects: pages here that show projects (an organisation's timeline, a mission's
outcome) ask the functions registered in `hooks`, which projects.selectors fills in
when it is imported. Lists are narrowed by the FilterSets in crm.filters, the same
ones the API uses; the selectors here give the rows and what each row shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Length, Replace
from django.db.models.lookups import Contains
from django.utils import timezone, translation
from django_countries import countries

from crm.credit_code import normalise as normalise_credit_code
from crm.filters import MissionStatus
from crm.models import Contact, Mission, Organisation, Visit
from crm.names import normalise_organisation_name
from crm.search import records_ranked

if TYPE_CHECKING:
    from core.models import User


# --- What other apps contribute ----------------------------------------------------


@dataclass
class TimelineEntry:
    """One line of a timeline: a visit, a project, a stage change, a contact."""

    on: dt.date
    kind: str  # "visit", "project", "stage_change", "contact": the template picks an icon
    title: str
    detail: str = ""
    url: str = ""
    badge: str = ""
    badge_class: str = "text-bg-secondary"
    sort_key: tuple = field(default_factory=tuple)
    obj: object | None = None  # the record, when the template shows more of it


@dataclass
class Hooks:
    organisation_timeline: list[Callable[[User, Organisation], list[TimelineEntry]]] = field(default_factory=list)
    mission_projects: list[Callable[[User, Mission], list[TimelineEntry]]] = field(default_factory=list)
    # {mission id: number of projects from it the user may see}.
    mission_project_counts: Callable[[User, list[int]], dict[int, int]] | None = None


hooks = Hooks()


# --- Organisations ----------------------------------------------------------------

# Words that say what legal form an organisation has, not which one it is. A
# subsidiary's "（中国）" or "(China)" goes too: people type the name with or without it.
_CHINESE_NOISE = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", "集团", "株式会社", "中国")
_ENGLISH_NOISE = re.compile(
    r"\b(?:co|company|ltd|limited|inc|incorporated|corp|corporation|gmbh|ag|kk|plc|llc|group|china)\b",
    re.IGNORECASE,
)
_PUNCTUATION = ("（", "）", "(", ")", "【", "】", "[", "]", ",", "，", ".", "。", "、", "&", "/", "-", "·", " ")


def name_tokens(name: str) -> list[str]:
    """The telling words of a name: 村田（中国）投资有限公司 -> [村田, 投资]."""
    text = name or ""
    for word in _CHINESE_NOISE:
        text = text.replace(word, " ")
    for mark in _PUNCTUATION:
        text = text.replace(mark, " ")
    return [token for token in _ENGLISH_NOISE.sub(" ", text).split() if len(token) >= 2]


def name_core(name: str) -> str:
    """A name without its legal form, run together: 村田（中国）投资有限公司 -> 村田投资."""
    return "".join(name_tokens(name))


# What the database strips from stored Chinese names to compare them: the common
# legal forms and brackets only (each is a nested REPLACE; SQLite limits the nesting).
_STORED_NOISE = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "中国", "（", "）", "(", ")", " ")


def _stored_name_core(column: str):
    """About name_core of a column, computed by the database (REPLACE is in SQLite and PostgreSQL)."""
    expression = F(column)
    for word in _STORED_NOISE:
        expression = Replace(expression, Value(word), Value(""))
    return expression


def organisation_search(query: str, *, limit: int = 10) -> list[Organisation]:
    """Organisations found by `query` under the one search rule (crm.search), whole
    names first, then names starting with it, then the rest."""
    if not (query or "").strip():
        return []
    matching = records_ranked(Organisation.objects.all(), query)
    return list(matching.select_related("industry").order_by("match_rank", "name", "pk")[:limit])


def similar_organisations(*, name: str, name_en: str = "", credit_code: str = "", limit: int = 5) -> list[Organisation]:
    """Organisations that may be the one about to be created (a warning, not a refusal).

    A name is similar when it is the same under the one name rule (crm.names: 無錫芯源半導體
    and 无锡芯源半导体有限公司), when it has every telling word of the typed one (村田中国投资公司
    and 村田（中国）投资有限公司), or when one name, stripped of its legal form and
    punctuation, contains the other."""
    condition = Q()
    for text, column in ((name, "name"), (name_en, "name_en")):
        text = text.strip()
        if not text:
            continue
        condition |= Q(**{f"{column}__iexact": text})
        key = normalise_organisation_name(text)
        if key:
            condition |= Q(name_key=key) | Q(name_en_key=key)
        tokens = name_tokens(text)
        if tokens:
            every_word = Q()
            for token in tokens:
                every_word &= Q(**{f"{column}__icontains": token})
            condition |= every_word
    typed_core = name_core(name)
    queryset = Organisation.objects.all()
    if len(typed_core) >= 2:
        queryset = queryset.alias(name_core=_stored_name_core("name"))
        queryset = queryset.alias(name_core_length=Length("name_core"))
        condition |= Q(name_core__contains=typed_core)
        # The other way round: 村田 on record, 村田（中国）投资有限公司 typed.
        condition |= Q(Contains(Value(typed_core), F("name_core")), name_core_length__gte=2)
    if credit_code.strip():
        condition |= Q(credit_code=normalise_credit_code(credit_code))
    if not condition:
        return []
    return list(queryset.filter(condition).order_by("name", "pk")[:limit])


def organisation_list(*, user: User) -> QuerySet:
    """Every organisation (all users read them all); each row knows its last visit,
    its number of visits and its qualifications. crm.filters.OrganisationFilter narrows it."""
    last_visit = Visit.objects.filter(organisation_id=OuterRef("pk")).order_by("-date").values("date")[:1]
    visits = (
        Visit.objects.filter(organisation_id=OuterRef("pk"))
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Organisation.objects.select_related("industry", "park")
        .annotate(last_visit_on=Subquery(last_visit), visit_count=Subquery(visits))
        .prefetch_related("qualifications")
        .order_by("name", "pk")
    )


def organisation_timeline(*, user: User, organisation: Organisation) -> list[TimelineEntry]:
    """Visits, contacts added and (through hooks) projects and stage changes, newest first."""
    entries: list[TimelineEntry] = []
    visits = (
        Visit.objects.filter(organisation=organisation)
        .select_related("mission", "owner")
        .prefetch_related("officers", "contacts")
    )
    for visit in visits:
        officers = "、".join(str(officer) for officer in visit.officers.all()) or str(visit.owner)
        entries.append(
            TimelineEntry(
                on=visit.date,
                kind="visit",
                title=f"{visit.get_kind_display()} · {officers}",
                detail=visit.summary,
                badge=visit.get_intention_display() if visit.intention != Visit.Intention.NONE else "",
                sort_key=(visit.date, 3, visit.pk),
                obj=visit,
            )
        )
    for contact in organisation.contacts.all():
        day = timezone.localdate(contact.created_at)
        entries.append(TimelineEntry(on=day, kind="contact", title=str(contact), sort_key=(day, 0, contact.pk)))
    for source in hooks.organisation_timeline:
        entries.extend(source(user, organisation))
    entries.sort(key=lambda entry: entry.sort_key or (entry.on,), reverse=True)
    return entries


# --- Missions ---------------------------------------------------------------------


def mission_status(mission: Mission, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if mission.start_date > today:
        return MissionStatus.UPCOMING
    if mission.end_date < today:
        return MissionStatus.DONE
    return MissionStatus.UNDER_WAY


def _taking_part(user: User) -> Q:
    return Q(participants=user) | Q(leader=user) | Q(owner=user)


def missions_under_way(*, user: User, on: dt.date | None = None) -> QuerySet:
    """Missions the user takes part in (or leads, or owns) that are under way on the day."""
    on = on or timezone.localdate()
    ids = Mission.objects.filter(_taking_part(user), start_date__lte=on, end_date__gte=on).values("pk")
    return Mission.objects.filter(pk__in=ids).order_by("start_date", "pk")


# How far back the missions a visit may be logged against reach (visits are logged late too).
MISSION_LOOKBACK_DAYS = 90


def missions_for_visits(*, today: dt.date | None = None) -> QuerySet:
    """The missions a visit may be logged against: those that ran within the lookback.

    The visit form offers and accepts these only; its pickers search among them."""
    today = today or timezone.localdate()
    return Mission.objects.filter(
        start_date__lte=today, end_date__gte=today - dt.timedelta(days=MISSION_LOOKBACK_DAYS)
    ).order_by("-start_date", "pk")


def _pick_order(missions: QuerySet, *, user: User, on: dt.date, first: int | None = None) -> QuerySet:
    """The likeliest missions for a visit on `on` first: the one already chosen, the
    user's own, those under way that day, then the most recently started."""
    took_part = Mission.participants.through.objects.filter(mission_id=OuterRef("pk"), user_id=user.pk)
    first_case = When(pk=first, then=Value(0)) if first else When(pk__isnull=True, then=Value(0))
    return missions.annotate(
        chosen=Case(first_case, default=Value(1), output_field=IntegerField()),
        mine=Case(
            When(Q(leader_id=user.pk) | Q(owner_id=user.pk) | Exists(took_part), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        running=Case(
            When(start_date__lte=on, end_date__gte=on, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("chosen", "mine", "running", "-start_date", "pk")


def missions_to_pick(
    *, user: User, on: dt.date, missions: QuerySet, chosen: int | None = None, limit: int = 8
) -> list[Mission]:
    """The short list the visit form opens with (one query): the chosen mission, the
    user's missions, those under way on the visit's date, then the nearest others."""
    return list(_pick_order(missions, user=user, on=on, first=chosen)[:limit])


def _countries_matching(text: str) -> list[str]:
    """Codes of the countries whose name, in the page's language or in English, contains `text`."""
    text = text.casefold()
    codes = {code for code, name in countries if text in str(name).casefold()}
    with translation.override("en"):
        codes |= {code for code, name in countries if text in str(name).casefold()}
    return sorted(codes)[:20]


def mission_search(query: str, *, user: User, on: dt.date, missions: QuerySet, limit: int = 10) -> list[Mission]:
    """Missions among `missions` whose title, cities, countries or region match the
    typed text, likeliest first (one query)."""
    query = (query or "").strip()
    if not query:
        return missions_to_pick(user=user, on=on, missions=missions, limit=limit)
    match = Q(title__icontains=query) | Q(cities__icontains=query)
    for code in _countries_matching(query):
        match |= Q(countries__contains=code)
    folded = query.casefold()
    regions = [value for value, label in Mission.Region.choices if folded in str(label).casefold()]
    with translation.override("en"):
        regions += [value for value, label in Mission.Region.choices if folded in str(label).casefold()]
    if regions:
        match |= Q(region__in=regions)
    return list(_pick_order(missions.filter(match), user=user, on=on)[:limit])


def officer_search(query: str, *, exclude: Collection[int] = (), limit: int = 10) -> list:
    """Active users whose username, display name or name contains the typed text."""
    query = (query or "").strip()
    if not query:
        return []
    match = Q(username__icontains=query) | Q(display_name__icontains=query)
    match |= Q(first_name__icontains=query) | Q(last_name__icontains=query)
    return list(
        get_user_model().objects.filter(match, is_active=True).exclude(pk__in=exclude).order_by("username")[:limit]
    )


def mission_list(*, user: User, status: str = "") -> QuerySet:
    """Every mission, in the order of its tab (mission_visit_counts adds the numbers
    for the page shown).

    crm.filters.MissionFilter narrows it; `status` only picks the order: the next
    upcoming or under-way mission first, the latest finished one first."""
    qs = Mission.objects.select_related("leader")
    if status in (MissionStatus.UPCOMING, MissionStatus.UNDER_WAY):
        return qs.order_by("start_date", "pk")
    if status == MissionStatus.DONE:
        return qs.order_by("-end_date", "-pk")
    return qs.order_by("-start_date", "-pk")


def mission_visit_counts(missions: list[Mission]) -> dict[int, tuple[int, int]]:
    """Visits and organisations met per mission, for one page of missions: one grouped
    query over their visits (counting over every mission before paging read millions
    of visits, see bench/README)."""
    if not missions:
        return {}
    rows = (
        Visit.objects.filter(mission_id__in=[mission.pk for mission in missions])
        .order_by()
        .values("mission_id")
        .annotate(visits=Count("pk"), organisations=Count("organisation_id", distinct=True))
    )
    return {row["mission_id"]: (row["visits"], row["organisations"]) for row in rows}


def mission_project_counts(*, user: User, missions: list[Mission]) -> dict[int, int]:
    if not hooks.mission_project_counts or not missions:
        return {}
    return hooks.mission_project_counts(user, [mission.pk for mission in missions])


@dataclass
class MissionDetail:
    mission: Mission
    status: str
    people: list
    visits: list[Visit]
    organisations: list[Organisation]
    projects: list[TimelineEntry]


def mission_detail(*, user: User, mission: Mission) -> MissionDetail:
    visits = list(
        mission.visits.select_related("organisation").prefetch_related("officers", "contacts").order_by("-date", "-pk")
    )
    people = list(mission.participants.all())
    if mission.leader and mission.leader not in people:
        people.insert(0, mission.leader)
    organisations = list({visit.organisation_id: visit.organisation for visit in visits}.values())
    organisations.sort(key=lambda organisation: organisation.name)
    projects = [entry for source in hooks.mission_projects for entry in source(user, mission)]
    return MissionDetail(mission, mission_status(mission), people, visits, organisations, projects)


# --- Visits -----------------------------------------------------------------------


class _IdAmong(Func):
    """`id = ANY(ARRAY(subquery))` on PostgreSQL, `id IN (subquery)` elsewhere.

    With IN, PostgreSQL may walk every visit in the order asked for (by date, by
    follow-up date) and probe the subquery for each, hoping to find the first few
    soon: for one officer's visits among millions that reads tens of thousands of
    rows. An array is computed once and probed in id order through the index that
    holds what the query also filters or sorts on (migration 0007): a few ms."""

    output_field = BooleanField()

    def __init__(self, ids: QuerySet):
        super().__init__(F("pk"), Subquery(ids))

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (ids, ids_params) = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{ids})", [*column_params, *ids_params]
        return f"{column} IN {ids}", [*column_params, *ids_params]


def visits_of(user: User) -> QuerySet:
    """Visits the user logged or took part in.

    One list of ids from two index-only lookups (officers by user; visits by owner),
    not `owner OR EXISTS`: PostgreSQL cannot combine an OR with a subquery through
    indexes and would read every visit (seconds on millions of visits, see bench/)."""
    took_part = Visit.officers.through.objects.filter(user_id=user.pk).order_by().values("visit_id")
    owned = Visit.objects.filter(owner_id=user.pk).order_by().values("pk")
    return Visit.objects.filter(_IdAmong(took_part.union(owned)))


def visits_of_teams(team_ids: set[int]) -> QuerySet:
    return Visit.objects.filter(team_id__in=team_ids)


def open_follow_ups(visits: QuerySet, *, until: dt.date, limit: int) -> QuerySet:
    """The first `limit` visits with a follow-up not yet done, due on or before `until`,
    soonest first (see first_visits)."""
    due = visits.filter(follow_up_on__isnull=False, follow_up_on__lte=until, follow_up_done_on__isnull=True)
    return first_visits(due, ("follow_up_on", "pk"), limit).select_related("organisation", "owner")


def first_visits(visits: QuerySet, order: tuple[str, ...], limit: int) -> QuerySet:
    """The first `limit` of `visits` in `order`: their ids picked first (from an index
    alone where one holds the order), then only those rows read and joined. Asked in one
    go, PostgreSQL joins every candidate row before it sorts (thousands of an officer's)."""
    first = visits.order_by(*order).values("pk")[:limit]
    return Visit.objects.filter(pk__in=first).order_by(*order)


def visit_list(*, user: User) -> QuerySet:
    """Every visit (all users read them), newest first, with what a row shows.

    crm.filters.VisitFilter narrows it."""
    return (
        Visit.objects.select_related("organisation", "mission", "owner")
        .prefetch_related("officers")
        .order_by("-date", "-pk")
    )


def contact_list(*, user: User) -> QuerySet:
    """Every contact with its organisation; crm.filters.ContactFilter narrows it."""
    return Contact.objects.select_related("organisation").order_by("organisation__name", "name", "pk")


def contacts_of(organisation_id: int | None) -> QuerySet:
    if not organisation_id:
        return Contact.objects.none()
    return Contact.objects.filter(organisation_id=organisation_id, is_active=True).order_by("name")
