"""Projects in a real browser (Debian's Chromium, headless, against Django's live server):
an officer on a phone turns a visit into a project and moves it along the board; on a
desk, a card is dragged to the next column. Screenshots of the home page, the visit
form (phone) and the board (desk) go to $SCREENSHOT_DIR (default var/screenshots).

Needs `apt-get install -y chromium` and the Python package playwright (requirements-dev.txt);
never `playwright install`. Without them the tests skip, saying so; with CI=true they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation

from projects.models import Project, Stage
from tests.conftest import require
from tests.factories import OrganisationFactory, ProjectFactory, VisitFactory

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
DESK = {"width": 1400, "height": 900}


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def chromium():
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
        try:
            yield browser
        finally:
            browser.close()


def logged_in_page(browser, live_server, client, user, viewport, phone: bool):
    """A page of a new browser context carrying the user's session."""
    client.force_login(user)
    options = {"viewport": viewport}
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def ready(page) -> None:
    """Wait until the page's deferred scripts (htmx, Bootstrap, ours) have run: an
    element can be on screen before them, and a click then would do nothing."""
    page.wait_for_load_state("load")
    wait_until(page, "window.htmx !== undefined && window.bootstrap !== undefined")


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function
    evaluates a string inside the page, which the Content-Security-Policy forbids
    (no eval); page.evaluate runs outside the page's policy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def fresh_session(page, live_server, client, user) -> None:
    """A new login for the page's browser: after a jump in time the old session has
    expired (30 minutes idle, 12 hours in all), as it would for a person."""
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def card(page, project_pk: int, stage: str):
    return page.locator(f".board-column[data-stage={stage}] .board-card[data-project='{project_pk}']")


def move_with_the_menu(page, project_pk: int, stage: str) -> None:
    """On a phone: open the card's menu, pick the stage; the stage form opens in a dialog."""
    ready(page)
    page.locator(f".board-card[data-project='{project_pk}'] .board-card-menu").click()
    page.locator(f".board-card[data-project='{project_pk}'] [data-stage-move][href*='to={stage}&']").click()
    page.locator("#stage-dialog.show .stage-form").wait_for()


def save_the_stage(page) -> None:
    page.locator("#stage-dialog .stage-form button[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_an_officer_turns_a_visit_into_a_project_and_moves_it_on_a_phone(
    live_server, client, officer, secret_project, reminder_rules, chromium
):
    today = timezone.localdate()
    investor = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment", owner=officer)
    visit = VisitFactory(organisation=investor, owner=officer, next_step="寄送土地资料")
    visit.officers.add(officer)
    page = logged_in_page(chromium, live_server, client, officer, PHONE, phone=True)
    shots = screenshot_dir()

    # The visit form at phone width, for the record.
    page.goto(f"{live_server.url}/crm/visits/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "visit-form-phone.png"), full_page=True)

    # From the visit on the home page to a new project, investor and source filled in.
    page.goto(f"{live_server.url}/")
    page.locator(f"a.new-project-from-visit[href$='?visit={visit.pk}']").click()
    page.wait_for_url("**/projects/new/?visit=*")
    ready(page)
    assert page.locator("input[name=investor]").input_value() == str(investor.pk)
    assert page.locator("#id_investor_query").input_value() == investor.name
    assert page.locator("#id_source_kind").input_value() == "visit"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#id_name").fill("村田无锡新工厂")
    page.locator("#id_total_investment").fill("500000")
    page.locator("#id_completed_planned").fill((today + dt.timedelta(days=5)).isoformat())
    page.locator(".project-form button[type=submit]").click()
    page.wait_for_url("**/projects/*/")
    project = Project.objects.get(name="村田无锡新工厂")
    assert (project.source_visit_id, project.investor_id, project.stage) == (visit.pk, investor.pk, Stage.LEAD)

    # On the board, with the card's menu: lead -> negotiating. The columns scroll
    # sideways inside the board; the page itself stays 375 px wide.
    page.goto(f"{live_server.url}/projects/board/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    move_with_the_menu(page, project.pk, "negotiating")
    save_the_stage(page)
    card(page, project.pk, "negotiating").wait_for()

    # Negotiating -> signed: refused without the signed amount, nothing saved...
    move_with_the_menu(page, project.pk, "signed")
    amount_box = page.locator("#stage-dialog .stage-form [data-show-for=signed]")
    assert amount_box.is_visible()
    save_the_stage(page)
    error = page.locator("#stage-dialog .stage-form [data-show-for=signed] .invalid-feedback")
    error.wait_for()
    assert "签约金额" in error.inner_text()  # the service's own message, in Chinese
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    # ...accepted with it.
    page.locator("#stage-dialog input[name=signed_amount]").fill("500000")
    save_the_stage(page)
    card(page, project.pk, "signed").wait_for()

    # Signed -> construction started.
    move_with_the_menu(page, project.pk, "started")
    save_the_stage(page)
    card(page, project.pk, "started").wait_for()
    project.refresh_from_db()
    assert (project.stage, project.signed_amount, project.started_on) == (Stage.STARTED, Decimal("500000"), today)

    page.goto(f"{live_server.url}/projects/")
    assert page.locator(".project-table", has_text="村田无锡新工厂").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Home: the planned completion is coming; twelve days later it is late.
    page.goto(f"{live_server.url}/")
    assert page.locator("#due-soon", has_text="村田无锡新工厂").count() == 1
    assert page.locator("#overdue", has_text="村田无锡新工厂").count() == 0
    page.screenshot(path=str(shots / "home-phone.png"), full_page=True)
    later = dt.datetime.combine(today + dt.timedelta(days=12), dt.time(10, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(later, tick=True):
        fresh_session(page, live_server, client, officer)
        page.reload()
        overdue = page.locator("#overdue li", has_text="村田无锡新工厂")
        assert overdue.count() == 1
        assert "逾期7天" in overdue.inner_text()
        assert page.locator("#due-soon", has_text="村田无锡新工厂").count() == 0

    # The English switch (in the phone's collapsed menu) changes the page.
    ready(page)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.locator(".navbar-toggler").click()
    # A person taps once the menu has opened: Bootstrap slides it open over a third of
    # a second, and a tap during the slide can land on the page behind it.
    page.locator("#main-nav.show:not(.collapsing)").wait_for(state="visible")
    english = page.get_by_role("button", name="English")
    # The form posts to the language view, then the same page comes back in English.
    with page.expect_response(lambda r: "/i18n/setlang/" in r.url and r.request.method == "POST", timeout=30_000):
        english.click()
    page.locator("html[lang=en]").wait_for(state="attached", timeout=30_000)
    assert page.locator("h1").inner_text() == "My work"

    # Another team's confidential project is not there, even by its address.
    response = page.goto(f"{live_server.url}/projects/{secret_project.pk}/")
    assert response.status == 404
    assert "绝密扩产项目" not in page.content()


def board_cards() -> int:
    from projects.selectors import BOARD_CARDS

    return BOARD_CARDS


@pytest.mark.django_db(transaction=True)
def test_a_column_shows_more_cards_on_demand_and_a_card_moves_with_the_keyboard(live_server, client, officer, chromium):
    shown = board_cards()
    for i in range(shown + 2):
        ProjectFactory(name=f"项目{i:02d}", owner=officer, total_investment=Decimal(10_000 - i))
    last = Project.objects.get(name=f"项目{shown + 1:02d}")
    page = logged_in_page(chromium, live_server, client, officer, DESK, phone=False)
    page.goto(f"{live_server.url}/projects/board/")
    ready(page)
    lead = page.locator(".board-column[data-stage=lead] .board-card")
    assert lead.count() == shown

    page.locator(".board-column[data-stage=lead] .board-show-more").click()
    card(page, last.pk, "lead").wait_for()
    assert lead.count() == shown + 2
    assert page.locator(".board-column[data-stage=lead] .board-show-more").count() == 0

    # Tab to the card's menu, open it with Enter, go down to the first stage, Enter.
    page.locator(f".board-card[data-project='{last.pk}'] .board-card-menu").focus()
    page.keyboard.press("Enter")
    page.locator(f".board-card[data-project='{last.pk}'] .dropdown-menu.show").wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.stage") == "negotiating"
    page.keyboard.press("Enter")
    page.locator("#stage-dialog.show .stage-form").wait_for()
    assert page.locator("#stage-dialog select[name=to_stage]").input_value() == "negotiating"
    save_the_stage(page)
    card(page, last.pk, "negotiating").wait_for()
    last.refresh_from_db()
    assert last.stage == Stage.NEGOTIATING


@pytest.mark.django_db(transaction=True)
def test_on_a_desk_a_card_is_dragged_to_the_next_column(live_server, client, officer, chromium):
    for i in range(8):
        ProjectFactory(name=f"苏州项目{i}", owner=officer, total_investment=Decimal(8000 + 9000 * i))
    project = ProjectFactory(name="拖动的项目", owner=officer, total_investment=Decimal("120000"), is_major=True)
    page = logged_in_page(chromium, live_server, client, officer, DESK, phone=False)
    page.goto(f"{live_server.url}/projects/board/")
    ready(page)
    page.screenshot(path=str(screenshot_dir() / "board-desk.png"), full_page=True)

    # Drag with the mouse in small steps, as a hand does (the browser fires dragover on the way).
    source = card(page, project.pk, "lead").bounding_box()
    target = page.locator(".board-column[data-stage=negotiating]").bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + 20)
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 60, steps=12)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 70, steps=2)
    page.mouse.up()
    page.locator("#stage-dialog.show .stage-form").wait_for()
    assert page.locator("#stage-dialog select[name=to_stage]").input_value() == "negotiating"
    save_the_stage(page)
    card(page, project.pk, "negotiating").wait_for()
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    # The column totals follow.
    assert page.locator(".board-column[data-stage=negotiating] .column-count").inner_text() == "1"

    # On the project's page, the same form: a hold is refused without a reason.
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    ready(page)
    form = page.locator(".stage-form")
    form.locator("select[name=to_stage]").select_option("on_hold")
    reason = form.locator("[data-show-for='on_hold dropped']")
    assert reason.is_visible()
    form.locator("button[type=submit]").click()
    page.locator(".stage-form [data-show-for='on_hold dropped'] .invalid-feedback").wait_for()
    page.locator(".stage-form input[name=reason]").fill("对方暂停投资计划")
    page.locator(".stage-form button[type=submit]").click()
    with translation.override("zh-hans"):  # the page is in Chinese, as officers see it
        on_hold = str(Stage.ON_HOLD.label)
    page.locator(".project-stage", has_text=on_hold).wait_for()
    project.refresh_from_db()
    assert (project.stage, project.exit_reason) == (Stage.ON_HOLD, "对方暂停投资计划")

    # The list narrows as a name is typed, without leaving the page.
    page.goto(f"{live_server.url}/projects/")
    ready(page)
    page.locator("details.project-filters > summary").click()
    page.locator("#id_q").press_sequentially("苏州项目3", delay=20)
    wait_until(page, "document.querySelectorAll('.project-table tbody tr').length === 1")
    assert "苏州项目3" in page.locator(".project-table tbody").inner_text()
    assert "q=" in page.url


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_investor_is_found_by_typing_part_of_its_name(live_server, client, officer, chromium):
    investor = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment")
    OrganisationFactory(name="无锡村田电子有限公司", name_en="Wuxi Murata Electronics")
    page = logged_in_page(chromium, live_server, client, officer, PHONE, phone=True)
    page.goto(f"{live_server.url}/projects/new/")
    ready(page)
    page.locator("#id_investor_query").press_sequentially("murata (ch", delay=20)
    option = page.locator("[data-investor-pick]", has_text="村田（中国）投资有限公司")
    option.wait_for()
    assert page.locator("[data-investor-pick]").count() == 1
    option.click()
    assert page.locator("input[name=investor]").input_value() == str(investor.pk)
    page.locator("#id_name").fill("村田研发中心")
    page.locator("#id_total_investment").fill("30000")
    page.locator(".project-form button[type=submit]").click()
    page.wait_for_url("**/projects/*/")
    assert Project.objects.get(name="村田研发中心").investor == investor
