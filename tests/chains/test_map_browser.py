"""The chain map in a real browser (Debian's Chromium, headless): an officer adds a
target to an empty link and the list of gaps nobody works on shrinks."""

from __future__ import annotations

import pytest

from chains.models import ChainTarget
from tests.factories import OrganisationFactory
from tests.web.test_browser import _log_in, _screenshot, chromium_page  # noqa: F401  (a fixture)


@pytest.mark.django_db(transaction=True)
def test_an_officer_adds_a_target_to_an_empty_link_and_the_gap_list_shrinks(
    live_server,
    client,
    officer,
    industry,
    links,
    chromium_page,  # noqa: F811
):
    OrganisationFactory(name="本地衬底有限公司", industry=links[0], is_in_zone=True)
    OrganisationFactory(name="氮化镓外延株式会社", name_en="GaN Epi Co., Ltd.")
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/industries/{links[0].parent.parent_id}/map/")

    assert page.locator("#untargeted-gap-count").inner_text() == "3"
    assert page.locator(".chain-link .card-header").all_inner_texts()[0].startswith("1. 衬底")
    # Scripts come from files only (a strict CSP is coming).
    assert page.evaluate("[...document.scripts].filter(s => !s.src).length") == 0

    card = page.locator(f"#link-{links[1].pk}")
    card.locator("summary").click()
    card.locator("input[name=organisation_query]").press_sequentially("GaN Epi", delay=20)
    option = card.locator("[data-target-pick]", has_text="氮化镓外延株式会社")
    option.wait_for()
    option.click()
    card.locator("input[name=note]").fill("外延龙头")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator(f"#link-{links[1].pk} .target-entry", has_text="氮化镓外延株式会社").wait_for()
    _screenshot(page, "chain-map-375.png")

    assert page.locator("#untargeted-gap-count").inner_text() == "2"
    assert page.locator("#gap-count").inner_text() == "3"  # still a gap: nothing in the zone yet
    assert ChainTarget.objects.get().added_by == officer
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []
