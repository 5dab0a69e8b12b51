"""Log a visit on a phone-sized screen (375 px) in a real browser: Debian's Chromium,
headless, against Django's live server.

Needs `apt-get install -y chromium` (then /usr/bin/chromium) and the Python packages
playwright and pytest-playwright (requirements-dev.txt); never `playwright install`.
Without them the test skips, saying so; with CI=true it fails instead.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from crm.models import Visit
from tests.conftest import require
from tests.factories import ContactFactory, OrganisationFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses
# to run unless told that this is safe (it is: nothing here is async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def chromium_page():
    require(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        "needs Chromium: run `apt-get install -y chromium` (browser tests use /usr/bin/chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "needs Playwright: run `.venv/bin/pip install -r requirements-dev.txt`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_an_officer_logs_a_visit_on_a_phone(live_server, client, officer, chromium_page):
    organisation = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment")
    ContactFactory(organisation=organisation, name="田中部长")
    client.force_login(officer)
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
    page.goto(f"{live_server.url}/crm/visits/new/")
    # Nothing sticks out sideways on a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator("#id_organisation_query").press_sequentially("murata", delay=20)
    option = page.locator("[data-org-pick]", has_text="村田（中国）投资有限公司")
    option.wait_for()
    if os.environ.get("SCREENSHOT_DIR"):  # to look at the phone layout by eye
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "visit-form-375.png"), full_page=True)
    option.click()
    assert page.locator("input[name=organisation]").input_value() == str(organisation.pk)
    page.get_by_label("田中部长").check()
    page.locator("#id_summary").fill("介绍园区政策，对方有扩产意向")
    page.locator("#id_next_step").fill("下周寄送土地资料")
    with translation.override("zh-hans"):
        save_label = gettext("Save the visit")  # the page is in Chinese, as officers see it
    page.get_by_role("button", name=save_label).click()
    page.wait_for_url(f"{live_server.url}/crm/organisations/{organisation.pk}/")
    assert "下周寄送土地资料" in page.content()

    visit = Visit.objects.get()
    assert visit.owner == officer
    assert [contact.name for contact in visit.contacts.all()] == ["田中部长"]
