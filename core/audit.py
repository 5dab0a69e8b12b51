"""The audit log of security events: `record()` is the one way in.

Callers name the event (AuditEvent.Kind values, e.g. "login", "export") and pass the
request when there is one; the user, address and path are taken from it. `detail` is
a small JSON object saying what the event concerned (for an export: which list and
which filters).
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.models import AuditEvent

logger = logging.getLogger("audit")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: behind PROXY_COUNT proxies, the entry the nearest one wrote
    into X-Forwarded-For (earlier entries are the client's own claims); else REMOTE_ADDR."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    if settings.PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.PROXY_COUNT:
            address = hops[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record(
    event: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Add one event to the audit log (and to the "audit" logger) and return it."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not getattr(user, "pk", None):
        user = None
    if not username and user is not None:
        username = user.get_username()
    entry = AuditEvent.objects.create(
        event=event,
        user=user,
        # NUL cannot be stored in PostgreSQL text; whatever a client typed is kept otherwise.
        username=(username or "").replace("\x00", "")[:150],
        ip_address=client_ip(request),
        path=(request.get_full_path().replace("\x00", "")[:500] if request is not None else ""),
        detail=detail or {},
    )
    logger.info("audit %s user=%s ip=%s %s", event, entry.username, entry.ip_address, entry.detail)
    return entry
