"""Yellow and red escalations, passed on to the group robots after each reminder sweep.

Exactly once per (channel, reminder): the reminders a channel has not had yet are
inserted into EscalationPost with a claim token (conflicts on the unique key ignored)
and only the rows carrying the token go into this call's message, in the same
transaction as the message. The sweep's result only says that a sweep ran: the query
finds for itself everything escalated in the last 24 hours and not yet posted, so a
listener that missed a sweep (a worker killed in between) catches up on the next one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import AlertLevel
from outbound import platforms, services
from outbound.models import Channel, EscalationPost, OutboundMessage
from outbound.selectors import LEVEL_MARK, project_link, reminder_scope
from projects.models import Reminder, Stage

ESCALATED = (AlertLevel.YELLOW, AlertLevel.RED)


def _line(reminder: Reminder, today: dt.date) -> str:
    project = reminder.project
    late = (today - reminder.due_on).days
    return _("%(mark)s **%(level)s** %(project)s: %(stage)s, planned %(date)s, %(days)s late; owner %(owner)s") % {
        "mark": LEVEL_MARK.get(reminder.level, ""),
        "level": AlertLevel(reminder.level).label,
        "project": project_link(project),
        "stage": Stage(reminder.stage).label if reminder.stage else "-",
        "date": reminder.due_on.isoformat(),
        "days": ngettext("%(n)s day", "%(n)s days", late) % {"n": late},
        "owner": project.owner,
    }


def channel_escalations_queue(*, channel: Channel, now: dt.datetime | None = None) -> int:
    """Claim the channel's new escalations and queue them as one message (in parts when
    over the platform's size limit). Returns the number of reminders taken."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    token = uuid.uuid4()
    fresh = (
        Reminder.objects.filter(
            reminder_scope(channel),
            level__in=ESCALATED,
            project__isnull=False,
            project__is_deleted=False,
            created_at__gte=now - services.KEEP_FOR,
        )
        .exclude(Exists(EscalationPost.objects.filter(channel=channel, reminder=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        ids = list(fresh[:500])
        if not ids:
            return 0
        EscalationPost.objects.bulk_create(
            [EscalationPost(channel=channel, reminder_id=pk, claim=token) for pk in ids], ignore_conflicts=True
        )
        won = list(
            Reminder.objects.filter(
                pk__in=EscalationPost.objects.filter(channel=channel, claim=token).values("reminder")
            )
            .select_related("project__owner")
            .order_by("level", "due_on", "pk")  # "red" sorts before "yellow"
        )
        if not won:
            return 0
        with translation.override(channel.language):
            title = ngettext("%(n)s escalation", "%(n)s escalations", len(won)) % {"n": len(won)}
            header = f"### {title}"
            lines = [_line(reminder, today) for reminder in won]
            texts = platforms.split_text(lines, max_bytes=platforms.LIMITS[channel.platform].max_bytes, header=header)
        services.messages_queue(
            channel=channel, key=f"escalations:{token}", kind=OutboundMessage.Kind.ESCALATION, title=title, texts=texts
        )
    return len(won)


def escalations_queue(*, now: dt.datetime | None = None) -> int:
    taken = 0
    for channel in Channel.objects.filter(is_active=True, escalations=True).order_by("pk"):
        taken += channel_escalations_queue(channel=channel, now=now)
    return taken


def after_sweep(result) -> None:
    """Listener of projects.reminders' sweep (registered in OutboundConfig.ready)."""
    if escalations_queue():
        from outbound import tasks

        tasks.deliver_pending.delay()
