"""Panels that apps above projects add to the project page, My work and the supervision
list (problems, promise checks, ...), without projects importing them.

An app registers, from its AppConfig.ready(), a function for a place:
`register("project_detail", panel)`; the page calls `render_panels(place, request, **what)`
and shows the HTML each panel returns (None: nothing to show). Places and what they pass:

- "project_detail": project (the Project, already checked visible), in the main column;
- "project_aside": the same, in the side column (short cards: funds in place);
- "my_work": scope (projects.selectors.Scope);
- "supervision": nothing more.

A panel reads in a fixed number of queries, so a page's query count still does not grow
with its rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.utils.safestring import SafeString

PANELS: dict[str, list[Callable[..., str | None]]] = defaultdict(list)


def register(place: str, panel: Callable[..., str | None]) -> None:
    if panel not in PANELS[place]:
        PANELS[place].append(panel)


def render_panels(place: str, request, **what) -> list[SafeString]:
    """The panels' HTML. A panel renders a template (render_to_string), whose output is
    already marked safe; a plain string would be escaped on the page, never trusted."""
    shown = []
    for panel in PANELS.get(place, []):
        html = panel(request, **what)
        if html:
            shown.append(html)
    return shown
