"""The annual / monthly review: the figures of the paragraph and the table under it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.models import User
from projects.models import Stage, actual_field, planned_field
from projects.reports.landed import figures
from projects.reports.periods import Period
from projects.reports.selectors.common import REVIEW_STAGES, ZERO, Column, Links, Table, _new_projects, yi
from projects.tiers import TIER_FLOORS, Tier, tier_expression


@dataclass
class LateMilestone:
    project_id: int
    name: str
    stage: str
    planned: dt.date
    reached: dt.date | None
    days_late: int


@dataclass
class MajorMilestones:
    stage: str
    planned: int
    reached: int
    late: list[LateMilestone]

    @property
    def all_reached(self) -> bool:
        return self.planned > 0 and self.reached == self.planned


@dataclass
class Review:
    period: Period
    today: dt.date
    new_projects: Table  # per tier
    above_threshold_count: int  # 亿元以上
    above_threshold_yi: Decimal
    above_1b_count: int  # 10亿元以上
    above_10b_count: int  # 100亿元以上
    new_total_count: int
    new_total_yi: Decimal
    majors: list[MajorMilestones]
    milestones: Table
    paragraphs: dict[str, str] = field(default_factory=dict)
    # Funds in place, foreign capital actually used, ... (projects.reports.landed).
    landed: list = field(default_factory=list)

    def major(self, stage: str) -> MajorMilestones:
        return next(m for m in self.majors if m.stage == stage)


def review(*, user: User, period: Period, today: dt.date | None = None) -> Review:
    """The figures of the manager's paragraph and the table under it: 2 queries."""
    from projects.reports import review as wording

    today = today or timezone.localdate()
    links = Links()
    live_stages = [stage.value for stage in Stage if stage != Stage.DROPPED]
    signed = _new_projects(user).filter(signed_on__range=(period.start, period.end))
    per_tier = {
        row["tier"]: row
        for row in signed.annotate(tier=tier_expression())
        .values("tier")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by()
    }
    new_projects = Table(
        "new_projects",
        _("New projects signed, by size tier"),
        [
            Column("tier", _("Tier"), "text", internal=True),
            Column("label", _("Tier"), "text"),
            Column("count", _("Projects"), "int"),
            Column("investment_yi", _("Total investment (100M yuan)"), "yi"),
        ],
    )
    signed_params = {"signed_after": period.start, "signed_before": period.end, "stage": live_stages}
    for tier in reversed(list(Tier)):
        row = per_tier.get(tier.value, {})
        new_projects.rows.append(
            {
                "tier": tier.value,
                "label": str(tier.label),
                "count": row.get("n", 0),
                "investment_yi": yi(row.get("total")),
                "links": dict.fromkeys(("count", "investment_yi"), links.url({**signed_params, "tier": tier.value})),
            }
        )
    above = [tier.value for _floor, tier in TIER_FLOORS]
    above_count = sum(per_tier.get(t, {}).get("n", 0) for t in above)
    above_total = sum((per_tier.get(t, {}).get("total") or ZERO for t in above), ZERO)
    new_projects.rows.append(
        {
            "tier": "total",
            "label": str(_("Total")),
            "count": sum(row.get("n", 0) for row in per_tier.values()),
            "investment_yi": yi(sum((row.get("total") or ZERO for row in per_tier.values()), ZERO)),
            "links": dict.fromkeys(("count", "investment_yi"), links.url(signed_params)),
        }
    )

    majors = _major_milestones(user, period, today)
    milestones = Table(
        "major_milestones",
        _("Major projects: planned and reached"),
        [
            Column("stage", _("Milestone"), "text", internal=True),
            Column("label", _("Milestone"), "text"),
            Column("planned", _("Planned in the period"), "int"),
            Column("reached", _("Reached"), "int"),
            Column("late", _("Late"), "text"),
        ],
    )
    for major in majors:
        planned_params = {
            "is_major": "true",
            "stage": live_stages,
            f"{major.stage}_planned_after": period.start,
            f"{major.stage}_planned_before": period.end,
        }
        milestones.rows.append(
            {
                "stage": major.stage,
                "label": str(Stage(major.stage).label),
                "planned": major.planned,
                "reached": major.reached,
                "late": wording.late_text(major.late, translation.get_language() or "zh-hans"),
                "late_projects": [
                    {
                        "project_id": late.project_id,
                        "name": late.name,
                        "planned": late.planned,
                        "reached": late.reached,
                        "days_late": late.days_late,
                    }
                    for late in major.late
                ],
                "links": {
                    "planned": links.url(planned_params),
                    "reached": links.url({**planned_params, f"{major.stage}_before": period.end}),
                },
            }
        )
    result = Review(
        period=period,
        today=today,
        new_projects=new_projects,
        above_threshold_count=above_count,
        above_threshold_yi=yi(above_total),
        above_1b_count=sum(per_tier.get(t, {}).get("n", 0) for t in (Tier.ABOVE_1B, Tier.ABOVE_10B)),
        above_10b_count=per_tier.get(Tier.ABOVE_10B.value, {}).get("n", 0),
        new_total_count=new_projects.rows[-1]["count"],
        new_total_yi=new_projects.rows[-1]["investment_yi"],
        majors=majors,
        milestones=milestones,
    )
    result.landed = figures(user=user, period=period)
    result.paragraphs = {"zh-hans": wording.paragraph(result, "zh-hans"), "en": wording.paragraph(result, "en")}
    return result


def _major_milestones(user: User, period: Period, today: dt.date) -> list[MajorMilestones]:
    """Major projects whose (current) planned date for a stage falls in the period, and
    whether they reached it by the end of the period. Late: not reached by then (or
    reached after the period), with the planned date already past.

    One query: the major projects with a planned date in the period, counted here (the
    counts need the same rows as the late list, so one scan of the table gives both)."""
    in_period = Q()
    for stage in REVIEW_STAGES:
        in_period |= Q(**{f"{planned_field(stage)}__range": (period.start, period.end)})
    fields = ["pk", "name"] + [f(stage) for stage in REVIEW_STAGES for f in (planned_field, actual_field)]
    rows = list(_new_projects(user).filter(in_period, is_major=True).order_by().values_list(*fields))
    result = []
    for index, stage in enumerate(REVIEW_STAGES):
        planned_count = reached_count = 0
        late = []
        for row in rows:
            planned, reached = row[2 + 2 * index], row[3 + 2 * index]
            if planned is None or not period.start <= planned <= period.end:
                continue
            planned_count += 1
            if reached is not None and reached <= period.end:
                reached_count += 1
                continue
            if planned >= today:
                continue
            days = ((reached or today) - planned).days
            late.append(LateMilestone(row[0], row[1], stage.value, planned, reached, days))
        late.sort(key=lambda item: (-item.days_late, item.name, item.project_id))
        result.append(MajorMilestones(stage.value, planned_count, reached_count, late))
    return result
