"""Long lists count their rows up to a bound: below it the count (and total) is exact,
above it the page says "more than N", and every page stays reachable. The list and the
board run a fixed number of queries (at most 12), however many projects there are.

The bound is lowered here (a real one is 10,000 rows) so that a few projects cross it.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pagination
from projects import selectors
from tests.factories import ProjectFactory, project_in_stage

pytestmark = pytest.mark.django_db

LIST = reverse("projects:project_list")
BOARD = reverse("projects:board")


@pytest.fixture(autouse=True)
def english(client, settings):
    """The wording is asserted in English here (Chinese is the default); the last test
    reads the Chinese page."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _projects(owner, n: int, **kwargs) -> None:
    for i in range(n):
        ProjectFactory(owner=owner, name=f"项目{i:03d}", total_investment=Decimal(1000 + i), **kwargs)


def _queries(client, url: str) -> int:
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_a_small_list_shows_its_exact_count_and_total(client, officer):
    _projects(officer, 3)
    client.force_login(officer)
    text = _text(client.get(LIST))
    assert "3 projects" in text
    assert "total investment" in text
    assert "More than" not in text


def test_past_the_bound_the_list_says_more_than_and_every_page_is_reachable(client, officer, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    _projects(officer, 8)
    client.force_login(officer)

    first = client.get(LIST + "?sort=name")
    text = _text(first)
    assert "More than 5 projects" in text
    assert "narrow the filters to see their total investment" in text
    assert "Page 1 of at least 3" in text
    assert "sort=name&amp;page=2" in text
    assert [p.name for p in first.context["page"]] == ["项目000", "项目001"]

    # A page past the counted ones: counted further, it is found, and so is the end.
    last = client.get(LIST + "?sort=name&page=4")
    text = _text(last)
    assert [p.name for p in last.context["page"]] == ["项目006", "项目007"]
    assert "8 projects" in text
    assert "Page 4 of 4" in text
    assert "page=5" not in text

    # Narrowed below the bound, the count and total are exact again.
    narrowed = _text(client.get(LIST + "?q=项目001"))
    assert "1 project ·" in narrowed
    assert "More than" not in narrowed


def test_the_bounded_count_leaves_out_what_the_officer_may_not_see(client, officer, secret_project, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)
    _projects(officer, 4)
    client.force_login(officer)
    response = client.get(LIST)
    assert response.context["result"].count == 4
    assert response.context["result"].exact
    assert secret_project.name not in _text(response)


def test_a_board_column_past_the_bound_says_more_than(client, officer, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_COUNT_BOUND", 3)
    _projects(officer, 5)
    project_in_stage("signed", owner=officer, total_investment=Decimal(7000))
    client.force_login(officer)
    response = client.get(BOARD)
    columns = {column.stage: column for column in response.context["board"].columns}
    assert (columns["lead"].n, columns["lead"].exact, columns["lead"].total) == (3, False, None)
    assert (columns["signed"].n, columns["signed"].exact, columns["signed"].total) == (1, True, Decimal(7000))
    assert [card.name for card in columns["lead"].cards] == ["项目004", "项目003", "项目002", "项目001", "项目000"]
    assert "more than 3" in _text(response)


def test_the_list_and_the_board_run_the_same_few_queries_with_more_projects(client, officer, manager, reminder_rules):
    urls = [
        LIST,
        LIST + "?stage=signed&stage=lead&tier=above_100m&overdue=any&sort=-investment",
        LIST + "?page=2",
        BOARD,
        BOARD + f"?team={officer.team_id}&overdue=any",
    ]
    _projects(officer, 3)
    project_in_stage("signed", owner=officer)
    counts = {}
    for user in (officer, manager):
        client.force_login(user)
        counts[user.username] = {url: _queries(client, url) for url in urls}
    _projects(officer, 60)
    for stage in ["negotiating", "signed", "started", "on_hold"]:
        project_in_stage(stage, owner=officer)
    for user in (officer, manager):
        client.force_login(user)
        assert {url: _queries(client, url) for url in urls} == counts[user.username]
    assert max(n for per_user in counts.values() for n in per_user.values()) <= 12, counts


def test_my_work_lists_the_first_milestones_and_counts_them_up_to_a_bound(client, officer, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(selectors, "MILESTONES_SHOWN", 2)
    monkeypatch.setattr(selectors, "MILESTONE_COUNT_BOUND", 3)
    today = timezone.localdate()
    for days in (5, 9, 1, 7):
        ProjectFactory(owner=officer, name=f"晚{days}天", signed_planned=today - dt.timedelta(days=days))
    ProjectFactory(owner=officer, name="快到了", signed_planned=today + dt.timedelta(days=3))
    client.force_login(officer)
    response = client.get("/")
    work = response.context["work"]
    # The most overdue first, as before; then how many there are, up to the bound.
    assert [m.project.name for m in work.overdue] == ["晚9天", "晚7天"]
    assert (work.overdue_count, work.overdue_exact) == (3, False)
    assert [m.project.name for m in work.due_soon] == ["快到了"]
    assert (work.due_soon_count, work.due_soon_exact, work.due_soon_more) == (1, True, 0)
    overdue = _text(response).split('id="overdue"')[1].split('id="due-soon"')[0]
    assert "more than 3" in overdue
    assert "晚9天" in overdue
    assert "晚5天" not in overdue


def test_past_the_bound_the_chinese_list_says_more_than(client, officer, monkeypatch, settings):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    _projects(officer, 8)
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    text = _text(client.get(LIST))
    assert "超过 5 个项目" in text
    assert "缩小筛选范围后可查看总投资" in text
    assert "第1页，至少3页" in text
