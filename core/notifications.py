"""Notifications: in the app (the bell) and by e-mail (a morning digest; red at once).

This module sits below crm and projects: anything may notify anyone about any object
(a link and a generic relation). What to say, and to whom, is the caller's business.

In the app: notify() creates one row per (recipient, key) and ignores rows that exist,
so a caller may repeat itself without telling anyone twice.

By e-mail: each user chooses (User.email_reminders); people without an address get
none. A notification waits for the morning digest (Notification.Mail.DIGEST: one mail
per person per day, from REMINDER_DIGEST_TIME in the zone's time) or goes at once
(IMMEDIATE: red alerts; one mail per person listing what is waiting, so a catch-up
after an outage does not flood anyone). A sender claims rows first, by a conditional update that sets
`mail_token` where it was empty, and a digest also claims its (person, day) key, so
two tasks never mail the same row. A failed send releases its claim and the task
retries. A claim left by a worker killed in the middle of sending is released after
REMINDER_MAIL_CLAIM_TIMEOUT seconds and mailed again: across such a crash e-mail is
at least once (a rare second copy carries the same Message-ID), while the in-app
notification stays exactly once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import NotFound
from core.models import AlertLevel, EmailDigest, Notification, User

Mail = Notification.Mail


@dataclass
class Message:
    """What to tell one person; `key` makes it once per person (e.g. "reminder:42")."""

    recipient: User
    key: str
    title: str
    body: str = ""
    url: str = ""
    level: str = AlertLevel.NOTICE
    target: models.Model | None = None
    mail_now: bool = False


def wants_mail(user: User) -> bool:
    return bool(user.is_active and user.email_reminders and user.email)


# --- Creating -----------------------------------------------------------------------------


def notify(messages: Iterable[Message]) -> list[int]:
    """Create the in-app notifications; return the ids of the people to e-mail at once.

    Call it inside the transaction that decides to notify, so both commit together.
    """
    messages = list(messages)
    if not messages:
        return []
    now = timezone.now()
    rows = []
    for message in messages:
        mail = Mail.NONE
        if wants_mail(message.recipient):
            mail = Mail.IMMEDIATE if message.mail_now else Mail.DIGEST
        target = message.target
        rows.append(
            Notification(
                recipient=message.recipient,
                key=message.key,
                level=message.level,
                title=message.title[:300],
                body=message.body,
                url=message.url[:500],
                content_type=ContentType.objects.get_for_model(target) if target is not None else None,
                object_id=target.pk if target is not None else None,
                created_at=now,
                mail=mail,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    # Whoever has something to be mailed at once (new or left from before).
    return sorted({row.recipient_id for row in rows if row.mail == Mail.IMMEDIATE})


# --- Reading and marking read ------------------------------------------------------------


def inbox(user: User) -> QuerySet[Notification]:
    """A user's notifications, newest first; nobody sees another's."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


# The bell counts at most this many unread rows and shows more than 99 as "99+": a
# count over all of someone's hundred thousand unread notifications is seconds of work
# for a number nobody reads.
UNREAD_AT_MOST = 100


def unread_count(user: User, at_most: int = UNREAD_AT_MOST) -> int:
    """The user's unread notifications, counted up to `at_most` (reads at most that
    many index entries of notification_unread_inbox)."""
    return inbox(user).filter(read_at=None).order_by()[:at_most].count()


def unread_label(count: int) -> str:
    """The bell's figure: "" for none, the number up to 99, "99+" above."""
    if count <= 0:
        return ""
    return "99+" if count >= UNREAD_AT_MOST else str(count)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with ids=None, all) of the user's notifications read; returns how many."""
    unread = inbox(user).filter(read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_open(*, user: User, pk: int) -> Notification:
    """The user's notification `pk`, marked read (NotFound when it is someone else's)."""
    notification = inbox(user).filter(pk=pk).first()
    if notification is None:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=pk, read_at=None).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def user_set_email_reminders(*, user: User, enabled: bool) -> User:
    """Turn reminder e-mail on or off; mail already waiting follows the new choice."""
    User.objects.filter(pk=user.pk).update(email_reminders=enabled)
    user.email_reminders = enabled
    if not enabled:
        Notification.objects.filter(recipient=user, emailed_at=None, mail_token=None).exclude(mail=Mail.NONE).update(
            mail=Mail.NONE
        )
    return user


# --- E-mail -------------------------------------------------------------------------------


def digest_time() -> dt.time:
    hours, minutes = settings.REMINDER_DIGEST_TIME.split(":")
    return dt.time(int(hours), int(minutes))


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _message_id(name: str) -> str:
    return f"<{name}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def _footer() -> str:
    return _("You get this e-mail because reminders by e-mail are on. Turn them off at %(url)s") % {
        "url": _absolute("/notifications/")
    }


# A mail lists this many notifications at most; the rest are on the notification page.
MAIL_LISTS_AT_MOST = 100


def _listing(rows: list[Notification]) -> list[str]:
    lines = []
    for row in rows[:MAIL_LISTS_AT_MOST]:
        lines.append(f"[{AlertLevel(row.level).label}] {row.title}")
        if row.url:
            lines.append(f"    {_absolute(row.url)}")
    if len(rows) > MAIL_LISTS_AT_MOST:
        lines.append(_("... and %(n)s more.") % {"n": len(rows) - MAIL_LISTS_AT_MOST})
    return lines


def _immediate_email(user: User, rows: list[Notification]) -> EmailMessage:
    if len(rows) == 1:
        row = rows[0]
        subject = f"[{AlertLevel(row.level).label}] {row.title}"
        lines = [row.title, ""]
        if row.body:
            lines += [row.body, ""]
        if row.url:
            lines += [_absolute(row.url), ""]
        message_id = f"notification-{row.pk}"
    else:
        subject = ngettext("%(n)s alert", "%(n)s alerts", len(rows)) % {"n": len(rows)}
        subject = f"[{AlertLevel(rows[0].level).label}] {subject}"
        lines = [*_listing(rows), ""]
        message_id = f"alerts-{user.pk}-{rows[0].pk}-{len(rows)}"
    lines += [_("All notifications: %(url)s") % {"url": _absolute("/notifications/")}, "", "--", _footer()]
    return EmailMessage(
        subject=subject, body="\n".join(lines), to=[user.email], headers={"Message-ID": _message_id(message_id)}
    )


def _digest_email(user: User, day: dt.date, rows: list[Notification]) -> EmailMessage:
    lines = [
        ngettext("%(n)s reminder for %(day)s:", "%(n)s reminders for %(day)s:", len(rows))
        % {"n": len(rows), "day": day},
        "",
    ]
    lines += _listing(rows)
    lines += ["", _("All notifications: %(url)s") % {"url": _absolute("/notifications/")}, "", "--", _footer()]
    return EmailMessage(
        subject=_("Reminders for %(day)s (%(n)s)") % {"day": day, "n": len(rows)},
        body="\n".join(lines),
        to=[user.email],
        headers={"Message-ID": _message_id(f"digest-{user.pk}-{day:%Y%m%d}")},
    )


def _release(token: uuid.UUID) -> int:
    """Give back what a sender claimed and did not send."""
    return Notification.objects.filter(mail_token=token, emailed_at=None).update(mail_token=None, mail_claimed_at=None)


def send_immediate(user_id: int) -> int:
    """E-mail a person's alerts that go at once (red) now: one mail, each alert once.

    Returns how many alerts it held. After a long outage a manager gets one mail
    listing every red alert, not one mail for each.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    pending = Notification.objects.filter(recipient_id=user_id, mail=Mail.IMMEDIATE, emailed_at=None, mail_token=None)
    if not wants_mail(user):
        pending.update(mail=Mail.NONE)
        return 0
    token = uuid.uuid4()
    if not pending.update(mail_token=token, mail_claimed_at=timezone.now()):
        return 0  # nothing waiting, or another task claimed it first
    rows = list(Notification.objects.filter(mail_token=token).order_by("created_at", "pk"))
    rows.sort(key=lambda row: -list(AlertLevel.values).index(row.level))
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _immediate_email(user, rows).send()
    except Exception:
        _release(token)  # for the retry
        raise
    Notification.objects.filter(mail_token=token).update(emailed_at=timezone.now())
    return len(rows)


def send_digest(user_id: int, day: dt.date) -> int:
    """Send `day`'s digest of a user (once a day); returns how many notifications it held."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    pending = Notification.objects.filter(recipient_id=user_id, mail=Mail.DIGEST, emailed_at=None, mail_token=None)
    if not wants_mail(user):
        pending.update(mail=Mail.NONE)
        return 0
    token, now = uuid.uuid4(), timezone.now()
    try:
        with transaction.atomic():
            if EmailDigest.objects.filter(recipient_id=user_id, day=day).exists():
                return 0
            claimed = pending.update(mail_token=token, mail_claimed_at=now)
            if not claimed:
                return 0
            EmailDigest.objects.create(recipient_id=user_id, day=day, token=token, size=claimed, created_at=now)
    except IntegrityError:
        return 0  # another task took this day's digest meanwhile; its transaction won
    rows = list(Notification.objects.filter(mail_token=token).order_by("created_at", "pk"))
    rows.sort(key=lambda row: -list(AlertLevel.values).index(row.level))
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _digest_email(user, day, rows).send()
    except Exception:
        with transaction.atomic():
            _release(token)
            EmailDigest.objects.filter(token=token, sent_at=None).delete()
        raise
    with transaction.atomic():
        sent_at = timezone.now()
        Notification.objects.filter(mail_token=token).update(emailed_at=sent_at)
        EmailDigest.objects.filter(token=token).update(sent_at=sent_at)
    return len(rows)


def release_stale_claims(now: dt.datetime | None = None) -> int:
    """Give back claims of senders that died mid-send (older than the claim timeout)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.REMINDER_MAIL_CLAIM_TIMEOUT)
    stale = Notification.objects.filter(mail_token__isnull=False, emailed_at=None, mail_claimed_at__lt=cutoff)
    tokens = set(stale.order_by().values_list("mail_token", flat=True).distinct())
    if not tokens:
        return 0
    with transaction.atomic():
        EmailDigest.objects.filter(token__in=tokens, sent_at=None).delete()
        return Notification.objects.filter(mail_token__in=tokens, emailed_at=None).update(
            mail_token=None, mail_claimed_at=None
        )


@dataclass
class MailDue:
    day: dt.date
    immediate: list[int] = field(default_factory=list)  # people with alerts to mail at once
    digest_users: list[int] = field(default_factory=list)


# Alerts to mail at once are sent by the task their creator enqueued; only alerts older
# than this are picked up again (the enqueued message was lost).
IMMEDIATE_GRACE = dt.timedelta(seconds=30)


def mail_due(now: dt.datetime | None = None) -> MailDue:
    """What e-mail should go now: red alerts whose task was lost, and today's digests
    of people who have some waiting and got none today (from the digest time on)."""
    now = now or timezone.now()
    release_stale_claims(now)
    day = timezone.localdate(now)
    due = MailDue(day=day)
    waiting = Notification.objects.filter(emailed_at=None, mail_token=None).order_by()
    due.immediate = sorted(
        set(
            waiting.filter(mail=Mail.IMMEDIATE, created_at__lt=now - IMMEDIATE_GRACE).values_list(
                "recipient_id", flat=True
            )
        )
    )
    if timezone.localtime(now).time() >= digest_time():
        got_one = EmailDigest.objects.filter(recipient_id=OuterRef("recipient_id"), day=day)
        due.digest_users = sorted(
            set(waiting.filter(mail=Mail.DIGEST).exclude(Exists(got_one)).values_list("recipient_id", flat=True))
        )
    return due
