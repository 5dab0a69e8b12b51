"""An officer on a phone, in Chinese, enters the actual tax of a promise that fell due;
the check then reads not met with its ratio, and the card fits the screen. A real
browser against the live server (tests/web/test_browser_projects.py's helpers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.agreements.helpers import make_agreement, signed_project
from tests.web.test_browser_projects import PHONE, chromium, logged_in_page, screenshot_dir  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_on_a_phone_enters_the_tax_and_the_check_reads_not_met(
    chromium,  # noqa: F811
    live_server,
    client,
    officer,
):
    year = dt.date.today().year - 1
    project = signed_project(officer, name="村田新能源电池项目")
    agreement = make_agreement(project, officer, signed_on=dt.date(year, 1, 10), due_year=year)
    tax = agreement.checks.get(kind="tax")

    page = logged_in_page(chromium, live_server, client, officer, PHONE, phone=True)
    page.goto(live_server.url + reverse("projects:project_detail", args=[project.pk]))
    row = page.locator("#agreement .promise-check[data-kind=tax]")
    assert row.get_attribute("data-status") == "late"
    row.locator("summary").click()
    row.locator(f"#id_check-{tax.pk}-actual").fill("4500")
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/#agreement")

    row = page.locator("#agreement .promise-check[data-kind=tax]")
    assert row.get_attribute("data-status") == "not_met"
    assert row.locator(".check-status").inner_text() == "未达标"
    assert row.locator(".check-ratio").inner_text() == "75.0%"
    assert "未达标，完成承诺的75.0%" in page.locator(".alert").first.inner_text()
    # The card stacks on the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#agreement").screenshot(path=str(screenshot_dir() / "agreement-phone.png"))
