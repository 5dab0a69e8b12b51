"""Pipeline reports (issue 5): one selector per report, aggregated in the database.

A package split by report; import from here (projects.reports.selectors).

The web pages, the JSON endpoints (projects.reports.api) and the exports call these
selectors, so they cannot disagree. Every project queryset starts from
core.permissions.visible_projects: an officer's report never counts a confidential
project of another team.

Each report returns plain rows with column definitions (`Table`): an exporter writes
`columns` as the header and each row's values under them; `row["links"]` (column key
-> URL of the project list that makes up the number) is for the pages only.

Definitions:
- "Reached a stage in the period": the stage's actual date lies in the period. A
  project that was signed and dropped later still counts as signed in the funnel; the
  review's "new projects" leaves dropped ones out.
- Amounts are total investment (总投资), stored in 万元 and reported in 亿元.
- Planned dates are the current plan (after any re-plan); the supervision list shows
  the original plan and each re-plan.
"""

from projects.reports.selectors.annual_review import LateMilestone, MajorMilestones, Review, review
from projects.reports.selectors.common import (
    FUNNEL_STAGES,
    REVIEW_STAGES,
    SIDE_EXIT_STAGES,
    Column,
    Links,
    Table,
    percent,
    project_list_base,
    visible,
    yi,
)
from projects.reports.selectors.dashboard import SPLITS, Dashboard, dashboard, dashboard_split
from projects.reports.selectors.losses import Losses, losses
from projects.reports.selectors.missions import MissionReport, missions
from projects.reports.selectors.scorecards import Scorecards, scorecard_scope, scorecards
from projects.reports.selectors.supervision import SUPERVISION_ORDERINGS, supervision, supervision_options
from projects.reports.selectors.targets import target_actual, targets_progress, time_elapsed
from projects.reports.selectors.weekly import WEEKLY_FLOOR, Weekly, parse_week, weekly_list

__all__ = [
    "FUNNEL_STAGES",
    "REVIEW_STAGES",
    "SIDE_EXIT_STAGES",
    "SPLITS",
    "SUPERVISION_ORDERINGS",
    "Column",
    "Dashboard",
    "LateMilestone",
    "Losses",
    "Links",
    "MajorMilestones",
    "MissionReport",
    "Review",
    "Scorecards",
    "Table",
    "WEEKLY_FLOOR",
    "Weekly",
    "dashboard",
    "dashboard_split",
    "losses",
    "missions",
    "parse_week",
    "percent",
    "project_list_base",
    "review",
    "scorecard_scope",
    "scorecards",
    "supervision",
    "supervision_options",
    "target_actual",
    "targets_progress",
    "time_elapsed",
    "visible",
    "weekly_list",
    "yi",
]
