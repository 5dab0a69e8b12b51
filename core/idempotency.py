"""Idempotent creates: a retried POST returns the first answer instead of a second record.

A connection cut after the server saved a record but before the client read the answer
leaves the client unable to tell "saved" from "never arrived"; it retries. With a key
the retry is recognised:

- API: a POST with an `Idempotency-Key: <key>` header. The first answer that succeeds
  (2xx) is kept with the key; a retry by the same user with the same key and the same
  request (method, path, body) gets that answer back (status, body, Location, ETag) and
  changes nothing. The same key with another request answers 422
  {"code": "idempotency_key_reused", ...}. Failed answers are not kept: the client
  corrects the request and sends it again with the same key.
- Web forms: each create form carries a hidden token made when the form is rendered
  (`{% idempotency_field %}`); a second POST of the same form redirects to the record
  the first one made.

Race-safe: the key row is inserted in the same transaction as the record, under a
unique (user, key) constraint, so of two concurrent requests with one key the second
waits for the first to commit, then finds the key and replays its answer. Keys are
forgotten after KEEP_HOURS (deleted on the next keyed write).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.models import IdempotencyKey

KEEP_HOURS = 24
HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_token"
# Printable ASCII without spaces; long enough for a UUID with a prefix.
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class KeyReused(Exception):
    """The key was used before for a different request."""

    def __init__(self, earlier: IdempotencyKey) -> None:
        super().__init__(earlier.key)
        self.earlier = earlier


@dataclass
class Outcome:
    response: Any = None  # the fresh answer, or None when replaying
    earlier: IdempotencyKey | None = None  # the kept answer being replayed


def fingerprint(method: str, path: str, payload: Any) -> str:
    text = json.dumps([method.upper(), path, payload], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(
    *,
    user,
    key: str,
    fingerprint: str,
    produce: Callable[[], Any],
    keep: Callable[[Any], dict | None],
) -> Outcome:
    """Run `produce` once per (user, key); `keep(answer)` says what of a successful answer
    to store (None: it failed, forget the key). Raises KeyReused for a different request."""
    IdempotencyKey.objects.filter(created_at__lt=timezone.now() - dt.timedelta(hours=KEEP_HOURS)).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            # Another request holds or held the key; the insert waited for it to commit.
            earlier = IdempotencyKey.objects.get(user=user, key=key)
            if earlier.fingerprint != fingerprint or earlier.status_code is None:
                raise KeyReused(earlier) from None
            return Outcome(earlier=earlier)
        response = produce()
        kept = keep(response)
        if kept is None:
            row.delete()
        else:
            for name, value in kept.items():
                setattr(row, name, value)
            row.save(update_fields=list(kept))
        return Outcome(response=response)


# --- API -------------------------------------------------------------------------------


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = gettext_lazy(
        "This Idempotency-Key was used for a different request. Send a new key for a new request."
    )
    default_code = "idempotency_key_reused"


def _api_payload(request) -> Any:
    data = request.data
    if hasattr(data, "getlist"):
        return {name: data.getlist(name) for name in data}
    return data


def _keep_api_answer(response) -> dict | None:
    if not 200 <= response.status_code < 300:
        return None
    body = None if response.data is None else json.loads(JSONRenderer().render(response.data))
    return {
        "status_code": response.status_code,
        "body": body,
        "location": response.get("Location", ""),
        "etag": response.get("ETag", ""),
    }


def api_post(handler: Callable, request, *args, **kwargs):
    """Run a DRF POST handler once per Idempotency-Key (see the module's docstring)."""
    key = request.headers.get(HEADER)
    if key is None or not request.user.is_authenticated:
        return handler(request, *args, **kwargs)
    if not _KEY.match(key):
        raise exceptions.ValidationError({HEADER: [_("Send at most 200 printable characters without spaces.")]})
    try:
        outcome = run_once(
            user=request.user,
            key=f"api:{key}",
            fingerprint=fingerprint("POST", request.path, _api_payload(request)),
            produce=lambda: handler(request, *args, **kwargs),
            keep=_keep_api_answer,
        )
    except KeyReused:
        raise IdempotencyKeyReused() from None
    if outcome.earlier is None:
        return outcome.response
    earlier = outcome.earlier
    headers = {"Idempotent-Replayed": "true"}
    if earlier.location:
        headers["Location"] = earlier.location
    if earlier.etag:
        headers["ETag"] = earlier.etag
    return Response(earlier.body, status=earlier.status_code, headers=headers)


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
    OpenApiParameter.HEADER,
    description=(
        "Makes a POST safe to retry: send a new random key (a UUID) with each new request, and the same key "
        "when retrying it. A retry within 24 hours gets the first successful answer back (the header "
        "Idempotent-Replayed: true marks it) and creates nothing; the same key with a different request "
        "answers 422 with code idempotency_key_reused."
    ),
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the Idempotency-Key header on every POST, its 422 (a
    key sent again with another request) and its 400 (a malformed key)."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method == "POST" and direction == "response" and "422" not in bodies:
            from core.api import ErrorSerializer

            reused = OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used for another request.")
            bodies["422"] = self._get_response_for_code(reused, "422", direction=direction)
        if self.method == "POST" and direction == "response" and "400" not in bodies:
            from core.api import ErrorSerializer

            malformed = OpenApiResponse(ErrorSerializer, description="The request or its Idempotency-Key is malformed.")
            bodies["400"] = self._get_response_for_code(malformed, "400", direction=direction)
        return bodies


# --- Web forms -----------------------------------------------------------------------------


def new_token() -> str:
    return uuid.uuid4().hex


def form_token(request: HttpRequest) -> str:
    """The token of the form being rendered: the posted one when a form comes back with
    errors (nothing was kept for it), else a new one."""
    posted = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
    return posted if _TOKEN.match(posted) else new_token()


def _keep_redirect(response: HttpResponse) -> dict | None:
    if response.status_code not in (301, 302, 303):
        return None
    return {"status_code": response.status_code, "location": response["Location"]}


def form_post(request: HttpRequest, handler: Callable[[], HttpResponse]) -> HttpResponse:
    """Run a create form's POST once per form token: a repeat redirects where the first
    POST did (the record it made) and saves nothing."""
    token = request.POST.get(FORM_FIELD, "")
    if not _TOKEN.match(token) or not request.user.is_authenticated:
        return handler()
    payload = {name: request.POST.getlist(name) for name in request.POST if name not in ("csrfmiddlewaretoken",)}
    try:
        outcome = run_once(
            user=request.user,
            key=f"form:{token}",
            fingerprint=fingerprint("POST", request.path, payload),
            produce=handler,
            keep=_keep_redirect,
        )
    except KeyReused as reused:
        if not reused.earlier.location:
            return handler()  # not expected: a form key's answer is always kept with it
        messages.warning(
            request,
            _(
                "This form was saved already; what was changed in it afterwards was not saved. "
                "Open the record to change it, or open a new form to add another."
            ),
        )
        return HttpResponseRedirect(reused.earlier.location)
    if outcome.earlier is not None:
        messages.info(request, _("This form was saved already; it was not saved a second time."))
        return HttpResponseRedirect(outcome.earlier.location)
    return outcome.response
