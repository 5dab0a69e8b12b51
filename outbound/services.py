"""Writes of the outbound app: channels' credentials, queueing and delivering messages.

Delivery is at least once per claim and exactly once in the record: a sender claims a
message (pending -> sending, with its token) by a conditional update, posts it, and
records the answer only under its own claim. A sender that dies mid-post leaves the
row "sending"; after CLAIM_TIMEOUT it is pending again and goes out with the same key
(the JSON webhook's X-Message-Key lets a receiver drop the second copy; the group
robots have no such key, so a post cut off after the platform took it may show twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from outbound import platforms
from outbound.models import Channel, OutboundMessage, Platform

logger = logging.getLogger(__name__)

Status = OutboundMessage.Status

# Failures in a row after which a channel shows as failing to admins.
FAILING_AFTER = 3
# A message not delivered within this long is recorded as dropped.
KEEP_FOR = dt.timedelta(hours=24)


def claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOUND_CLAIM_TIMEOUT)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1, 2, 4 ... minutes, at most 30 minutes between tries."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


# --- Channels ------------------------------------------------------------------------------


def channel_check(*, platform: str, url: str, secret: str) -> None:
    """Refuse an address or a missing secret that cannot work, with a message to act on."""
    if not url:
        raise DomainError(_("Paste the robot's address."), field="url")
    if not url.startswith(("https://", "http://")):
        raise DomainError(_("The robot address must start with https://."), field="url")
    if platform == Platform.WECOM and "key=" not in url:
        raise DomainError(_("A WeCom robot address has key=... in it: paste the whole webhook address."), field="url")
    if platform == Platform.DINGTALK and "access_token=" not in url:
        raise DomainError(
            _("A DingTalk robot address has access_token=... in it: paste the whole webhook address."), field="url"
        )
    if platform == Platform.DINGTALK and not secret:
        raise DomainError(
            _("DingTalk robots here are signed: paste the secret (SEC...) from the robot's security settings."),
            field="secret",
        )


@transaction.atomic
def channel_save(*, channel: Channel, url: str = "", secret: str = "", clear_secret: bool = False) -> Channel:
    """Save a channel; a blank url or secret keeps the stored one (they are never shown)."""
    if url:
        channel.url = url.strip()
    if secret:
        channel.secret = secret.strip()
    elif clear_secret:
        channel.secret = ""
    channel_check(platform=channel.platform, url=channel.url, secret=channel.secret)
    channel.save()
    return channel


def _succeeded(channel_id: int, now: dt.datetime) -> None:
    Channel.objects.filter(pk=channel_id).update(
        failures=0, health=Channel.Health.OK, failing_since=None, last_error="", last_success_at=now
    )


def _failed(channel_id: int, detail: str, now: dt.datetime) -> None:
    Channel.objects.filter(pk=channel_id).update(failures=F("failures") + 1, last_error=detail[:300])
    Channel.objects.filter(pk=channel_id, failures__gte=FAILING_AFTER).update(
        health=Channel.Health.FAILING, failing_since=Coalesce(F("failing_since"), now)
    )


def channel_test(*, channel: Channel) -> platforms.Answer:
    """Post one test message to a stored channel now (not queued); its answer counts for
    the channel's health, so a fixed robot shows as working again."""
    answer = post_test(platform=channel.platform, url=channel.url, secret=channel.secret, language=channel.language)
    now = timezone.now()
    (_succeeded(channel.pk, now) if answer.ok else _failed(channel.pk, answer.detail, now))
    return answer


def post_test(*, platform: str, url: str, secret: str = "", language: str | None = None) -> platforms.Answer:
    from django.utils import translation

    with translation.override(language or settings.LANGUAGE_CODE):
        title = _("Test message from the investment promotion CRM")
        text = f"**{title}**\n\n" + _("If you can read this in the group, the robot is set up.")
    request = platforms.build_request(
        platform=platform, url=url, secret=secret, title=title, text=text, kind="test", key=f"test:{uuid.uuid4()}"
    )
    return platforms.post(request, platform=platform)


# --- Queueing ------------------------------------------------------------------------------


def messages_queue(*, channel: Channel, key: str, kind: str, title: str, texts: list[str]) -> int:
    """Queue a message (split in parts) under its key; a key already queued adds nothing.
    Returns the number of rows inserted."""
    now = timezone.now()
    rows = [
        OutboundMessage(
            channel=channel,
            key=f"{key}:{index}" if len(texts) > 1 else key,
            kind=kind,
            title=title[:200],
            text=text,
            created_at=now,
            next_attempt_at=now,
        )
        for index, text in enumerate(texts, start=1)
    ]
    before = OutboundMessage.objects.filter(channel=channel, key__in=[row.key for row in rows]).count()
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before


# --- Delivering ----------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    dropped: int = 0


def release_stale_claims(now: dt.datetime) -> int:
    """Messages left "sending" by a sender that died go back to the queue."""
    return OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - claim_timeout()).update(
        status=Status.PENDING, claim=None, claimed_at=None
    )


def drop_expired(now: dt.datetime) -> int:
    return OutboundMessage.objects.filter(status=Status.PENDING, created_at__lt=now - KEEP_FOR).update(
        status=Status.DROPPED, last_error=_("Not delivered within 24 hours.")
    )


def _send_one(message: OutboundMessage, channel: Channel, result: Delivery) -> bool:
    """Claim, post and record one message; False when the channel should wait."""
    token = uuid.uuid4()
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
        status=Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return True  # another sender has it
    request = platforms.build_request(
        platform=channel.platform,
        url=channel.url,
        secret=channel.secret,
        title=message.title,
        text=message.text,
        kind=message.kind,
        key=f"{channel.pk}:{message.key}",
    )
    answer = platforms.post(request, platform=channel.platform)
    now = timezone.now()
    mine = OutboundMessage.objects.filter(pk=message.pk, claim=token)
    if answer.ok:
        mine.update(status=Status.SENT, sent_at=now, claim=None, last_error="")
        _succeeded(channel.pk, now)
        result.sent += 1
        return True
    attempts = message.attempts + 1
    retry_at = now + backoff(attempts)
    mine.update(status=Status.PENDING, claim=None, claimed_at=None, next_attempt_at=retry_at, last_error=answer.detail)
    # The channel's later messages wait too, so they keep their order.
    OutboundMessage.objects.filter(channel=channel, status=Status.PENDING, next_attempt_at__lt=retry_at).update(
        next_attempt_at=retry_at
    )
    _failed(channel.pk, answer.detail, now)
    logger.warning("robot channel %s (%s): %s", channel.pk, channel.platform, answer.detail[:120])
    result.failed += 1
    return False


def _room(channel: Channel, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many more messages the channel may take this minute, and when it may take more."""
    limit = platforms.LIMITS[channel.platform].per_minute
    recent = OutboundMessage.objects.filter(
        channel=channel, status=Status.SENT, sent_at__gt=now - dt.timedelta(minutes=1)
    )
    count = recent.count()
    if count < limit:
        return limit - count, None
    oldest = recent.aggregate(first=Min("sent_at"))["first"]
    return 0, oldest + dt.timedelta(minutes=1, seconds=1)


def channel_deliver(*, channel: Channel, result: Delivery | None = None) -> Delivery:
    """Send the channel's due messages in order, within its rate limit."""
    result = result or Delivery()
    now = timezone.now()
    due = list(
        OutboundMessage.objects.filter(channel=channel, status=Status.PENDING, next_attempt_at__lte=now).order_by(
            "created_at", "pk"
        )
    )
    room, free_at = _room(channel, now)
    for index, message in enumerate(due):
        if room <= 0:
            waiting = [row.pk for row in due[index:]]
            OutboundMessage.objects.filter(pk__in=waiting, status=Status.PENDING).update(next_attempt_at=free_at)
            result.deferred += len(waiting)
            break
        if not _send_one(message, channel, result):
            break
        room -= 1
        if room <= 0:
            room, free_at = _room(channel, timezone.now())
    return result


def deliver_due(*, channel_ids: list[int] | None = None) -> Delivery:
    """One delivery round over every active channel with something due."""
    now = timezone.now()
    release_stale_claims(now)
    result = Delivery(dropped=drop_expired(now))
    channels = Channel.objects.filter(
        is_active=True, messages__status=Status.PENDING, messages__next_attempt_at__lte=now
    ).distinct()
    if channel_ids is not None:
        channels = channels.filter(pk__in=channel_ids)
    for channel in channels.order_by("pk"):
        channel_deliver(channel=channel, result=result)
    return result
