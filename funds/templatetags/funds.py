"""{% project_funds_panel project editable %}: the funds card of the project page.

The project page belongs to projects, which cannot import this app; its template
loads this tag library instead (2 queries, however many entries)."""

from __future__ import annotations

from django import template

from funds.forms import FundsEntryForm
from funds.selectors import is_signed, project_funds

register = template.Library()


@register.inclusion_tag("funds/_project_panel.html", takes_context=True)
def project_funds_panel(context, project, editable=False):
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "project": project,
        "funds": project_funds(user=request.user, project=project, shown=3),
        "form": FundsEntryForm(project=project) if editable else None,
        "signed": is_signed(project),
    }
