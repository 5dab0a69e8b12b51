"""A user's private calendar (RFC 5545): planned milestones, missions and visit
follow-ups as all-day events, made with the icalendar library.

Whose dates: an officer's own (projects they own, missions they lead or take part
in, visits they logged or made); a manager's cover their teams as well. Projects go
through core.permissions.visible_projects, so a confidential project of another team
never appears. UIDs are stable (kind, id, stage, @host), so a calendar app updates an
event when a date moves instead of adding a second one. Apps above add kinds of dates
(problem due dates, ...) with FEED_SOURCES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import permissions
from core.models import User
from crm.models import Mission, Visit
from outbound.selectors import absolute
from projects.models import PLANNED_STAGES, Project, Stage, not_reached, planned_field
from projects.reminders import REMINDED_STAGES

# Dates kept in the feed: a quarter back, a year ahead.
PAST = dt.timedelta(days=92)
FUTURE = dt.timedelta(days=366)


@dataclass(frozen=True)
class Event:
    uid: str
    day: dt.date
    summary: str
    url: str
    description: str = ""
    last_day: dt.date | None = None  # inclusive; None for a one-day event


# Callables (user, first_day, last_day) -> iterable of Event, registered by apps above.
FEED_SOURCES: list[Callable[[User, dt.date, dt.date], Iterable[Event]]] = []


def event_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _mine(user: User) -> Q:
    """Records of the user, or of the teams a manager leads (on OwnedRecord models)."""
    mine = Q(owner=user)
    if permissions.is_manager(user) or permissions.is_admin(user):
        teams = permissions.team_ids_of(user)
        if teams:
            mine |= Q(team_id__in=teams)
    return mine


def milestone_events(user: User, first: dt.date, last: dt.date) -> list[Event]:
    projects = permissions.visible_projects(user, Project.objects.filter(_mine(user), stage__in=REMINDED_STAGES))
    events = []
    for stage in PLANNED_STAGES:
        field = planned_field(stage)
        rows = projects.filter(not_reached(stage), **{f"{field}__range": (first, last)}).only("pk", "name", field)
        for project in rows:
            events.append(
                Event(
                    uid=f"milestone-{project.pk}-{stage}@{event_host()}",
                    day=getattr(project, field),
                    summary=_("%(project)s: %(stage)s planned")
                    % {"project": project.name, "stage": Stage(stage).label},
                    url=absolute(reverse("projects:project_detail", args=[project.pk])),
                )
            )
    return events


def mission_events(user: User, first: dt.date, last: dt.date) -> list[Event]:
    missions = (
        Mission.objects.filter(_mine(user) | Q(leader=user) | Q(participants=user))
        .filter(start_date__lte=last, end_date__gte=first)
        .distinct()
    )
    return [
        Event(
            uid=f"mission-{mission.pk}@{event_host()}",
            day=mission.start_date,
            last_day=mission.end_date,
            summary=_("Mission: %(title)s") % {"title": mission.title},
            url=absolute(reverse("crm:mission_detail", args=[mission.pk])),
            description=mission.goals,
        )
        for mission in missions
    ]


def follow_up_events(user: User, first: dt.date, last: dt.date) -> list[Event]:
    visits = (
        Visit.objects.filter(_mine(user) | Q(officers=user))
        .filter(follow_up_on__range=(first, last), follow_up_done_on__isnull=True)
        .select_related("organisation")
        .distinct()
    )
    return [
        Event(
            uid=f"follow-up-{visit.pk}@{event_host()}",
            day=visit.follow_up_on,
            summary=_("Follow up with %(organisation)s") % {"organisation": visit.organisation.name},
            url=absolute(reverse("crm:visit_edit", args=[visit.pk])),
            description=visit.next_step,
        )
        for visit in visits
    ]


def events_for(user: User, today: dt.date | None = None) -> list[Event]:
    today = today or timezone.localdate()
    first, last = today - PAST, today + FUTURE
    events = (
        milestone_events(user, first, last) + mission_events(user, first, last) + follow_up_events(user, first, last)
    )
    for source in FEED_SOURCES:
        events += list(source(user, first, last))
    return sorted(events, key=lambda event: (event.day, event.uid))


def calendar_for(user: User, today: dt.date | None = None) -> bytes:
    """The user's feed as iCalendar bytes, in the office's language and time zone."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Investment promotion CRM//outbound//ZH")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Investment promotion: %(user)s") % {"user": user.get_full_name() or user})
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now().replace(microsecond=0)
        for item in events_for(user, today):
            event = icalendar.Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", item.day)
            event.add("dtend", (item.last_day or item.day) + dt.timedelta(days=1))
            event.add("summary", item.summary)
            event.add("url", item.url)
            event.add("description", "\n".join(part for part in (item.description, item.url) if part))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
