"""Session limits: 30 minutes idle, 12 hours in all (settings SESSION_*_SECONDS).

The idle limit is also the session's expiry (SESSION_COOKIE_AGE), which the session
store enforces; the session is saved again at most once a minute to push it on, so a
busy page does not write on every request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

from accounts.signals import AUTH_AT, SEEN_AT


class SessionLimitsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        session = request.session
        now = timezone.now().timestamp()
        auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
        if auth_at is None or seen_at is None:
            # A session from before these limits: its clock starts now.
            session[AUTH_AT] = auth_at or now
            session[SEEN_AT] = now
        elif now - auth_at > settings.SESSION_ABSOLUTE_SECONDS or now - seen_at > settings.SESSION_IDLE_SECONDS:
            # The request goes on as an anonymous one: pages send it to the login.
            logout(request)
        elif now - seen_at >= settings.SESSION_TOUCH_SECONDS:
            session[SEEN_AT] = now
