"""Object-level access for API writes: the view asks core.permissions before it reads
the request body, so a record the user may read but not change answers 403 whatever
was sent (and a hidden one 404, as the viewset's queryset never holds it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

# The services' own refusals, so the answer reads the same whichever check spoke first.
CHANGE_REFUSAL = _("You are not allowed to change this record: it belongs to another officer or team.")
DELETE_REFUSAL = _("You are not allowed to delete this record: it belongs to another officer or team.")


class MayChange(IsAuthenticated):
    """Unsafe methods on one record: the viewset's `change_refusal(user, obj, method)`
    names why the user may not (None when they may)."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        refusal = view.change_refusal(request.user, obj, request.method)
        if refusal is not None:
            self.message = refusal
            return False
        return True
