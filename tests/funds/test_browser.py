"""Funds in a real browser (Debian's Chromium, headless, against the live server): an
officer on a 375 px phone records this month's funds from the project page in a few
taps; a manager opens the monthly report and downloads it, and the file has the
page's figures. Skips without Chromium or Playwright, as the other browser tests do."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from funds.models import FundsEntry
from tests.factories import project_in_stage
from tests.web.test_browser_projects import (  # noqa: F401
    DESK,
    PHONE,
    chromium,
    logged_in_page,
    ready,
    screenshot_dir,
)


@pytest.mark.django_db(transaction=True)
def test_an_officer_on_a_phone_records_a_months_funds(live_server, client, officer, chromium):  # noqa: F811
    project = project_in_stage("started", name="村田新工厂", owner=officer, total_investment=40000)
    page = logged_in_page(chromium, live_server, client, officer, PHONE, phone=True)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    ready(page)
    form = page.get_by_test_id("funds-form")
    form.locator("input[name=amount]").fill("10000")
    form.get_by_test_id("funds-save").tap()
    page.wait_for_url(f"**/projects/{project.pk}/")
    # The form posts and comes back to the same address: wait for the new page's figure.
    from playwright.sync_api import expect

    expect(page.get_by_test_id("funds-percent")).to_have_text("25.0%")
    entry = FundsEntry.objects.get()
    assert (entry.month, entry.amount, entry.kind) == (
        timezone.localdate().replace(day=1),
        Decimal(10000),
        "paid_in_capital",
    )
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir() / "funds-project-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/funds/monthly-report/")
    ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir() / "funds-monthly-report-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_manager_downloads_the_monthly_report_with_the_figures_of_the_page(
    live_server,
    client,
    officer,
    manager,
    chromium,  # noqa: F811
):
    project = project_in_stage("started", name="村田新工厂", owner=officer, total_investment=40000)
    today = timezone.localdate()
    FundsEntry.objects.create(project=project, month=today.replace(day=1), amount=Decimal("12345"))
    page = logged_in_page(chromium, live_server, client, manager, DESK, phone=False)
    page.goto(f"{live_server.url}/funds/monthly-report/")
    ready(page)
    page.screenshot(path=str(screenshot_dir() / "funds-monthly-report-desk.png"), full_page=True)
    total_row = page.locator("#table-monthly_funds tbody tr").last
    this_month = total_row.locator("td").nth(1).inner_text()
    assert this_month == "1.23"  # 12,345万元 in 亿元
    with page.expect_download() as waiting:
        page.get_by_test_id("export-report").click()
    book = openpyxl.load_workbook(io.BytesIO(open(waiting.value.path(), "rb").read()))
    sheet = next(sheet for sheet in book.worksheets if sheet["A1"].value in ("Kind of funds", "资金类型"))
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert f"{Decimal(str(last[1])):.2f}" == this_month
