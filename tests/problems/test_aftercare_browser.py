"""An officer on a 375 px phone logs an aftercare visit and raises a problem from it,
then the manager closes it from the office list; Chromium, headless, live server."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.models import Visit
from problems.models import Problem
from tests.factories import ContactFactory
from tests.web.test_browser import PHONE, _chinese, _log_in, _screenshot, chromium_page  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_an_officer_raises_a_problem_from_an_aftercare_visit_on_a_phone(
    live_server,
    client,
    officer,
    manager,
    producing,
    power,
    problem_rules,
    chromium_page,  # noqa: F811
):
    ContactFactory(organisation=producing.investor, name="佐藤部长")
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/projects/{producing.pk}/")
    page.locator("[data-testid=aftercare-visit]").click()
    page.wait_for_url(f"{live_server.url}/problems/projects/{producing.pk}/aftercare/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("佐藤部长").check()
    page.locator("#id_summary").fill("二期产线投产在即，反映用电容量不足")
    page.locator("#id_raise_problem").check()
    page.locator("#id_title").fill("二期双回路供电增容")
    page.locator("#id_kind").select_option("energy")
    page.locator("#id_department").select_option(str(power.pk))
    page.locator("#id_department_contact").fill("吴经理")
    _screenshot(page, "aftercare-375.png")
    page.get_by_role("button", name=_chinese("Save")).click()
    page.wait_for_url(f"{live_server.url}/projects/{producing.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "project-problems-375.png")
    panel = page.locator("#project-problems")
    assert "二期双回路供电增容" in panel.inner_text()
    assert _chinese("Problems and asks") in panel.inner_text()

    visit = Visit.objects.get()
    problem = Problem.objects.get()
    assert (visit.kind, [c.name for c in visit.contacts.all()]) == ("aftercare", ["佐藤部长"])
    assert (problem.visit_id, problem.department, problem.raised_by, problem.raised_on) == (
        visit.pk,
        power,
        officer,
        timezone.localdate(),
    )

    # The office list, on the same phone: the table stacks, nothing sticks out.
    page.goto(f"{live_server.url}/problems/?department={power.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "problem-list-375.png")
    page.get_by_role("link", name="二期双回路供电增容").click()
    page.locator("#id_status").select_option("solved")
    page.locator("#id_resolution").fill("供电公司已完成增容方案")
    page.locator("#status-form button").click()
    page.wait_for_url(f"{live_server.url}/problems/{problem.pk}/")
    assert "供电公司已完成增容方案" in page.locator("#problem-resolution").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "problem-detail-375.png")
    problem.refresh_from_db()
    assert problem.status == "solved"
