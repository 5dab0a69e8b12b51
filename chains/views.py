"""Web pages of the industry workbench (issue 10): the industries, an industry's page
(the eight items and its numbers) and its chain map.

Reads go through chains.selectors, writes through chains.services; a DomainError
from a service comes back to the page as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from chains import selectors, services
from chains.documents import CONTENT_TYPES, download
from chains.export import map_workbook
from chains.forms import DocumentForm, MemberForm, TargetForm
from chains.models import ChainTarget, IndustryDocument, IndustryMember
from core import permissions
from core.errors import DomainError, NotPermitted
from crm.models import Industry
from crm.selectors import organisation_search


def _industry(pk: int) -> Industry:
    return get_object_or_404(Industry, pk=pk, level=Industry.Level.CLUSTER)


def project_create_url() -> str:
    """The project form, once the projects app has one."""
    try:
        return reverse("projects:project_create")
    except NoReverseMatch:
        return ""


class IndustryListView(LoginRequiredMixin, TemplateView):
    template_name = "chains/industry_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(selectors.industries())
        groups = [(label, [r for r in rows if r.category == value]) for value, label in Industry.Category.choices]
        context["groups"] = [(label, items) for label, items in groups if items]
        return context


def industry_page(
    request: HttpRequest, industry: Industry, *, document_form=None, member_form=None, status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "industry": industry,
        "items": selectors.eight_items(industry=industry),
        "numbers": selectors.industry_numbers(user=user, industry=industry),
        "can_manage": services.can_manage_industry(user, industry),
        "document_form": document_form or DocumentForm(),
        "member_form": member_form or MemberForm(),
    }
    return render(request, "chains/industry_detail.html", context, status=status)


class IndustryDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return industry_page(request, _industry(pk))


class ChainMapView(LoginRequiredMixin, TemplateView):
    template_name = "chains/chain_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        industry = _industry(self.kwargs["pk"])
        context.update(
            industry=industry,
            map=selectors.chain_map(user=self.request.user, industry=industry),
            project_create_url=project_create_url(),
            today=timezone.localdate(),
        )
        return context


class MapExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        industry = _industry(pk)
        data = map_workbook(selectors.chain_map(user=request.user, industry=industry))
        response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
        name = f"chain-map-{industry.pk}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class TargetAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        industry = _industry(pk)
        back = reverse("chains:chain_map", args=[industry.pk])
        form = TargetForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        link = form.cleaned_data["link"]
        if link.parent is None or link.parent.parent_id != industry.pk:
            raise Http404
        organisation = form.cleaned_data["organisation"]
        try:
            services.target_add(link=link, organisation=organisation, by=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(organisation)s added as a target of %(link)s.") % {"organisation": organisation, "link": link},
            )
        return HttpResponseRedirect(f"{back}#link-{link.pk}")


class TargetRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target = get_object_or_404(ChainTarget.objects.select_related("link__parent"), pk=pk)
        if not permissions.can_remove_target(request.user, target):
            raise PermissionDenied(_("Only whoever added this target, a manager or an admin may remove it."))
        back = reverse("chains:chain_map", args=[target.link.parent.parent_id])
        try:
            services.target_remove(target=target, by=request.user)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(f"{back}#link-{target.link_id}")


class OrganisationOptionsView(LoginRequiredMixin, View):
    """htmx: organisations matching what is typed in a map's "add a target" box."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("organisation_query") or "").strip()
        results = organisation_search(query) if query else []
        return render(request, "chains/includes/organisation_options.html", {"results": results, "query": query})


class DocumentUploadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        industry = _industry(pk)
        if not services.can_manage_industry(request.user, industry):
            raise PermissionDenied(_("You are not allowed to upload documents for this industry."))
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.document_upload(
                    industry=industry,
                    kind=data["kind"],
                    title=data["title"],
                    issued_on=data["issued_on"],
                    upload=data["file"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_error("file" if error.field == "file" else None, error.message)
            else:
                messages.success(request, _("Document uploaded: %(title)s.") % {"title": data["title"]})
                return HttpResponseRedirect(reverse("chains:industry_detail", args=[industry.pk]) + "#items")
        return industry_page(request, industry, document_form=form, status=400)


class MemberAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        industry = _industry(pk)
        if not services.can_manage_industry(request.user, industry):
            raise PermissionDenied(_("You are not allowed to change this industry's items."))
        form = MemberForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.member_add(
                    industry=industry, item=data["item"], record=data["record"], role=data["role"], by=request.user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Added: %(record)s.") % {"record": data["record"]})
                return HttpResponseRedirect(reverse("chains:industry_detail", args=[industry.pk]) + "#items")
        return industry_page(request, industry, member_form=form, status=400)


class MemberRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = get_object_or_404(IndustryMember.objects.select_related("industry"), pk=pk)
        if not services.can_manage_industry(request.user, member.industry):
            raise PermissionDenied(_("You are not allowed to change this industry's items."))
        try:
            services.member_remove(member=member, by=request.user)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(reverse("chains:industry_detail", args=[member.industry_id]) + "#items")


class DocumentDownloadView(LoginRequiredMixin, View):
    """Documents are served to logged-in users only, from storage outside the static files."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return download(get_object_or_404(IndustryDocument, pk=pk))
