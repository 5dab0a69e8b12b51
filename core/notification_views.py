"""The notification pages: the list, opening one (marks it read), marking read, the
bell's unread count, and the e-mail switch, in the app's own layout (base.html);
core/notification_urls.py names them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import notifications
from core.errors import NotFound

PAGE_SIZE = 50


def bell(request: HttpRequest) -> dict:
    """Context processor: `unread_notifications`, the bell's figure ("", "7" or "99+"),
    counted (up to 100 rows) only if a template uses it."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: notifications.unread_label(notifications.unread_count(user)))
    }


class Page:
    """One page of a list, without counting the list: PAGE_SIZE + 1 rows are read to
    know whether an older page exists. A page number past the end shows an empty page."""

    def __init__(self, rows, number: str | None, size: int = PAGE_SIZE):
        try:
            self.number = max(int(number or 1), 1)
        except ValueError:
            self.number = 1
        start = (self.number - 1) * size
        found = list(rows[start : start + size + 1])
        self.object_list = found[:size]
        self.has_next = len(found) > size
        self.has_previous = self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _back(request: HttpRequest, default: str = "notifications:list") -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@never_cache
@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = notifications.inbox(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at=None)
    unread = notifications.unread_count(request.user)
    context = {
        "page": Page(rows, request.GET.get("page")),
        "unread_only": unread_only,
        "unread_count": unread,
        "unread_more": unread >= notifications.UNREAD_AT_MOST,
    }
    return render(request, "core/notification_list.html", context)


@never_cache
@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link; opening it marks it read."""
    try:
        notification = notifications.notification_open(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    url = notification.url
    if not (url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())):
        return redirect("notifications:list")
    return redirect(url)


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """POST `id` (repeatable) to mark those read, or nothing to mark all read."""
    try:
        ids = [int(value) for value in request.POST.getlist("id")] or None
    except ValueError:
        ids = []
    marked = notifications.notifications_mark_read(user=request.user, ids=ids)
    if request.accepts("application/json") and not request.accepts("text/html"):
        unread = notifications.unread_count(request.user)
        return JsonResponse({"marked": marked, "unread": unread, "label": notifications.unread_label(unread)})
    return _back(request)


@never_cache
@require_GET
def notification_count(request: HttpRequest) -> JsonResponse:
    """The bell: {"unread": n, "label": "n"}; n counts up to 100, the label says "99+" above 99."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in first.")}, status=401)
    unread = notifications.unread_count(request.user)
    return JsonResponse({"unread": unread, "label": notifications.unread_label(unread)})


@login_required
@require_POST
def notification_email_setting(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("email_reminders") in {"on", "1", "true"}
    notifications.user_set_email_reminders(user=request.user, enabled=enabled)
    if enabled:
        if request.user.email:
            messages.success(request, _("Reminders will also come by e-mail."))
        else:
            messages.warning(request, _("Reminders by e-mail are on, but your account has no e-mail address."))
    else:
        messages.success(request, _("Reminders will no longer come by e-mail."))
    return _back(request)
