"""The dashboard and the review on the known zone (tests/projects/reports/dataset.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.utils import timezone

from projects import services
from projects.filters import ProjectFilter
from projects.models import Stage
from projects.reports import selectors
from projects.reports.periods import PeriodError, parse_period
from projects.reports.selectors import visible
from tests.factories import ProjectFactory

YEAR_2024 = parse_period({"year": "2024"})


def funnel(report) -> dict:
    return {row["stage"]: (row["count"], row["investment_yi"]) for row in report.funnel.rows}


def split(report, key) -> dict:
    table = next(table for table in report.splits if table.key == key)
    return {row["label"]: row for row in table.rows}


def test_the_funnel_counts_projects_that_reached_each_stage_in_the_period(zone, manager):
    report = selectors.dashboard(user=manager, period=YEAR_2024)
    assert funnel(report) == {
        "lead": (4, Decimal("34.5")),  # P4 30, P5 0.5, P8 3, P9 1
        "negotiating": (1, Decimal("0.5")),  # P5
        "signed": (7, Decimal("177.7")),  # P1 15, P2 1.2, P3 120, P4 30, P5 0.5, P7 8, P8 3
        "started": (1, Decimal("15")),  # P1
        "completed": (1, Decimal("20")),  # P10
        "producing": (0, Decimal("0")),
        "on_hold": (1, Decimal("3")),  # P8
        "dropped": (1, Decimal("8")),  # P7
    }


def test_an_officer_never_counts_a_confidential_project_of_another_team(zone, officer):
    report = selectors.dashboard(user=officer, period=YEAR_2024)
    assert funnel(report)["signed"] == (6, Decimal("147.7"))  # without P4 (30亿)
    assert funnel(report)["lead"] == (3, Decimal("4.5"))
    teams = split(report, "team")
    assert teams["欧洲招商组"]["signed_count"] == 1  # P3 only
    assert "P4 绝密项目" not in str(report)


def test_splits_by_team_tier_and_officer(zone, manager):
    report = selectors.dashboard(user=manager, period=YEAR_2024)
    teams = split(report, "team")
    assert teams["日韩招商组"]["signed_count"] == 5  # P1 P2 P5 P7 P8
    assert teams["日韩招商组"]["signed_yi"] == Decimal("27.7")
    assert teams["欧洲招商组"]["signed_count"] == 2  # P3 P4
    tiers = {row["value"]: row["signed_count"] for row in next(t for t in report.splits if t.key == "tier").rows}
    assert tiers == {"below_100m": 1, "above_100m": 3, "above_1b": 2, "above_10b": 1}  # 100m: P2 P7 P8; 1b: P1 P4
    officers = split(report, "officer")
    assert officers["zhang"]["signed_count"] == 3  # P1 P5 P7
    sources = {row["value"]: row["signed_count"] for row in next(t for t in report.splits if t.key == "source").rows}
    assert sources == {"mission": 2, "other": 5}  # P1 P4 from missions


def count_behind(row: dict, key: str) -> int:
    """The count a linked number stands for (an amount links to the projects it sums)."""
    for candidate in (key, {"investment_yi": "count"}.get(key), key.replace("_yi", "_count"), key[: -len("_yi")]):
        value = row.get(candidate) if candidate else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    raise AssertionError(f"no count behind {key}")


def assert_links_match_the_list(tables, user) -> int:
    """Links whose parameters ProjectFilter knows give the same count on the list."""
    known = set(ProjectFilter.base_filters)
    checked = 0
    for table in tables:
        for row in table.rows:
            for key, url in row["links"].items():
                params = QueryDict(urlsplit(url).query)
                if not set(params) <= known:
                    continue
                listed = ProjectFilter(data=params, queryset=visible(user)).qs.count()
                assert listed == count_behind(row, key), (table.key, row.get("label"), key, url)
                checked += 1
    return checked


def test_every_linked_number_matches_the_filtered_project_list(zone, manager, officer):
    checked = 0
    for user in (manager, officer):
        report = selectors.dashboard(user=user, period=YEAR_2024)
        checked += assert_links_match_the_list([report.funnel, report.trend, *report.splits], user)
        review = selectors.review(user=user, period=YEAR_2024)
        checked += assert_links_match_the_list([review.new_projects, review.milestones], user)
        scorecards = selectors.scorecards(user=user, period=YEAR_2024)
        checked += assert_links_match_the_list([scorecards.officers, scorecards.teams], user)
        missions = selectors.missions(user=user, period=YEAR_2024)
        checked += assert_links_match_the_list([missions.missions], user)
    assert checked > 60


def test_links_use_the_project_filter_parameter_names(zone, manager):
    report = selectors.dashboard(user=manager, period=YEAR_2024)
    signed = next(row for row in report.funnel.rows if row["stage"] == "signed")
    assert parse_qs(urlsplit(signed["links"]["count"]).query) == {
        "signed_after": ["2024-01-01"],
        "signed_before": ["2024-12-31"],
    }


def test_trend_compares_each_month_with_the_same_month_last_year(zone, manager):
    trend = selectors.dashboard(user=manager, period=YEAR_2024).trend.rows
    by_month = {row["month"]: row for row in trend}
    assert by_month[2]["this_year_yi"] == Decimal("128")  # P3 120 + P7 8
    assert by_month[2]["this_year_count"] == 2
    assert by_month[12]["last_year_yi"] == Decimal("2")  # P6, signed 2023-12-31
    assert by_month[6]["last_year_yi"] == Decimal("20")  # P10, signed 2023-06-01
    assert len(trend) == 12


def test_review_figures_match_counting_by_hand(zone, manager):
    review = selectors.review(user=manager, period=YEAR_2024)
    assert review.above_threshold_count == 5  # P1 P2 P3 P4 P8 (P7 dropped, P5 below 1亿)
    assert review.above_threshold_yi == Decimal("169.2")
    assert review.above_10b_count == 1  # P3
    assert review.above_1b_count == 3  # P1 P3 P4
    tiers = {row["tier"]: (row["count"], row["investment_yi"]) for row in review.new_projects.rows}
    assert tiers["total"] == (6, Decimal("169.7"))
    assert tiers["below_100m"] == (1, Decimal("0.5"))
    started = review.major(Stage.STARTED)
    assert (started.planned, started.reached) == (2, 1)  # P1 started, P2 not
    assert [(late.name, late.days_late) for late in started.late] == [("P2 传感器产线", 31)]
    completed = review.major(Stage.COMPLETED)
    assert (completed.planned, completed.reached, completed.late) == (2, 1, [])  # P10 done, P1 not due yet


def test_review_paragraph_in_chinese_and_english(zone, manager):
    review = selectors.review(user=manager, period=YEAR_2024)
    assert review.paragraphs["zh-hans"] == (
        "2024年新批亿元以上项目5个，总投资169.2亿元，其中100亿元以上项目1个；"
        "2个重大产业项目计划开工，已开工1个，2个计划竣工项目已竣工1个。"
    )
    assert review.paragraphs["en"] == (
        "In 2024, 5 new projects of 100M yuan or more were signed, with a total investment of CNY 16.9bn; "
        "1 of them is 10B yuan or more; 1 of 2 major projects planned to start has started; "
        "1 of 2 major projects planned to complete has completed."
    )


def test_review_says_all_started_when_every_planned_start_happened(zone, manager):
    review = selectors.review(user=manager, period=parse_period({"year": "2024", "quarter": "2"}))
    # Q2: P2 (planned 05-15, not started) and P1 (planned 04-20, started) -> 1 of 2.
    assert review.major(Stage.STARTED).planned == 2
    q1 = selectors.review(user=manager, period=parse_period({"year": "2024", "quarter": "1"}))
    assert "1个计划竣工项目全部竣工" in q1.paragraphs["zh-hans"]  # P10 planned 03-31, done 03-30
    assert "the one major project planned to complete has completed" in q1.paragraphs["en"]


def test_review_for_an_officer_leaves_out_what_they_cannot_see(zone, officer):
    review = selectors.review(user=officer, period=YEAR_2024)
    assert review.above_threshold_count == 4
    assert review.above_threshold_yi == Decimal("139.2")
    assert "4个，总投资139.2亿元" in review.paragraphs["zh-hans"]


def test_a_replanned_milestone_counts_under_its_new_date(zone, manager):
    # P2's start was first planned for 1 March; it now counts in Q2, not in Q1.
    q1 = selectors.review(user=manager, period=parse_period({"year": "2024", "quarter": "1"}))
    assert q1.major(Stage.STARTED).planned == 0


def test_period_edges_month_and_custom(zone, manager):
    march = selectors.dashboard(user=manager, period=parse_period({"year": "2024", "month": "3"}))
    assert funnel(march)["signed"] == (2, Decimal("18"))  # P1 03-10, P8 03-01
    custom = selectors.dashboard(user=manager, period=parse_period({"start": "2023-12-31", "end": "2024-01-05"}))
    assert funnel(custom)["signed"] == (2, Decimal("3.2"))  # P6 on the first day, P2 on the last


@pytest.mark.django_db
def test_a_project_signed_at_2359_on_31_december_shanghai_belongs_to_that_year(officer):
    project = ProjectFactory(
        owner=officer,
        stage=Stage.NEGOTIATING,
        lead_on=dt.date(2024, 6, 1),
        negotiating_on=dt.date(2024, 7, 1),
        total_investment=Decimal("20000"),
    )
    late_evening = dt.datetime(2024, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))  # 15:59 UTC
    with time_machine.travel(late_evening, tick=False):
        services.project_change_stage(
            project=project,
            to_stage=Stage.SIGNED,
            on=timezone.localdate(),
            by=officer,
            signed_amount=Decimal("20000"),
        )
    project.refresh_from_db()
    assert project.signed_on == dt.date(2024, 12, 31)
    in_2024 = selectors.review(user=officer, period=parse_period({"year": "2024"}))
    in_2025 = selectors.review(user=officer, period=parse_period({"year": "2025"}))
    assert (in_2024.above_threshold_count, in_2025.above_threshold_count) == (1, 0)
    q4 = selectors.dashboard(user=officer, period=parse_period({"year": "2024", "quarter": "4"}))
    assert funnel(q4)["signed"] == (1, Decimal("2"))


@pytest.mark.parametrize(
    "params",
    [
        {"year": "1999"},
        {"year": "abc"},
        {"quarter": "5"},
        {"month": "0"},
        {"quarter": "1", "month": "2"},
        {"start": "2024-01-01"},
        {"start": "2024-02-01", "end": "2024-01-01"},
        {"start": "2024-02-30", "end": "2024-03-01"},
        {"year": "2024", "start": "2024-01-01", "end": "2024-02-01"},
    ],
)
def test_a_period_that_makes_no_sense_is_refused(params):
    with pytest.raises(PeriodError):
        parse_period(params)


def test_periods_cover_whole_quarters_months_and_leap_days():
    q1 = parse_period({"year": "2024", "quarter": "1"})
    assert (q1.start, q1.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    february = parse_period({"year": "2024", "month": "2"})
    assert february.end == dt.date(2024, 2, 29)
    assert february.label("zh-hans") == "2024年2月"
    assert parse_period({"year": "2024", "quarter": "3"}).label("zh-hans") == "2024年第三季度"
    assert parse_period({"month": "6"}, today=dt.date(2030, 1, 1)).start == dt.date(2030, 6, 1)


def test_the_splits_written_in_python_are_the_templates_markup(zone, manager):
    """The dashboard writes its long split tables in Python (projects.reports.html):
    the same HTML as templates/projects/reports/_table.html, in both languages."""
    import re

    from django.template.loader import render_to_string
    from django.utils import translation

    from projects.reports.html import table_html

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()

    for language in ("zh-hans", "en"):
        with translation.override(language):
            report = selectors.dashboard(user=manager, period=YEAR_2024)
            empty = selectors.dashboard(user=manager, period=parse_period({"year": "2015"}))
            for table in [*report.splits, report.funnel, report.trend, empty.splits[0]]:
                expected = render_to_string("projects/reports/_table.html", {"table": table})
                assert squeeze(table_html(table)) == squeeze(expected), table.key


def test_a_split_loaded_on_its_own_is_the_dashboards_split(zone, client, manager):
    """The dashboard page loads its closed splits when opened: the same table, for the
    page's period; an unknown split is not found, a bad period is refused."""
    from django.utils import translation

    from projects.reports.html import table_html

    client.force_login(manager)
    # The page answers in the office's language (Chinese); build the expected tables in it
    # too, whatever language an earlier test in this process left active.
    with translation.override("zh-hans"):
        report = selectors.dashboard(user=manager, period=YEAR_2024)
        for table in report.splits:
            alone = selectors.dashboard_split(user=manager, period=YEAR_2024, key=table.key)
            assert table_html(alone) == table_html(table), table.key
            response = client.get(f"/reports/splits/{table.key}/", {"year": 2024})
            assert response.status_code == 200
            assert response.content.decode() == table_html(table, show_caption=False)
    assert client.get("/reports/splits/nonsense/", {"year": 2024}).status_code == 404
    assert client.get("/reports/splits/officer/", {"year": "abc"}).status_code == 400
    client.logout()
    assert client.get("/reports/splits/officer/").status_code == 302
