"""Supervision list, mission effectiveness, scorecards and targets on the known zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict

from projects.filters import ProjectFilter
from projects.models import Target
from projects.reports import selectors
from projects.reports.periods import parse_period

YEAR_2024 = parse_period({"year": "2024"})


def test_supervision_lists_every_late_milestone_with_level_owner_contact_and_replans(zone, manager):
    rows = selectors.supervision(user=manager).rows
    assert [(row["project"], row["stage"], row["days_late"], row["level"]) for row in rows] == [
        ("P11 绝密逾期", "signed", 166, "red"),  # planned 2024-01-01
        ("P2 传感器产线", "started", 31, "yellow"),  # planned 05-15 (re-planned from 03-01)
    ]
    p2 = rows[1]
    assert p2["owner"] == "li"
    assert p2["last_contact"] == dt.date(2024, 6, 1)  # the later of the two visits to its investor
    assert p2["original_planned"] == dt.date(2024, 3, 1)
    assert p2["replan_count"] == 1
    assert p2["replans"][0]["reason"] == "土地指标延后"


def test_supervision_leaves_out_projects_on_hold_dropped_or_hidden(zone, officer):
    rows = selectors.supervision(user=officer).rows
    assert [row["project"] for row in rows] == ["P2 传感器产线"]  # P11 is another team's secret


def test_supervision_sorts_and_filters(zone, manager):
    by_owner = selectors.supervision(user=manager, ordering="owner").rows
    assert [row["owner"] for row in by_owner] == ["li", "wang"]
    fewest_days_first = selectors.supervision(user=manager, ordering="days_late").rows
    assert [row["days_late"] for row in fewest_days_first] == [31, 166]
    assert [row["project"] for row in selectors.supervision(user=manager, level="red").rows] == ["P11 绝密逾期"]
    assert [row["project"] for row in selectors.supervision(user=manager, major=True).rows] == ["P2 传感器产线"]


def test_mission_effectiveness_per_mission(zone, manager):
    report = selectors.missions(user=manager, period=YEAR_2024)
    rows = {row["title"]: row for row in report.missions.rows}
    assert set(rows) == {"日韩专题招商", "德国专题招商"}  # the 2023 mission is outside the period
    japan = rows["日韩专题招商"]
    assert (japan["visits"], japan["organisations"], japan["projects"], japan["signed"]) == (3, 2, 2, 1)
    assert japan["signed_yi"] == Decimal("15")  # P1
    assert japan["visit_to_project"] == Decimal("66.7")
    assert japan["project_to_signed"] == Decimal("50.0")
    assert rows["德国专题招商"]["projects"] == 1  # P4, confidential: a manager sees it


def test_mission_effectiveness_per_region_and_for_an_officer(zone, officer):
    report = selectors.missions(user=officer, period=YEAR_2024)
    regions = {row["region"]: row for row in report.regions.rows}
    assert regions["japan_korea"]["missions"] == 1
    assert regions["japan_korea"]["visits"] == 3
    assert regions["europe"]["projects"] == 0  # P4 is hidden from this officer
    assert regions["europe"]["visits"] == 1


def test_officer_scorecard(zone, manager):
    report = selectors.scorecards(user=manager, period=YEAR_2024)
    zhang = next(row for row in report.officers.rows if row["name"] == "zhang")
    assert zhang["visits"] == 3  # V1 V2 V3 (V7 was in 2023)
    assert zhang["new_projects"] == 2  # P5 P9
    assert (zhang["signed"], zhang["signed_yi"]) == (3, Decimal("23.5"))  # P1 P5 P7
    assert (zhang["milestones_due"], zhang["milestones_on_time"]) == (2, 1)  # P1 start late, P10 on time
    assert zhang["milestones_on_time_pct"] == Decimal("50.0")
    assert (zhang["follow_ups_due"], zhang["follow_ups_on_time"]) == (2, 1)
    teams = {row["name"]: row for row in report.teams.rows}
    assert teams["日韩招商组"]["signed"] == 5
    assert teams["欧洲招商组"]["signed"] == 2


def test_an_officer_sees_only_their_own_scorecard_and_team(zone, officer):
    report = selectors.scorecards(user=officer, period=YEAR_2024)
    assert [row["name"] for row in report.officers.rows] == ["zhang"]
    assert [row["name"] for row in report.teams.rows] == ["日韩招商组"]


def _targets():
    Target.objects.create(
        name="2024年签约投资500亿元",
        metric=Target.Metric.SIGNED_INVESTMENT,
        value=Decimal("500"),
        starts_on=dt.date(2024, 1, 1),
        deadline=dt.date(2024, 12, 31),
    )
    Target.objects.create(
        name="高新技术企业10家",
        metric=Target.Metric.HIGH_TECH,
        value=Decimal("10"),
        starts_on=dt.date(2024, 1, 1),
        deadline=dt.date(2026, 12, 31),
    )
    Target.objects.create(
        name="十亿元以上项目签约4个",
        metric=Target.Metric.SIGNED_PROJECTS,
        min_tier="above_1b",
        value=Decimal("4"),
        starts_on=dt.date(2024, 1, 1),
        deadline=dt.date(2024, 12, 31),
    )


def test_targets_progress_against_value_and_time(zone, manager):
    _targets()
    rows = {row["name"]: row for row in selectors.targets_progress(user=manager).rows}
    signed = rows["2024年签约投资500亿元"]
    assert signed["actual"] == Decimal("169.7")  # signed in 2024 so far, without the dropped P7
    assert signed["done_pct"] == Decimal("33.9")
    assert signed["time_pct"] == Decimal("45.6")  # 167 of 366 days
    assert signed["on_track"] is False
    high_tech = rows["高新技术企业10家"]
    assert high_tech["actual"] == 3  # three in the zone; the fourth is outside
    assert high_tech["done_pct"] == Decimal("30.0")
    above_1b = rows["十亿元以上项目签约4个"]
    assert above_1b["actual"] == 3  # P1 P3 P4
    # Its number links to the project list that makes it up.
    params = QueryDict(urlsplit(above_1b["links"]["actual"]).query)
    assert ProjectFilter(data=params, queryset=selectors.visible(manager)).qs.count() == 3


@pytest.mark.parametrize(
    ("moment", "time_pct"),
    [
        (dt.datetime(2024, 1, 1, 0, 1), Decimal("0.3")),  # the first day counts once begun
        (dt.datetime(2024, 12, 31, 23, 59), Decimal("100.0")),
        (dt.datetime(2025, 3, 1, 12, 0), Decimal("100.0")),  # past the deadline
    ],
)
def test_time_progress_moves_with_the_clock(db, manager, moment, time_pct):
    _targets()
    with time_machine.travel(moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        rows = {row["name"]: row for row in selectors.targets_progress(user=manager).rows}
    assert rows["2024年签约投资500亿元"]["time_pct"] == time_pct


def test_time_elapsed_reads_like_the_managers_sentence():
    # "37.2% done at 45% of the year": 45% of 2023 is gone after 165 of 365 days (14 June).
    assert selectors.time_elapsed(dt.date(2023, 1, 1), dt.date(2023, 12, 31), dt.date(2023, 6, 14)) == Decimal("45.2")


def test_the_page_and_the_download_read_unknown_options_as_the_defaults():
    from django.http import QueryDict

    from projects.reports.selectors import supervision_options

    assert supervision_options(QueryDict("ordering=bogus&level=purple&major=maybe")) == {
        "ordering": "-days_late",
        "level": None,
        "major": None,
    }
    assert supervision_options(QueryDict("ordering=owner&level=red&major=true")) == {
        "ordering": "owner",
        "level": "red",
        "major": True,
    }


def test_the_officer_scorecards_list_officers_not_their_idle_manager(zone, manager, admin_user):
    """The manager owns nothing in the zone: a row of zeros for them said nothing."""
    for user in (manager, admin_user):
        names = {row["name"] for row in selectors.scorecards(user=user, period=YEAR_2024).officers.rows}
        assert "zhang" in names
        assert "boss" not in names and "root" not in names
