"""Reads of organisations, missions and visits for the web pages.

Every user reads every organisation, mission and visit (core.permissions); what may
be hidden are projects, which live in the projects app. crm does not import
projects: pages here that show projects (an organisation's timeline, a mission's
outcome, the "has an active project" filter) ask the functions registered in
`hooks`, which projects.selectors fills in when it is imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from crm.credit_code import normalise as normalise_credit_code
from crm.models import Contact, Mission, Organisation, Qualification, Visit

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
    # Organisation ids with an active project the user may see (a queryset of ids).
    organisations_with_active_project: Callable[[User], QuerySet] | None = None
    # {mission id: number of projects from it the user may see}.
    mission_project_counts: Callable[[User, list[int]], dict[int, int]] | None = None


hooks = Hooks()


# --- Organisations ----------------------------------------------------------------

# Legal-form words that say nothing about which organisation it is.
_NOISE = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|（中国）|\(中国\)|中国|"
    r"co\.?,?\s*ltd\.?|corporation|corp\.?|inc\.?|gmbh|ag|limited|ltd\.?|k\.?k\.?|株式会社|,|\.)",
    re.IGNORECASE,
)


def name_core(name: str) -> str:
    """A name without its legal form: 村田（中国）投资有限公司 -> 村田投资."""
    return re.sub(r"\s+", " ", _NOISE.sub(" ", name or "")).strip()


def _credit_code_or_none(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if re.fullmatch(r"[0-9A-Z]{4,18}", compact) else None


def organisation_search(query: str, *, limit: int = 10) -> list[Organisation]:
    """Organisations whose Chinese or English name or credit code contains `query`."""
    query = (query or "").strip()
    if not query:
        return []
    condition = Q(name__icontains=query) | Q(name_en__icontains=query)
    code = _credit_code_or_none(query)
    if code:
        condition |= Q(credit_code__contains=code)
    return list(Organisation.objects.filter(condition).select_related("industry").order_by("name")[:limit])


def similar_organisations(*, name: str, name_en: str = "", credit_code: str = "", limit: int = 5) -> list[Organisation]:
    """Organisations that may be the one about to be created (a warning, not a refusal)."""
    condition = Q()
    for text, column in ((name, "name"), (name_en, "name_en")):
        core = name_core(text)
        if len(core) >= 2:
            condition |= Q(**{f"{column}__icontains": core})
        if text.strip():
            condition |= Q(**{f"{column}__iexact": text.strip()})
    if credit_code.strip():
        condition |= Q(credit_code=normalise_credit_code(credit_code))
    if not condition:
        return []
    return list(Organisation.objects.filter(condition).order_by("name")[:limit])


@dataclass
class OrganisationFilter:
    q: str = ""
    kind: str = ""
    industry: int | None = None
    qualification: str = ""
    country: str = ""
    has_active_project: bool | None = None


def organisation_list(*, user: User, filters: OrganisationFilter) -> QuerySet:
    """The organisations list, filtered; each row knows its last visit and visit count.

    Plain filtering here until crm.filters (django-filter) exists for the API too."""
    qs = Organisation.objects.select_related("industry", "park")
    if filters.q:
        condition = Q(name__icontains=filters.q) | Q(name_en__icontains=filters.q)
        code = _credit_code_or_none(filters.q)
        if code:
            condition |= Q(credit_code__contains=code)
        qs = qs.filter(condition)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.industry:
        # The industry tree: a cluster finds its chains' and links' organisations too.
        qs = qs.filter(
            Q(industry_id=filters.industry)
            | Q(industry__parent_id=filters.industry)
            | Q(industry__parent__parent_id=filters.industry)
        )
    if filters.qualification:
        qs = qs.filter(Exists(Qualification.objects.filter(organisation_id=OuterRef("pk"), kind=filters.qualification)))
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.has_active_project is not None and hooks.organisations_with_active_project:
        with_project = Q(pk__in=hooks.organisations_with_active_project(user))
        qs = qs.filter(with_project if filters.has_active_project else ~with_project)
    last_visit = Visit.objects.filter(organisation_id=OuterRef("pk")).order_by("-date").values("date")[:1]
    visits = (
        Visit.objects.filter(organisation_id=OuterRef("pk"))
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(last_visit_on=Subquery(last_visit), visit_count=Subquery(visits)).prefetch_related(
        "qualifications"
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


class MissionStatus:
    UPCOMING = "upcoming"
    UNDER_WAY = "under_way"
    DONE = "done"


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


def mission_list(*, user: User, status: str = "", region: str = "", today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    qs = Mission.objects.select_related("leader").prefetch_related("participants")
    if status == MissionStatus.UPCOMING:
        qs = qs.filter(start_date__gt=today).order_by("start_date", "pk")
    elif status == MissionStatus.UNDER_WAY:
        qs = qs.filter(start_date__lte=today, end_date__gte=today).order_by("start_date", "pk")
    elif status == MissionStatus.DONE:
        qs = qs.filter(end_date__lt=today).order_by("-end_date", "-pk")
    else:
        qs = qs.order_by("-start_date", "-pk")
    if region:
        qs = qs.filter(region=region)
    return qs.annotate(
        visit_count=Count("visits", distinct=True),
        organisation_count=Count("visits__organisation", distinct=True),
    )


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


def visits_of(user: User) -> QuerySet:
    """Visits the user logged or took part in."""
    took_part = Visit.officers.through.objects.filter(visit_id=OuterRef("pk"), user_id=user.pk)
    return Visit.objects.filter(Q(owner=user) | Exists(took_part))


def visits_of_teams(team_ids: set[int]) -> QuerySet:
    return Visit.objects.filter(team_id__in=team_ids)


def open_follow_ups(visits: QuerySet, *, until: dt.date) -> QuerySet:
    """Visits with a follow-up not yet done, due on or before `until`, soonest first."""
    return (
        visits.filter(follow_up_on__isnull=False, follow_up_on__lte=until, follow_up_done_on__isnull=True)
        .select_related("organisation", "owner")
        .order_by("follow_up_on", "pk")
    )


def contacts_of(organisation_id: int | None) -> QuerySet:
    if not organisation_id:
        return Contact.objects.none()
    return Contact.objects.filter(organisation_id=organisation_id, is_active=True).order_by("name")
