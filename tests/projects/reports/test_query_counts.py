"""Each report costs the same number of queries with 10 projects or 1,000."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import User
from crm.models import Industry, Mission
from projects.models import Replan, Stage, Target
from projects.reports import selectors
from projects.reports.periods import parse_period
from tests.factories import (
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
)

YEAR = parse_period({"year": "2024"})
STAGES = [Stage.LEAD, Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.ON_HOLD, Stage.DROPPED]


class Grower:
    """Adds projects that spread over every split (tier, cluster, park, team, officer...)."""

    def __init__(self, officers):
        self.officers = officers
        cluster = IndustryFactory(level=Industry.Level.CLUSTER)
        chain = IndustryFactory(level=Industry.Level.CHAIN, parent=cluster)
        self.industries = [cluster, chain, IndustryFactory(level=Industry.Level.LINK, parent=chain)]
        self.parks = [ParkFactory(), ParkFactory()]
        self.count = 0

    def add(self, n: int) -> None:
        for _ in range(n):
            i = self.count
            self.count += 1
            owner = self.officers[i % len(self.officers)]
            investor = OrganisationFactory(owner=owner)
            mission = MissionFactory(
                owner=owner,
                region=list(Mission.Region)[i % 4],
                start_date=dt.date(2024, 1 + i % 12, 1),
                end_date=dt.date(2024, 1 + i % 12, 3),
            )
            VisitFactory(
                owner=owner,
                organisation=investor,
                mission=mission,
                date=dt.date(2024, 1 + i % 12, 2),
                follow_up_on=dt.date(2024, 1 + i % 12, 9),
            )
            stage = STAGES[i % len(STAGES)]
            signed = stage != Stage.LEAD
            project = ProjectFactory(
                owner=owner,
                investor=investor,
                stage=stage,
                total_investment=Decimal(5000 * (1 + i % 300)),
                industry=self.industries[i % 3],
                park=self.parks[i % 2],
                is_major=i % 3 == 0,
                is_confidential=i % 5 == 0,
                source_mission=mission,
                lead_on=dt.date(2023, 12, 1),
                signed_on=dt.date(2024, 1 + i % 3, 1) if signed else None,  # before the start
                started_planned=dt.date(2024, 3, 1),
                started_on=dt.date(2024, 4, 1) if stage in (Stage.STARTED, Stage.COMPLETED) else None,
                completed_on=dt.date(2024, 5, 1) if stage == Stage.COMPLETED else None,
                held_stage=Stage.SIGNED if stage in (Stage.ON_HOLD, Stage.DROPPED) else "",
            )
            Replan.objects.create(
                project=project,
                stage=Stage.STARTED,
                old_date=dt.date(2024, 2, 1),
                new_date=dt.date(2024, 3, 1),
                reason="延期",
                changed_by=owner,
            )


def queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context.captured_queries)


REPORTS = {
    "dashboard": lambda user: selectors.dashboard(user=user, period=YEAR),
    "review": lambda user: selectors.review(user=user, period=YEAR),
    "supervision": lambda user: selectors.supervision(user=user),
    "missions": lambda user: selectors.missions(user=user, period=YEAR),
    "scorecards": lambda user: selectors.scorecards(user=user, period=YEAR),
    "targets": lambda user: selectors.targets_progress(user=user),
    "losses": lambda user: selectors.losses(user=user, period=YEAR),
    "weekly": lambda user: selectors.weekly_list(user=user, week=dt.date(2024, 6, 12), floor=Decimal(0)),
}


def test_query_count_does_not_grow_with_the_projects(frozen_today, team, other_team, reminder_rules):
    officers = [UserFactory(team=team), UserFactory(team=team), UserFactory(team=other_team)]
    manager = UserFactory(role=User.Role.MANAGER, team=team)
    Target.objects.create(
        name="签约", metric=Target.Metric.SIGNED_PROJECTS, value=10, starts_on=YEAR.start, deadline=YEAR.end
    )

    def measure() -> dict[tuple[str, str], int]:
        # Fresh user objects each time: nothing cached by one run helps the next.
        users = {"officer": User.objects.get(pk=officers[0].pk), "manager": User.objects.get(pk=manager.pk)}
        return {
            (report, role): queries(lambda run=run, user=user: run(user))
            for report, run in REPORTS.items()
            for role, user in users.items()
        }

    grower = Grower(officers)
    grower.add(10)
    small = measure()
    grower.add(990)
    large = measure()
    assert large == small
    assert max(large.values()) <= 14
    # The review reads the table twice (tiers; major milestones with their late ones), as
    # its raw SQL does, and the funds once (projects.reports.landed); the supervision
    # list's rules and totals (its rows come a page at a time).
    assert large[("review", "manager")] == large[("review", "officer")] == 3
    assert large[("supervision", "manager")] == large[("supervision", "officer")] == 2


@pytest.mark.postgres_only  # GROUPING SETS (SQLite takes one query per split)
@pytest.mark.usefixtures("postgres")
def test_the_dashboards_one_pass_gives_what_one_scan_per_split_gives(frozen_today, team, other_team, reminder_rules):
    """On PostgreSQL the funnel and the seven splits come from one GROUPING SETS scan;
    the per-split queries (used elsewhere) must give the very same tables, for a manager
    and for an officer (who does not count other teams' confidential projects)."""
    officers = [UserFactory(team=team), UserFactory(team=team), UserFactory(team=other_team)]
    manager = UserFactory(role=User.Role.MANAGER, team=team)
    Grower(officers).add(60)
    ProjectFactory(owner=officers[0], team=None, park=None, industry=None, signed_on=dt.date(2024, 5, 1))
    for user in (manager, officers[0]):
        one_pass = selectors.dashboard(user=user, period=YEAR)
        with CaptureQueriesContext(connection) as context:
            connection.vendor = "sqlite-like"  # takes the per-split path
            try:
                per_split = selectors.dashboard(user=user, period=YEAR)
            finally:
                connection.vendor = "postgresql"
        assert len(context.captured_queries) == 12  # and one for the figures after the signing (funds)
        assert one_pass.funnel.rows == per_split.funnel.rows
        assert [(t.key, t.rows) for t in one_pass.splits] == [(t.key, t.rows) for t in per_split.splits]
        assert queries(lambda user=user: selectors.dashboard(user=user, period=YEAR)) == 4  # no targets here
    officer_view = selectors.dashboard(user=officers[0], period=YEAR)
    manager_view = selectors.dashboard(user=manager, period=YEAR)
    assert officer_view.funnel.rows[2]["count"] < manager_view.funnel.rows[2]["count"]  # confidential ones
