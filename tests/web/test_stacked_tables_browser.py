"""The project list and My work on a phone: each project is a card of "label  value"
lines, as the report tables are, with nothing left out (the investor, the signing
date and the owner were hidden on phones); from 576 px up they are tables again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.models import User
from projects.models import Stage
from tests.factories import OrganisationFactory, ProjectFactory
from tests.web.test_browser import PHONE, _log_in, _screenshot, chromium_page  # noqa: F401

LAPTOP = {"width": 1366, "height": 900}

# Per row of the table: whether it is a card, and each shown cell's label and text.
ROWS = """(selector) => [...document.querySelectorAll(selector + " > tbody > tr")].map((tr) => ({
  card: getComputedStyle(tr).display === "block",
  cells: [...tr.children].filter((td) => td.offsetParent !== null)
    .map((td) => [td.dataset.label, td.innerText.trim()]),
}))"""


@pytest.fixture
def officers_project(db, officer):
    User.objects.filter(pk=officer.pk).update(language="zh-hans")
    investor = OrganisationFactory(name="无锡芯源半导体有限公司")
    return ProjectFactory(
        name="芯源12英寸晶圆项目",
        investor=investor,
        owner=officer,
        team=officer.team,
        stage=Stage.SIGNED,
        total_investment=Decimal("50000"),
        lead_on=dt.date(2024, 1, 5),
        negotiating_on=dt.date(2024, 2, 1),
        signed_on=dt.date(2024, 3, 8),
        signed_amount=Decimal("50000"),
    )


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_each_project_is_a_card_showing_every_column(
    chromium_page,  # noqa: F811
    live_server,
    client,
    officer,
    officers_project,
):
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/projects/")
    [row] = page.evaluate(ROWS, "table.project-table")
    assert row["card"]
    assert ["投资方", "无锡芯源半导体有限公司"] in row["cells"]
    assert any(label == "签约日期" and "2024" in text for label, text in row["cells"])
    assert any(label == "归属人" and text for label, text in row["cells"])
    assert [label for label, _text in row["cells"]][:3] == ["项目名称", "投资方", "阶段"]
    # The sort links stay, one line above the cards.
    assert page.locator("table.project-table thead a.sort-link").first.is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "project-list-cards-375.png")

    page.goto(f"{live_server.url}/")
    [row] = page.evaluate(ROWS, "table.my-projects")
    assert row["card"]
    assert ["投资方", "无锡芯源半导体有限公司"] in row["cells"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "my-work-cards-375.png")

    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/projects/")
    [row] = page.evaluate(ROWS, "table.project-table")
    assert not row["card"] and len(row["cells"]) == 6
