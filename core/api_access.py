"""Object-level access for API writes: the view asks core.permissions before it reads
the request body, so a record the user may read but not change answers 403 whatever
was sent (and a hidden one 404, as the viewset's queryset never holds it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated


class MayChange(IsAuthenticated):
    """Unsafe methods on one record need the viewset's `may_change(user, obj, method)`."""

    message = _("You are not allowed to make this change.")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return view.may_change(request.user, obj, request.method)
