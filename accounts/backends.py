"""Login lockout (django-axes): 5 failures per username, a higher limit per address.

Axes counts failures for every lockout parameter (username, then IP address) and
compares the largest count to one limit. The handler below scales the address's
count so that the address locks out at LOGIN_IP_FAILURE_LIMIT instead.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        per_username, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Scaled so that LOGIN_IP_FAILURE_LIMIT failures from an address count as
        # AXES_FAILURE_LIMIT (the one limit axes compares against).
        scaled_address = per_address * settings.AXES_FAILURE_LIMIT // max(1, settings.LOGIN_IP_FAILURE_LIMIT)
        return max(per_username, scaled_address)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, for logins that come with a request (every web login does).

    Calls without a request (Django's test client login, the shell) come from no
    address and cannot be counted; they skip the check instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
