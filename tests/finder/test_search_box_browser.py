"""The header's search box in a real browser: on a phone an officer types pinyin and opens
the organisation; on a laptop "/" and Ctrl-K reach the box and the arrow keys pick a
suggestion; the open dropdown passes axe and stays inside the screen."""

from __future__ import annotations

import pytest

from tests.factories import OrganisationFactory
from tests.web.test_browser import _log_in, _screenshot, chromium_page  # noqa: F401 (a fixture)
from tests.web.test_layout_browser import AXE, AXE_PATH, AXE_RUN, LAPTOP


@pytest.mark.django_db(transaction=True)
def test_an_officer_types_pinyin_into_the_header_box_on_a_phone_and_opens_the_result(
    chromium_page,  # noqa: F811
    live_server,
    client,
    officer,
):
    murata = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment", owner=officer)
    OrganisationFactory(name="无锡芯源半导体有限公司", owner=officer)
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/crm/missions/")
    box = page.locator("#site-search")
    assert box.is_visible()  # on the phone, not folded into the menu
    box.tap()
    page.keyboard.type("cuntian", delay=30)
    option = page.locator("#site-search-list [role=option]", has_text="村田（中国）投资有限公司")
    option.wait_for()
    assert page.locator("#site-search-list mark").first.inner_text() == "村田"
    assert box.get_attribute("aria-expanded") == "true"
    dropdown = page.locator("#site-search-list").bounding_box()
    assert dropdown["x"] >= 0 and dropdown["x"] + dropdown["width"] <= 375
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    _screenshot(page, "search-dropdown-375.png")
    option.tap()
    page.wait_for_url(f"**/crm/organisations/{murata.pk}/")
    assert "村田（中国）投资有限公司" in page.locator("h1").inner_text()


@pytest.mark.django_db(transaction=True)
def test_slash_and_ctrl_k_reach_the_box_and_the_keyboard_picks_a_suggestion(
    chromium_page,  # noqa: F811
    live_server,
    client,
    officer,
):
    murata = OrganisationFactory(name="村田（中国）投资有限公司", aliases=["Murata"], owner=officer)
    _log_in(chromium_page, client, live_server, officer)
    chromium_page.route(f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=str(AXE)))
    page = chromium_page.new_page()
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/projects/")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("MURATA", delay=20)
    page.locator("#site-search-list [role=option]").first.wait_for()
    page.add_script_tag(url=f"{live_server.url}{AXE_PATH}")
    assert page.evaluate(AXE_RUN) == []
    page.keyboard.press("Escape")
    assert page.locator("#site-search-list [role=option]").count() == 0
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type(" ")  # the text was selected: typing replaces it
    page.keyboard.press("Backspace")
    page.keyboard.type("ctzg", delay=20)
    page.locator("#site-search-list [role=option]", has_text="村田").wait_for()
    page.keyboard.press("ArrowDown")
    assert page.locator("#site-search").get_attribute("aria-activedescendant") == "site-search-organisations-1"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/crm/organisations/{murata.pk}/")


@pytest.mark.django_db(transaction=True)
def test_enter_without_a_pick_opens_the_results_page(chromium_page, live_server, client, officer):  # noqa: F811
    OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/")
    page.locator("#site-search").fill("ct")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=ct")
    assert page.locator(".search-hit", has_text="村田（中国）投资有限公司").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
