"""Log a visit on a phone-sized screen (375x812) in a real browser: Debian's Chromium,
headless, against Django's live server.

Needs `apt-get install -y chromium` (then /usr/bin/chromium) and the Python packages
playwright and pytest-playwright (requirements-dev.txt); never `playwright install`.
Without them the test skips, saying so; with CI=true it fails instead.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from crm.models import Visit
from tests.conftest import require
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, UserFactory, VisitFactory

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
PHONE = {"width": 375, "height": 812}


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


def _log_in(context, client, live_server, user) -> None:
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):  # to look at the phone layout by eye (a CI artifact)
        os.makedirs(os.environ["SCREENSHOT_DIR"], exist_ok=True)
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


def _chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)  # the page is in Chinese, as officers see it


@pytest.mark.django_db(transaction=True)
def test_an_officer_logs_a_visit_on_a_phone(live_server, client, officer, chromium_page):
    organisation = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment")
    ContactFactory(organisation=organisation, name="田中部长")
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/visits/new/")
    # Nothing sticks out sideways on a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator("#id_organisation_query").press_sequentially("murata", delay=20)
    option = page.locator("[data-org-pick]", has_text="村田（中国）投资有限公司")
    option.wait_for()
    _screenshot(page, "visit-form-375.png")
    option.click()
    assert page.locator("input[name=organisation]").input_value() == str(organisation.pk)
    page.get_by_label("田中部长").check()
    page.locator("#id_summary").fill("介绍园区政策，对方有扩产意向")
    page.locator("#id_next_step").fill("下周寄送土地资料")
    page.get_by_role("button", name=_chinese("Save the visit")).click()
    page.wait_for_url(f"{live_server.url}/crm/organisations/{organisation.pk}/")
    assert "下周寄送土地资料" in page.content()

    visit = Visit.objects.get()
    assert visit.owner == officer
    assert [contact.name for contact in visit.contacts.all()] == ["田中部长"]


@pytest.mark.django_db(transaction=True)
def test_a_near_identical_name_is_warned_about_before_a_new_organisation_is_created(
    live_server, client, officer, chromium_page
):
    existing = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment")
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/visits/new/")

    # Typed without the brackets and the legal form: the autocomplete has no match...
    page.locator("#id_organisation_query").press_sequentially("村田中国投资公司", delay=20)
    create = page.locator("[data-org-new]")
    create.wait_for()
    assert page.locator("[data-org-pick]").count() == 0
    # ...so the officer creates it on the spot, and is warned while the name is there.
    create.click()
    assert page.locator("#id_new_organisation_name").input_value() == "村田中国投资公司"
    warning = page.locator("#similar-organisations .alert-warning")
    warning.wait_for()
    assert existing.name in warning.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "visit-form-duplicate-warning-375.png")

    # Saving anyway is refused once more, with a box to tick; ticked, a new one is created.
    page.locator("#id_summary").fill("首次接触，介绍园区政策")
    page.get_by_role("button", name=_chinese("Save the visit")).click()
    page.locator("#id_create_anyway").wait_for()
    assert Visit.objects.count() == 0
    assert page.locator("#id_new_organisation_name").input_value() == "村田中国投资公司"
    assert page.locator("#id_summary").input_value() == "首次接触，介绍园区政策"
    page.locator("#id_create_anyway").check()
    page.get_by_role("button", name=_chinese("Save the visit")).click()
    page.wait_for_url(f"{live_server.url}/crm/organisations/*/")

    visit = Visit.objects.select_related("organisation").get()
    assert visit.organisation.name == "村田中国投资公司" and visit.organisation != existing
    assert visit.organisation.owner == officer


@pytest.mark.django_db(transaction=True)
def test_the_crm_pages_fit_a_phone(live_server, client, officer, chromium_page):
    organisation = OrganisationFactory(
        name="村田（中国）投资有限公司", name_en="Murata (China) Investment", owner=officer
    )
    ContactFactory(organisation=organisation, name="田中部长", email="tanaka.very.long.address@murata.example.com")
    visit = VisitFactory(
        organisation=organisation, owner=officer, next_step="寄送资料", follow_up_on=timezone.localdate()
    )
    visit.officers.add(officer)
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    for path in [
        "/crm/organisations/",
        f"/crm/organisations/{organisation.pk}/",
        f"/crm/organisations/{organisation.pk}/edit/",
        "/crm/contacts/",
        "/crm/missions/",
        "/crm/visits/",
        f"/crm/visits/{visit.pk}/edit/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    _screenshot(page, "visit-edit-375.png")

    # Marking the follow-up done from the visit list, with a thumb.
    page.goto(f"{live_server.url}/crm/visits/?follow_up_open=true")
    page.get_by_role("button", name=_chinese("Follow-up done")).click()
    page.wait_for_url(f"{live_server.url}/crm/visits/?follow_up_open=true")
    visit.refresh_from_db()
    assert visit.follow_up_done_on == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_a_filter_changes_the_list_and_the_address_names_only_what_was_chosen(
    live_server, client, officer, chromium_page
):
    OrganisationFactory(name="村田（中国）投资有限公司")
    OrganisationFactory(name="江南大学", kind="university")
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/organisations/")
    assert page.locator("#organisation-results").get_by_text("村田（中国）投资有限公司").count() == 1
    page.locator("#id_kind").select_option("university")
    page.wait_for_url("**/crm/organisations/?kind=university")
    from playwright.sync_api import expect

    results = page.locator("#organisation-results")
    expect(results.get_by_text("村田（中国）投资有限公司")).to_have_count(0)
    expect(results.get_by_text("江南大学")).to_have_count(1)
    # The same address asks the API the same question.
    assert client.get("/api/v1/organisations/?kind=university").json()["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_mission_and_other_officers_are_found_by_typing(live_server, client, officer, chromium_page):
    today = timezone.localdate()
    organisation = OrganisationFactory(name="博世汽车部件（无锡）有限公司")
    for n in range(12):  # more likely missions than the drop-down lists
        MissionFactory(title=f"近期团组{n}", start_date=today - dt.timedelta(days=n), end_date=today)
    munich = MissionFactory(
        title="欧洲汽车零部件招商",
        cities="慕尼黑",
        start_date=today - dt.timedelta(days=40),
        end_date=today - dt.timedelta(days=35),
    )
    colleague = UserFactory(username="liuyang", display_name="刘洋", team=officer.team)
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/visits/new/?organisation={organisation.pk}")
    assert page.locator(f"#id_mission option[value='{munich.pk}']").count() == 0

    page.locator(".mission-search").press_sequentially("慕尼黑", delay=20)
    page.locator("[data-mission-pick]", has_text="欧洲汽车零部件招商").click()
    assert page.locator("#id_mission").input_value() == str(munich.pk)
    page.locator("#id_date").fill(str(munich.end_date))

    page.locator("#id_other_officers").press_sequentially("刘", delay=20)
    page.locator("[data-officer-pick]", has_text="刘洋").click()
    chip = page.locator(".officer-chip", has_text="刘洋")
    assert chip.locator("input[type=hidden]").input_value() == str(colleague.pk)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "visit-form-pickers-375.png")

    page.locator("#id_summary").fill("介绍园区政策")
    page.get_by_role("button", name=_chinese("Save the visit")).click()
    page.wait_for_url(f"{live_server.url}/crm/organisations/{organisation.pk}/")
    visit = Visit.objects.get()
    assert visit.mission == munich
    assert set(visit.officers.all()) == {officer, colleague}
