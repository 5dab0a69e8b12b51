"""The demo's front of the pipeline (issue 22): shared credit and this week's news.

Run after the pipeline, with its dates and history in place: two big signed projects
whose credit two teams share (so the team scorecards show fractions that add up to the
zone's total), and a big new lead and a big project moved today (so the leadership's
weekly list is never empty, whatever day the demo is built). The dropped projects'
loss reasons are written by the pipeline itself (projects.demo.pipeline).
Deterministic: the projects are chosen by amount and name, not at random.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from core.models import Team, User
from projects.credit import Share, project_set_credit
from projects.models import SIGNED_OR_LATER, Project, Stage
from projects.reports.selectors.weekly import WEEKLY_FLOOR
from projects.services import project_change_stage, project_save

# (share of the project's own team, the other team's share), in percent.
SPLITS = [(Decimal(60), Decimal(40)), (Decimal(50), Decimal(50))]


def build_front_demo() -> dict[str, int]:
    admin = User.objects.get(username="admin")
    teams = list(Team.objects.order_by("name"))
    split = 0
    signed = Project.objects.filter(stage__in=SIGNED_OR_LATER, is_confidential=False).order_by(
        "-total_investment", "name"
    )
    for project, (own, other) in zip(signed[: len(SPLITS)], SPLITS, strict=False):
        partner = next(team for team in teams if team.pk != project.team_id)
        project_set_credit(
            project=project,
            shares=[
                Share(project.team, own, "负责洽谈和落地服务"),
                Share(partner, other, "首谈报备，引荐投资方"),
            ],
            by=admin,
        )
        split += 1
    today = timezone.localdate()
    lead = (
        Project.objects.filter(stage=Stage.LEAD, total_investment__gte=WEEKLY_FLOOR, is_confidential=False)
        .exclude(owner__username="officer")
        .order_by("-total_investment", "name")
        .first()
    )
    moved = 0
    if lead is not None and (lead.lead_on is None or lead.lead_on <= today):
        project_change_stage(project=lead, to_stage=Stage.NEGOTIATING, on=today, by=lead.owner)
        moved = 1
    template = Project.objects.filter(total_investment__gte=WEEKLY_FLOOR).order_by("-total_investment", "name").first()
    new = 0
    if template is not None:
        project_save(
            project=Project(
                name="新一代功率半导体模组项目",
                investor=template.investor,
                industry=template.industry,
                total_investment=Decimal(80000),
                source_kind=Project.SourceKind.CHANNEL,
                source_note="百渠工程合作机构引荐",
                owner=template.owner,
                team=template.team,
            ),
            by=template.owner,
        )
        new = 1
    return {"credit splits": split, "moved this week": moved, "new this week": new}
