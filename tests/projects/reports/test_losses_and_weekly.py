"""The lost-projects report (by reason, by competing location) and the leadership's
weekly list (5亿 and above, new or moved this week), on the page and in .xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from projects.filters import ProjectFilter
from projects.models import Project, Stage
from projects.reports import selectors
from projects.reports.periods import parse_period
from projects.services import project_change_stage
from tests.factories import ProjectFactory, project_in_stage

pytestmark = pytest.mark.django_db

YEAR = parse_period({"year": "2024"})
D = dt.date


def lost(owner, amount, reason, lost_to="", **extra):
    return project_in_stage(
        "dropped", owner=owner, total_investment=Decimal(amount), loss_reason=reason, lost_to=lost_to, **extra
    )


# --- Lost projects --------------------------------------------------------------------------


@pytest.fixture
def losses_zone(frozen_today, officer, other_officer):
    lost(officer, 80000, "other_location", "苏州工业园区")
    lost(officer, 20000, "other_location", "苏州工业园区")
    lost(other_officer, 50000, "other_location", "合肥高新区")
    lost(officer, 10000, "financing")
    # Confidential, of the other team: hidden from an officer of the first.
    lost(other_officer, 300000, "other_location", "上海临港新片区", is_confidential=True)
    # Dropped last year: not in 2024.
    lost(officer, 40000, "policy", dropped_on=D(2023, 12, 1), lead_on=D(2023, 1, 1), negotiating_on=D(2023, 2, 1))


def test_losses_count_by_reason_and_by_competing_location(losses_zone, manager):
    report = selectors.losses(user=manager, period=YEAR)
    reasons = {row["value"]: (row["count"], row["lost_yi"]) for row in report.reasons.rows}
    assert reasons == {
        "other_location": (4, Decimal("45")),
        "financing": (1, Decimal("1")),
        "policy": (0, Decimal("0")),
        "strategy": (0, Decimal("0")),
        "other": (0, Decimal("0")),
    }
    locations = [(row["location"], row["count"], row["lost_yi"]) for row in report.locations.rows]
    assert locations == [
        ("苏州工业园区", 2, Decimal("10")),
        ("上海临港新片区", 1, Decimal("30")),
        ("合肥高新区", 1, Decimal("5")),
    ]
    assert report.total == 5


def test_an_officer_never_counts_a_hidden_loss(losses_zone, officer):
    report = selectors.losses(user=officer, period=YEAR)
    assert report.total == 4
    assert "上海临港新片区" not in [row["location"] for row in report.locations.rows]


def test_a_loss_links_to_the_projects_behind_it(losses_zone, manager, client):
    report = selectors.losses(user=manager, period=YEAR)
    [suzhou] = [row for row in report.locations.rows if row["location"] == "苏州工业园区"]
    query = QueryDict(urlsplit(suzhou["links"]["count"]).query)
    listed = ProjectFilter(query, queryset=Project.objects.all()).qs
    assert sorted(listed.values_list("total_investment", flat=True)) == [Decimal(20000), Decimal(80000)]
    client.force_login(manager)
    assert client.get(suzhou["links"]["count"]).status_code == 200


def test_the_losses_page_and_its_export(losses_zone, manager, client):
    client.force_login(manager)
    page = client.get(reverse("reports:losses"), {"year": 2024}).content.decode()
    assert 'id="table-loss_reasons"' in page and 'id="table-loss_locations"' in page
    assert "苏州工业园区" in page
    export = client.get(reverse("transfer:export_report", args=["losses"]), {"year": 2024})
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 2
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][:2] == ("苏州工业园区", 2)


# --- The weekly list --------------------------------------------------------------------------
# FROZEN_TODAY is Saturday 15 June 2024: the week runs from Monday 10 to Sunday 16 June.


def _entered_long_ago(*projects: Project) -> None:
    """Projects built by the factory are entered 'now'; most of these were entered long ago."""
    Project.all_objects.filter(pk__in=[p.pk for p in projects]).update(
        created_at=timezone.make_aware(dt.datetime(2023, 1, 1, 9))
    )


@pytest.fixture
def week_zone(frozen_today, officer, other_officer, admin_user):
    p = {}
    p["new_lead"] = ProjectFactory(
        owner=officer, name="新线索8亿", total_investment=Decimal(80000), lead_on=D(2024, 6, 12)
    )
    p["small_lead"] = ProjectFactory(
        owner=officer, name="小线索", total_investment=Decimal(49999), lead_on=D(2024, 6, 12)
    )
    p["signed"] = project_in_stage("negotiating", owner=officer, name="本周签约10亿", total_investment=Decimal(100000))
    p["last_week"] = project_in_stage("negotiating", owner=officer, name="上周签约", total_investment=Decimal(90000))
    p["secret"] = project_in_stage(
        "negotiating", owner=other_officer, name="保密项目", total_investment=Decimal(70000), is_confidential=True
    )
    p["quiet"] = project_in_stage("signed", owner=officer, name="本周无变化", total_investment=Decimal(600000))
    p["corrected"] = project_in_stage("started", owner=officer, name="本周更正", total_investment=Decimal(60000))
    _entered_long_ago(*[project for key, project in p.items() if key not in ("new_lead", "small_lead")])
    for key in p:
        p[key].refresh_from_db()
    amount = {"signed_amount": Decimal(100000)}
    project_change_stage(project=p["signed"], to_stage=Stage.SIGNED, on=D(2024, 6, 11), by=officer, **amount)
    project_change_stage(project=p["last_week"], to_stage=Stage.SIGNED, on=D(2024, 6, 7), by=officer, **amount)
    project_change_stage(project=p["secret"], to_stage=Stage.SIGNED, on=D(2024, 6, 13), by=other_officer, **amount)
    project_change_stage(
        project=p["corrected"], to_stage=Stage.SIGNED, on=None, by=admin_user, correction=True, note="误录"
    )
    return p


def test_the_weekly_list_holds_the_big_new_and_moved_projects_of_the_week(week_zone, manager, frozen_today):
    with translation.override("en"):
        report = selectors.weekly_list(user=manager, week=frozen_today)
    assert (report.start, report.end) == (D(2024, 6, 10), D(2024, 6, 16))
    rows = {row["project"]: row for row in report.table.rows}
    assert list(rows) == ["本周签约10亿", "新线索8亿", "保密项目"]  # biggest first
    assert rows["新线索8亿"]["what"] == "New lead"
    assert rows["本周签约10亿"]["what"] == "Under negotiation → Signed on 2024-06-11"


def test_an_officer_does_not_see_a_hidden_project_on_the_weekly_list(week_zone, officer, frozen_today):
    report = selectors.weekly_list(user=officer, week=frozen_today)
    assert "保密项目" not in [row["project"] for row in report.table.rows]


def test_last_week_is_one_click_back(week_zone, manager, frozen_today):
    report = selectors.weekly_list(user=manager, week=frozen_today - dt.timedelta(days=7))
    assert [row["project"] for row in report.table.rows] == ["上周签约"]


def test_the_weekly_list_reads_the_same_queries_for_more_rows(week_zone, manager, officer, frozen_today):
    with CaptureQueriesContext(connection) as few:
        selectors.weekly_list(user=manager, week=frozen_today)
    for n in range(5):
        project = project_in_stage("negotiating", owner=officer, total_investment=Decimal(55000 + n))
        project_change_stage(project=project, to_stage=Stage.ON_HOLD, on=frozen_today, by=officer, reason="暂缓")
    with CaptureQueriesContext(connection) as many:
        report = selectors.weekly_list(user=manager, week=frozen_today)
    assert len(report.table.rows) == 8
    assert len(many) == len(few) == 2


def test_the_weekly_page_and_its_xlsx(week_zone, manager, client):
    client.force_login(manager)
    page = client.get(reverse("reports:weekly"))
    html = page.content.decode()
    assert page.status_code == 200 and "本周签约10亿" in html and "小线索" not in html
    assert 'href="?week=2024-06-03"' in html  # the previous week
    bad = client.get(reverse("reports:weekly"), {"week": "next tuesday"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    export = client.get(reverse("transfer:export_report", args=["weekly"]), {"week": "2024-06-12"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["本周签约10亿", "新线索8亿", "保密项目"]
    assert client.get(reverse("transfer:export_report", args=["weekly"]), {"week": "x"}).status_code == 400


def test_the_api_gives_the_same_losses(losses_zone, officer, client):
    client.force_login(officer)
    losses = client.get("/api/v1/reports/losses/", {"year": 2024}).json()
    assert losses["total"] == selectors.losses(user=officer, period=YEAR).total == 4  # the hidden one left out
    assert [row["location"] for row in losses["locations"]["rows"]] == ["苏州工业园区", "合肥高新区"]


def test_the_api_gives_the_same_weekly_list(week_zone, officer, client):
    client.force_login(officer)
    weekly = client.get("/api/v1/reports/weekly/", {"week": "2024-06-14"}).json()
    assert (weekly["start"], weekly["end"]) == ("2024-06-10", "2024-06-16")
    assert [row["project"] for row in weekly["table"]["rows"]] == ["本周签约10亿", "新线索8亿"]
    bad = client.get("/api/v1/reports/weekly/", {"week": "soon"})
    assert bad.status_code == 400 and bad.json()["field"] == "week"
