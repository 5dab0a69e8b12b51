"""The dashboard in a real browser: the ECharts charts render from the JSON endpoint
without a console error, and a funnel stage clicks through to the filtered list."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from crm.models import Industry
from projects.models import Stage
from tests.factories import IndustryFactory, ProjectFactory
from tests.web.test_browser import chromium_page  # noqa: F401

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_render_and_a_stage_clicks_through(live_server, client, manager, chromium_page):  # noqa: F811
    today = timezone.localdate()
    first = today.replace(month=1, day=1)
    cluster = IndustryFactory(name="物联网", level=Industry.Level.CLUSTER)
    for n, stage in enumerate([Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.SIGNED, Stage.STARTED]):
        ProjectFactory(
            owner=manager,
            stage=stage,
            total_investment=Decimal(20000 * (n + 1)),
            lead_on=first,
            negotiating_on=first if stage != Stage.LEAD else None,
            signed_on=first + dt.timedelta(days=1) if stage in (Stage.SIGNED, Stage.STARTED) else None,
            started_on=first + dt.timedelta(days=2) if stage == Stage.STARTED else None,
            industry=cluster,
        )
    client.force_login(manager)
    chromium_page.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = chromium_page.new_page()
    page.set_viewport_size(DESKTOP)
    errors: list[str] = []

    def on_console(message) -> None:
        # The browser asks for /favicon.ico on its own; the layout has none (not ours).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(response.url) if response.status >= 400 else None)

    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#funnel-chart[data-rendered=true] canvas")
    page.wait_for_selector("#trend-chart[data-rendered=true] canvas")
    page.wait_for_selector("#cluster-chart[data-rendered=true] canvas")
    if os.environ.get("SCREENSHOT_DIR"):  # to look at the dashboard by eye
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "dashboard.png"), full_page=True)
    assert page.locator("#funnel-chart canvas").count() == 1
    assert page.locator("#trend-chart canvas").count() == 1
    assert errors == []

    # The funnel's first segment is the lead stage: 5 projects noted as leads this year.
    box = page.locator("#funnel-chart").bounding_box()
    lead_after = f"lead_after={first.isoformat()}"
    with page.expect_request(lambda request: lead_after in request.url and request.is_navigation_request()):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 90)
    assert errors == []
