"""The header's search box: its instant suggestions and the results page (/search/?q=)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from finder import selectors


class SearchView(LoginRequiredMixin, View):
    """Everything the query finds, grouped by kind, each group counted; ?kind= shows
    more of one kind."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH]
        only = request.GET.get("kind", "")
        if only not in selectors.KIND_KEYS:
            only = ""
        groups = selectors.search_everything(user=request.user, text=query, per_kind=50 if only else 5, only=only)
        context = {"query": query, "groups": groups, "only": only, "bound": selectors.COUNT_BOUND}
        return render(request, "finder/results.html", context)


class SuggestView(LoginRequiredMixin, View):
    """htmx: the dropdown under the header's box, as the user types."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH]
        groups = selectors.search_everything(user=request.user, text=query, per_kind=4, dropdown=True)
        return render(request, "finder/includes/suggestions.html", {"query": query, "groups": groups})
