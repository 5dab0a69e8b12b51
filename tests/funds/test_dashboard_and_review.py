"""Funds in place and foreign capital actually used on the dashboard and in the
review's paragraph (registered through projects.reports.landed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from projects.reports.periods import parse_period
from projects.reports.selectors import dashboard, review
from tests.funds.conftest import MAY, entry

YEAR_2024 = parse_period({"year": "2024"})


def test_the_dashboard_shows_funds_and_dollars_against_last_year(signed, foreign, secret, officer, other_officer):
    entry(signed, MAY, 25000)
    entry(signed, dt.date(2023, 5, 1), 10000)
    entry(foreign, MAY, 710, usd=Decimal(100))
    entry(secret, MAY, 99999)
    rows = {row["key"]: row for row in dashboard(user=other_officer, period=YEAR_2024).landed.rows}
    assert (rows["funds_in_place"]["value"], rows["funds_in_place"]["last_year"]) == (Decimal("2.57"), Decimal("1.00"))
    assert rows["funds_in_place"]["change_pct"] == Decimal("157.0")
    assert rows["foreign_capital_used"]["value"] == Decimal("100.00")
    # Another team's officer (above) does not count the confidential project's funds; its team does.
    own = {row["key"]: row for row in dashboard(user=officer, period=YEAR_2024).landed.rows}
    assert own["funds_in_place"]["value"] == Decimal("12.57")


def test_the_review_paragraph_gains_the_funds_sentence_once_there_are_funds(signed, foreign, manager):
    before = review(user=manager, period=YEAR_2024).paragraphs
    assert "到位资金" not in before["zh-hans"] and "funds in place" not in before["en"]
    entry(signed, MAY, 25000)
    entry(foreign, MAY, 710, usd=Decimal(100))
    paragraphs = review(user=manager, period=YEAR_2024).paragraphs
    assert paragraphs["zh-hans"].endswith("；到位资金2.57亿元，实际使用外资100万美元。")
    assert paragraphs["en"].endswith("; CNY 257m of funds in place, USD 1m of foreign capital actually used.")


def test_the_dashboard_page_shows_the_figures(client, signed, manager):
    entry(signed, MAY, 25000)
    client.force_login(manager)
    page = client.get("/reports/?year=2024").content.decode()
    assert 'id="table-landed"' in page
