"""The funds card of the project page, in its side column (projects.panels, place
"project_aside"): 2 queries, however many entries; nothing for a project that is not
signed and has no entry."""

from __future__ import annotations

from django.template.loader import render_to_string

from core import permissions
from funds.forms import FundsEntryForm
from funds.selectors import is_signed, project_funds
from projects import panels


def project_funds_panel(request, *, project) -> str | None:
    editable = permissions.can_edit_project(request.user, project)
    html = render_to_string(
        "funds/_project_panel.html",
        {
            "project": project,
            "funds": project_funds(user=request.user, project=project, shown=3),
            "form": FundsEntryForm(project=project) if editable else None,
            "signed": is_signed(project),
        },
        request=request,
    )
    return html if html.strip() else None


def register() -> None:
    panels.register("project_aside", project_funds_panel)
