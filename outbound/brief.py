"""The morning brief (晨报): one message per channel and day, at the channel's time.

Sections: overdue projects by colour, planned milestones of the coming seven days,
yesterday's visits and stage changes, and whatever apps above add (BRIEF_SECTIONS,
e.g. open problems). Each line links back to its page. The key "brief:<date>" makes it
once a day, however often beat asks.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import AlertLevel
from outbound import platforms, services
from outbound.models import Channel, OutboundMessage
from outbound.selectors import (
    BRIEF_SECTIONS,
    LEVEL_MARK,
    absolute,
    channel_projects,
    channel_visits,
    project_link,
    project_scope,
)
from projects.models import PLANNED_STAGES, Stage, StageChange, not_reached, planned_field
from projects.reminders import REMINDED_STAGES, with_overdue_level

LISTED = 10  # rows named per section; the rest are counted


def _overdue(channel: Channel, today: dt.date) -> list[str]:
    projects = with_overdue_level(channel_projects(channel), today).filter(
        overdue_level__in=[AlertLevel.RED, AlertLevel.YELLOW, AlertLevel.BLUE]
    )
    counts = dict(
        projects.order_by().values_list("overdue_level").annotate(n=Count("pk")).values_list("overdue_level", "n")
    )
    if not counts:
        return [_("No project is overdue.")]
    lines = [
        "  ".join(
            f"{LEVEL_MARK[level]} {AlertLevel(level).label} {counts[level]}"
            for level in (AlertLevel.RED, AlertLevel.YELLOW, AlertLevel.BLUE)
            if counts.get(level)
        )
    ]
    named = projects.filter(overdue_level__in=[AlertLevel.RED, AlertLevel.YELLOW]).order_by("overdue_level", "name")
    lines += [f"- {LEVEL_MARK[project.overdue_level]} {project_link(project)}" for project in named[:LISTED]]
    return lines


def _due_this_week(channel: Channel, today: dt.date) -> list[str]:
    rows = []
    end = today + dt.timedelta(days=6)
    for stage in PLANNED_STAGES:
        field = planned_field(stage)
        projects = channel_projects(channel).filter(
            not_reached(stage), stage__in=REMINDED_STAGES, **{f"{field}__range": (today, end)}
        )
        rows += [(getattr(project, field), Stage(stage).label, project) for project in projects[:LISTED]]
    rows.sort(key=lambda row: (row[0], row[2].name))
    if not rows:
        return [_("No milestone is planned this week.")]
    return [f"- {day:%m-%d} {label}: {project_link(project)}" for day, label, project in rows[:LISTED]]


def _yesterday(channel: Channel, today: dt.date) -> list[str]:
    yesterday = today - dt.timedelta(days=1)
    visits = channel_visits(channel).filter(date=yesterday).select_related("organisation").order_by("pk")
    total = visits.count()
    lines = [_("Visits: %(n)s") % {"n": total}]
    for visit in visits[:LISTED]:
        url = absolute(reverse("crm:organisation_detail", args=[visit.organisation_id]))
        lines.append(f"- [{visit.organisation.name}]({url}) {visit.get_kind_display()}")
    changes = (
        StageChange.objects.filter(reached_on=yesterday, is_correction=False)
        .filter(project_scope(channel, "project__"))
        .filter(project__is_deleted=False)
        .select_related("project")
        .order_by("pk")
    )
    lines.append(_("Stage changes: %(n)s") % {"n": changes.count()})
    for change in changes[:LISTED]:
        lines.append(
            f"- {project_link(change.project)}: {Stage(change.from_stage).label} → {Stage(change.to_stage).label}"
        )
    return lines


def brief_texts(channel: Channel, today: dt.date) -> tuple[str, list[str]]:
    with translation.override(channel.language):
        title = _("Morning brief %(date)s") % {"date": today.isoformat()}
        lines = [f"### {title}", f"**{_('Overdue')}**", *_overdue(channel, today)]
        lines += [f"**{_('Due this week')}**", *_due_this_week(channel, today)]
        lines += [f"**{_('Yesterday')}**", *_yesterday(channel, today)]
        for section in BRIEF_SECTIONS:
            lines += section(channel, today)
        texts = platforms.split_text(lines, max_bytes=platforms.LIMITS[channel.platform].max_bytes)
    return title, texts


def briefs_queue(*, now: dt.datetime | None = None) -> int:
    """Queue today's brief of every channel whose time has come and has none yet."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    queued = 0
    channels = Channel.objects.filter(is_active=True, brief_at__isnull=False, brief_at__lte=local.time())
    key = f"brief:{today.isoformat()}"
    for channel in channels.exclude(messages__key__startswith=key).order_by("pk"):
        title, texts = brief_texts(channel, today)
        queued += bool(
            services.messages_queue(channel=channel, key=key, kind=OutboundMessage.Kind.BRIEF, title=title, texts=texts)
        )
    return queued
