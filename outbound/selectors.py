"""Reads of the outbound app: what a channel may show, and the lines of its messages.

A channel of a team shows that team's projects (confidential ones included: the group
is the team); a channel of the whole office shows the projects that are not
confidential. Visits and missions are read by everybody in the office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from core.models import AlertLevel
from crm.models import Visit
from outbound.models import Channel
from projects.models import Project

LEVEL_MARK = {AlertLevel.RED: "🔴", AlertLevel.YELLOW: "🟡", AlertLevel.BLUE: "🔵"}

# Sections of the morning brief added by apps above outbound (open problems, ...):
# callables (channel, today) -> list of markdown lines, empty when nothing is open.
BRIEF_SECTIONS: list[Callable[[Channel, dt.date], list[str]]] = []


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def project_link(project: Project) -> str:
    return f"[{project.name}]({absolute(reverse('projects:project_detail', args=[project.pk]))})"


def project_scope(channel: Channel, through: str = "") -> Q:
    """Which projects the channel may name: on Project, or on a model that reaches its
    project `through` a relation ("project__")."""
    if channel.team_id:
        return Q(**{f"{through}team_id": channel.team_id})
    return Q(**{f"{through}is_confidential": False})


def channel_projects(channel: Channel) -> QuerySet[Project]:
    return Project.objects.filter(project_scope(channel))


def reminder_scope(channel: Channel) -> Q:
    """The same rule, on Reminder rows (through their project)."""
    return project_scope(channel, "project__")


def channel_visits(channel: Channel) -> QuerySet[Visit]:
    visits = Visit.objects.all()
    return visits.filter(team_id=channel.team_id) if channel.team_id else visits
