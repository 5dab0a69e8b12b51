"""In a real browser on a phone (375 px): a manager splits a project's credit, and an
officer drops a project saying why and where it went; both pages fit the screen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.models import ProjectCredit, Stage
from tests.factories import ProjectFactory, project_in_stage
from tests.web.test_browser_projects import PHONE, chromium, logged_in_page, ready  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_manager_splits_credit_on_a_phone(live_server, client, manager, other_team, chromium):  # noqa: F811
    project = ProjectFactory(owner=manager, name="村田新工厂")
    page = logged_in_page(chromium, live_server, client, manager, PHONE, phone=True)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    ready(page)
    page.locator("[data-testid=split-credit]").click()
    page.wait_for_url(f"**/projects/{project.pk}/credit/")
    assert fits(page)
    page.locator("#id_credit-0-share").fill("60")
    page.locator("#id_credit-1-team").select_option(str(other_team.pk))
    page.locator("#id_credit-1-share").fill("30")
    page.locator("form.credit-form button[type=submit]").click()
    page.locator("[data-testid=credit-error]").wait_for()
    assert not ProjectCredit.objects.exists()
    page.locator("#id_credit-1-share").fill("40")
    page.locator("form.credit-form button[type=submit]").click()
    page.wait_for_url(f"**/projects/{project.pk}/")
    assert "40%" in page.locator(".project-credit").inner_text()
    assert {row.team_id: row.share for row in ProjectCredit.objects.all()} == {
        manager.team_id: Decimal(60),
        other_team.pk: Decimal(40),
    }


def test_an_officer_drops_a_project_saying_where_it_went_on_a_phone(live_server, client, officer, chromium):  # noqa: F811
    project = project_in_stage("negotiating", owner=officer, name="外流项目")
    page = logged_in_page(chromium, live_server, client, officer, PHONE, phone=True)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    ready(page)
    form = page.locator(".stage-form")
    form.locator("select[name=to_stage]").select_option("dropped")
    assert form.locator("select[name=loss_reason]").is_visible()
    assert fits(page)
    form.locator("input[name=reason]").fill("对方选择落户外地")
    form.locator("select[name=loss_reason]").select_option("other_location")
    form.locator("button[type=submit]").click()
    page.locator(".stage-form [data-show-for='dropped'] .invalid-feedback").wait_for()
    page.locator(".stage-form input[name=lost_to]").fill("苏州工业园区")
    page.locator(".stage-form button[type=submit]").click()
    page.locator(".loss-reason", has_text="苏州工业园区").wait_for()
    project.refresh_from_db()
    assert (project.stage, project.loss_reason, project.lost_to) == (Stage.DROPPED, "other_location", "苏州工业园区")
