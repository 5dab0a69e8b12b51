"""Pages of first-contact registration: register from an organisation's page; the
list of registrations, with the collisions a manager of both teams (or an admin)
decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from claims import selectors, services
from claims.forms import ClaimForm, DecisionForm
from claims.models import Collision
from core import permissions
from core.errors import DomainError, NotPermitted
from core.pagination import BoundedPaginator, requested_page
from crm import groups
from crm.models import Organisation

PAGE_SIZE = 25
STATUSES = ("open", "ended", "all")


class ClaimRegisterView(LoginRequiredMixin, View):
    template_name = "claims/claim_form.html"

    def _render(self, request: HttpRequest, organisation: Organisation, form: ClaimForm) -> HttpResponse:
        context = {
            "organisation": organisation,
            "form": form,
            "group": groups.group_members(organisation),
            "holder": services.holder(organisation.pk),
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest, organisation_pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=organisation_pk)
        return self._render(request, organisation, ClaimForm(user=request.user))

    def post(self, request: HttpRequest, organisation_pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=organisation_pk)
        form = ClaimForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = services.claim_register(
                    organisation=organisation,
                    team=data["team"],
                    first_contact_on=data["first_contact_on"],
                    note=data["note"],
                    by=request.user,
                )
            except NotPermitted as error:
                form.add_error("team", error.message)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _("%(organisation)s is registered for %(team)s, protected until %(until)s.")
                    % {"organisation": organisation.name, "team": claim.team, "until": claim.expires_on},
                )
                return HttpResponseRedirect(reverse("crm:organisation_detail", args=[organisation.pk]))
        return self._render(request, organisation, form)


class ClaimListView(LoginRequiredMixin, View):
    template_name = "claims/claim_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        status = request.GET.get("status")
        status = status if status in STATUSES else "open"
        number = requested_page(request.GET.get("page"))
        paginator = BoundedPaginator(selectors.claim_list(status=status), PAGE_SIZE, page_number=number)
        page = paginator.get_page(number)
        collisions = []
        sees_collisions = permissions.is_admin(user) or permissions.is_manager(user)
        if sees_collisions:
            collisions = list(selectors.open_collisions()[:100])
            selectors.decorate_for(user, collisions)
        context = {
            "page_obj": page,
            "claims": page.object_list,
            "status": status,
            "statuses": [("open", _("Open")), ("ended", _("Ended or lapsed")), ("all", _("All"))],
            "collisions": collisions,
            "sees_collisions": sees_collisions,
            "decision_form": DecisionForm(),
        }
        return render(request, self.template_name, context)


class CollisionDecideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        collision = get_object_or_404(Collision.objects.select_related("claim"), pk=pk)
        if not services.may_decide(request.user, collision):
            raise PermissionDenied(_("A manager of both teams or an admin decides a collision."))
        form = DecisionForm(request.POST)
        back = reverse("claims:claim_list") + f"#collision-{collision.pk}"
        if not form.is_valid():
            errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
            messages.error(request, errors)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            decision = services.collision_decide(
                collision=collision,
                outcome=data["outcome"],
                reason=data["reason"],
                holder_share=data.get("holder_share"),
                other_share=data.get("other_share"),
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("Decided: %(outcome)s (%(organisation)s).")
            % {"outcome": decision.get_outcome_display(), "organisation": collision.claim.organisation.name},
        )
        return HttpResponseRedirect(reverse("claims:claim_list"))
