"""The funds pages (a project page with its funds card, the project's funds page, the
monthly report) pass the layout checks of tests/web/test_layout_browser.py for an
officer in both languages, on a phone and a laptop: no sideways scrolling, no table
cell narrower than two characters, no serious accessibility violation (axe-core), no
console error. (The monthly report is also among the report tabs that test walks.)"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings

from core.models import User
from projects.models import Project
from tests.web.test_layout_browser import (  # noqa: F401
    AXE,
    AXE_PATH,
    AXE_RUN,
    LAPTOP,
    MEASURE,
    PHONE,
    Watch,
    _check_layout,
    browser_context,
    demo_zone,
)


@pytest.mark.django_db(transaction=True)
def test_the_funds_pages_fit_a_phone_and_a_laptop_in_both_languages(
    browser_context,  # noqa: F811
    demo_zone,  # noqa: F811
    live_server,
    client,
):
    context = browser_context
    host = urlparse(live_server.url).netloc
    context.route(f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=str(AXE)))
    officer = User.objects.get(username="officer")
    project = (
        Project.objects.filter(team=officer.team, funds_entries__isnull=False, capital_origin="foreign")
        .order_by("pk")
        .first()
    )
    assert project is not None
    paths = [f"/projects/{project.pk}/", f"/funds/projects/{project.pk}/", "/funds/monthly-report/"]
    client.force_login(officer)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    failures: list[str] = []
    for language in ("zh-hans", "en"):
        User.objects.filter(pk=officer.pk).update(language=language)
        page = context.new_page()
        watch = Watch(page, host)
        for size in (LAPTOP, PHONE):
            page.set_viewport_size(size)
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                problems = [] if response.ok else [f"status {response.status}"]
                problems += _check_layout(page.evaluate(MEASURE), size["width"])
                page.add_script_tag(url=f"{live_server.url}{AXE_PATH}")
                problems += [f"axe: {violation}" for violation in page.evaluate(AXE_RUN)]
                problems += watch.take()
                failures += [f"{language} {size['width']} {path}: {problem}" for problem in problems]
        page.close()
    assert not failures, "\n".join(failures)
