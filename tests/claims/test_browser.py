"""On a phone, an officer of team B logs a visit to a subsidiary of a group team A
registered: the form tells them who holds it as soon as the firm is picked, the visit
is saved, and team A's manager finds the notification."""

from __future__ import annotations

import pytest

from claims.models import Collision
from core.models import Notification
from crm.models import Visit
from tests.web.test_browser import PHONE, _chinese, _log_in, _screenshot, chromium_page  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_an_officer_of_team_b_on_a_phone_is_told_and_team_a_manager_is_notified(
    live_server,
    client,
    claim,
    subsidiary,
    other_officer,
    manager,
    chromium_page,  # noqa: F811
):
    _log_in(chromium_page, client, live_server, other_officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/visits/new/")
    page.locator("#id_organisation_query").press_sequentially("村田", delay=20)
    option = page.locator("[data-org-pick]", has_text="村田（中国）投资有限公司")
    option.wait_for()
    option.click()
    notice = page.locator("#claim-notice")
    notice.wait_for()
    text = notice.inner_text()
    assert "日韩招商组" in text and str(claim.first_contact_on) in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "claim-notice-375.png")
    page.locator("#id_summary").fill("欧洲组在上海拜访村田中国，介绍研发中心政策")
    page.get_by_role("button", name=_chinese("Save the visit")).click()
    page.wait_for_url(f"{live_server.url}/crm/organisations/{subsidiary.pk}/")
    assert "日韩招商组" in page.locator(".alert-warning").first.inner_text()

    assert Visit.objects.get().owner == other_officer
    assert Collision.objects.get().team == other_officer.team
    note = Notification.objects.get(recipient=manager)
    assert "欧洲招商组" in note.title

    # Team A's manager opens the notification and lands on the collision to decide.
    _log_in(chromium_page, client, live_server, manager)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_text(note.title).first.click()
    page.wait_for_url("**/claims/**")
    assert page.locator(f"#collision-{Collision.objects.get().pk}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "claims-list-375.png")
