"""The supervision list at size: pages from the database, totals by level counted there,
the same few queries for 5 late milestones or 120, and a download with every row."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from projects.models import Project, Replan, Stage
from projects.reports import selectors
from tests.factories import OrganisationFactory, ProjectFactory, VisitFactory

# The module (the package's name `supervision` is the selector function).
supervision_module = importlib.import_module("projects.reports.selectors.supervision")


# Days late of the rows made below, one per project: spread over every level of the
# default ladder (blue from 1 day, yellow from 30, red from 90).
def days_late(i: int) -> int:
    return 1 + (i * 7) % 200


def level_of(days: int) -> str:
    return "red" if days >= 90 else "yellow" if days >= 30 else "blue"


def make_late(n: int, today: dt.date, owner, *, start: int = 0) -> list[Project]:
    """n projects, each with one late start (planned `days_late(i)` days ago)."""
    investor = OrganisationFactory(owner=owner)
    VisitFactory(owner=owner, organisation=investor, date=today - dt.timedelta(days=3))
    projects = []
    for i in range(start, start + n):
        projects.append(
            ProjectFactory(
                name=f"逾期项目{i:03d}",
                owner=owner,
                investor=investor,
                stage=Stage.SIGNED,
                is_major=i % 4 == 0,
                signed_on=today - dt.timedelta(days=300),
                started_planned=today - dt.timedelta(days=days_late(i)),
            )
        )
    return projects


def expected(projects: list[Project], today: dt.date) -> list[tuple[int, int]]:
    """(project id, days late), most late first; ties: the newest project first."""
    rows = [(p.pk, (today - p.started_planned).days) for p in projects]
    return sorted(rows, key=lambda row: (-row[1], -row[0]))


def queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context.captured_queries)


@pytest.fixture
def api(manager) -> APIClient:
    client = APIClient()
    client.force_login(manager)
    return client


def test_the_api_pages_through_every_late_milestone_in_order(frozen_today, reminder_rules, manager, officer, api):
    projects = make_late(120, frozen_today, officer)
    seen, url = [], "/api/v1/reports/supervision/"
    while url:
        body = api.get(url).json()
        assert body["count"] == 120
        assert len(body["rows"]) <= 50
        seen += [(row["project_id"], row["days_late"]) for row in body["rows"]]
        url = body["next"]
    assert seen == expected(projects, frozen_today)
    assert body["previous"]  # the last page links back


def test_totals_count_late_milestones_per_level_and_those_due_soon(frozen_today, reminder_rules, manager, officer):
    projects = make_late(60, frozen_today, officer)
    # Due in 3 days (counted as due soon, not late) and in 30 days (neither).
    ProjectFactory(owner=officer, stage=Stage.NEGOTIATING, signed_planned=frozen_today + dt.timedelta(days=3))
    ProjectFactory(owner=officer, stage=Stage.NEGOTIATING, signed_planned=frozen_today + dt.timedelta(days=30))
    # Due today: not late yet.
    ProjectFactory(owner=officer, stage=Stage.NEGOTIATING, signed_planned=frozen_today)
    table = selectors.supervision(user=manager)
    by_level = {"red": 0, "yellow": 0, "blue": 0}
    for project in projects:
        by_level[level_of((frozen_today - project.started_planned).days)] += 1
    assert table.totals.late == 60
    assert {level: n for level, n in table.totals.by_level.items() if n} == {k: v for k, v in by_level.items() if v}
    assert (table.totals.due_soon, table.totals.due_soon_days) == (2, 7)  # today's and the one in 3 days
    # A level's page count is that level's total.
    red = selectors.supervision(user=manager, level="red")
    assert red.rows.count() == by_level["red"]
    assert [row["level"] for row in red.rows] == ["red"] * by_level["red"]
    # With the major filter, the totals follow.
    major = selectors.supervision(user=manager, major=True)
    assert major.totals.late == sum(1 for p in projects if p.is_major)


@pytest.mark.parametrize(
    "ordering",
    ["days_late", "-days_late", "planned", "-planned", "project", "-project", "owner", "-owner", "level", "-level"],
)
def test_every_ordering_pages_without_losing_or_repeating_a_row(
    frozen_today, reminder_rules, manager, officer, colleague, ordering
):
    make_late(35, frozen_today, officer)
    make_late(35, frozen_today, colleague, start=35)
    rows = selectors.supervision(user=manager, ordering=ordering).rows
    everything = list(rows)
    pages = rows[0:30] + rows[30:60] + rows[60:90]
    assert [(r["project_id"], r["stage"]) for r in pages] == [(r["project_id"], r["stage"]) for r in everything]
    assert len({(r["project_id"], r["stage"]) for r in everything}) == 70
    key = ordering.lstrip("-")
    values = {
        "days_late": [r["days_late"] for r in everything],
        "planned": [r["planned"] for r in everything],
        "project": [r["project"] for r in everything],
        "owner": [r["owner"] for r in everything],
        "level": [supervision_module.LEVEL_RANK[r["level"]] for r in everything],
    }[key]
    assert values == sorted(values, reverse=ordering.startswith("-"))


def test_a_page_costs_the_same_queries_with_5_or_120_late_milestones(
    frozen_today, reminder_rules, manager, officer, client, api
):
    client.force_login(manager)

    def measure() -> tuple[int, int, int]:
        return (
            queries(lambda: client.get("/reports/supervision/").content),
            queries(lambda: client.get("/reports/supervision/", {"ordering": "last_contact", "page": 2}).content),
            queries(lambda: api.get("/api/v1/reports/supervision/", {"level": "blue", "page_size": 3}).content),
        )

    make_late(5, frozen_today, officer)
    small = measure()
    make_late(115, frozen_today, officer, start=5)
    big = measure()
    assert small == big == (12, 12, 8)
    html = client.get("/reports/supervision/").content.decode()
    assert html.count('class="supervision-row"') == 50
    assert "120" in html


def test_the_page_shows_one_page_with_links_that_keep_the_filters(
    frozen_today, reminder_rules, manager, officer, client
):
    make_late(80, frozen_today, officer)
    client.force_login(manager)
    with translation.override("en"):
        html = client.get("/reports/supervision/", {"major": "false", "page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    others = sum(1 for i in range(80) if i % 4)  # 60 rows of projects that are not major
    assert html.count('class="supervision-row"') == others - 50
    assert "major=false&amp;ordering=-days_late&amp;page=1" in html


def test_an_unknown_api_page_is_a_404_and_a_bad_one_a_400(frozen_today, reminder_rules, officer, api):
    make_late(3, frozen_today, officer)
    assert api.get("/api/v1/reports/supervision/", {"page": 2}).status_code == 404
    assert api.get("/api/v1/reports/supervision/", {"page": "x"}).status_code == 400
    assert api.get("/api/v1/reports/supervision/", {"page_size": 500}).status_code == 400


def test_the_download_has_every_row_read_in_chunks(frozen_today, reminder_rules, manager, officer, client, monkeypatch):
    monkeypatch.setattr(supervision_module, "CHUNK", 7)  # 30 rows cross several chunks
    projects = make_late(30, frozen_today, officer)
    Replan.objects.create(
        project=projects[0],
        stage=Stage.STARTED,
        old_date=frozen_today - dt.timedelta(days=400),
        new_date=projects[0].started_planned,
        reason="土地指标延后",
        changed_by=officer,
    )
    client.force_login(manager)
    answer = client.get("/transfer/export/reports/supervision.xlsx")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    names = {project.pk: project.name for project in projects}
    assert [row[0] for row in rows] == [names[pk] for pk, _days in expected(projects, frozen_today)]
    first = next(row for row in rows if row[0] == projects[0].name)
    assert "土地指标延后" in first[-1]
