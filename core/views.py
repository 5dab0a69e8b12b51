from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from core.models import Heartbeat, User

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not answering"; the reason goes to the log
        logger.exception("health check: database does not answer")
        return False


def _broker_answers() -> bool:
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health check: broker does not answer")
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise (for load balancers)."""
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable", **checks}
    if checks["database"]:
        # Informational: a stale heartbeat means reminders are not running, but the
        # web app itself still serves, so it does not turn the answer into a 503.
        beat = Heartbeat.objects.filter(name="worker").values_list("seen_at", flat=True).first()
        body["worker_seen_seconds_ago"] = round((timezone.now() - beat).total_seconds()) if beat else None
    return JsonResponse(body, status=200 if ok else 503)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account too, so the choice follows
    the user to every browser they log in from."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


@login_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The floor of bench/run.py: a logged-in page that does nothing, through the same
    middleware as every page (only routed when BENCH_HEADERS is on)."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
