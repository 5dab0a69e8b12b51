"""The compound-semiconductor map on the demo zone, in a real browser: an officer adds
a target to a link nobody works on, and the list of such gaps shrinks by one.

The demo zone takes a while to build (about half a minute).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction

from chains.models import ChainTarget, IndustryProfile
from chains.selectors import chain_map
from core.models import User
from crm.models import Industry, Organisation
from projects.demo import build_demo_zone
from tests.web.test_browser import _log_in, chromium_page  # noqa: F401  (a fixture)

COMPOUND = "化合物半导体和先进封测"


@pytest.fixture
def demo_zone(transactional_db):
    """Built inside the test (committed, so the live server's thread reads it); the
    transactional test empties the database afterwards. Asked for after the browser,
    so a machine without Chromium skips before spending time on it."""
    with transaction.atomic():  # one commit: much faster than one per row
        build_demo_zone()
        # What projects.demo does once it asks every app for its demo (see README).
        return apps.get_app_config("chains").build_demo()


@pytest.mark.django_db(transaction=True)
def test_demo_map_adding_a_target_to_an_empty_link_shrinks_the_gap_list(
    demo_zone,
    live_server,
    client,
    chromium_page,  # noqa: F811
):
    # Seven industries have their workbench: five future industries and two landmark clusters.
    assert IndustryProfile.objects.count() == 7
    industry = Industry.objects.get(name=COMPOUND, level=Industry.Level.CLUSTER)
    officer = User.objects.get(username="officer")
    before = chain_map(user=officer, industry=industry)
    assert [row.link.name for row in before.links[:6]] == ["衬底", "外延", "器件设计", "制造", "封装测试", "应用"]
    assert any(row.leader for row in before.links)
    empty = before.gaps_without_targets[0]
    company = Organisation.objects.filter(kind=Organisation.Kind.COMPANY, is_in_zone=False).order_by("name").first()

    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/industries/{industry.pk}/map/")
    count = len(before.gaps_without_targets)
    assert page.locator("#untargeted-gap-count").inner_text() == str(count)

    card = page.locator(f"#link-{empty.link.pk}")
    card.locator("summary").click()
    card.locator("input[name=organisation_query]").press_sequentially(company.name[:6], delay=20)
    option = card.locator(f"[data-target-pick='{company.pk}']")
    option.wait_for()
    option.click()
    card.locator("button[type=submit]").click()
    page.locator(f"#link-{empty.link.pk} .target-entry", has_text=company.name).wait_for()

    assert page.locator("#untargeted-gap-count").inner_text() == str(count - 1)
    assert ChainTarget.objects.filter(link=empty.link, organisation=company, added_by=officer).exists()
