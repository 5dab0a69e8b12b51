"""The rules every stored project obeys, whoever writes it.

The services (projects.services) call these before each save of a project, so the web
forms, the API, Django admin, the import and a merge all obey them: each rule is
written here once, with the message a user can act on. Where SQL can state a rule,
the database refuses a row that breaks it too (Project.Meta.constraints, named in
brackets below), so that a future code path cannot store it either:

- the fields of a project: a team, amounts not negative [project_investment_not_negative,
  project_amounts_not_negative],
  fixed-asset investment within the total, no foreign capital on a domestic project,
  planned dates in pipeline order;
- a project at 签约 (signed) or later, or one that left the pipeline there, has a
  signed amount above zero [project_signed_has_amount];
- the dates stages were reached are in pipeline order where both are known
  [project_stage_dates_in_order], a drop comes after every stage reached and the hold
  [project_dropped_after_stages]; none is in the future (not a CHECK: "today" moves);
- a dropped project has a loss reason from the list, and the competing location when
  it went to another location; no other project has either
  [project_dropped_has_loss_reason];
- a project on hold or dropped has a reason [project_exit_has_reason] and the open
  stage it left the pipeline at; a project in the pipeline has none
  [project_held_stage_iff_exit];
- the stage itself changes only through project_change_stage: project_save keeps the
  stored stage columns, and no form, serializer or admin page can write them.

A stage may be reached with its date unknown (an office's ledger names the stage but
not when): the order rules compare only dates that are both set.
"""

from __future__ import annotations

import datetime as dt
from itertools import combinations

from django.utils.translation import gettext as _

from core import clock
from core.errors import DomainError
from projects.models import (
    OPEN_STAGES,
    PIPELINE,
    PLANNED_STAGES,
    SIDE_EXITS,
    SIGNED_OR_LATER,
    LossReason,
    Project,
    Stage,
    actual_field,
    planned_field,
)

# Amounts that may be left empty but are never negative.
OPTIONAL_AMOUNTS = ["fixed_asset_investment", "foreign_capital_usd", "signed_amount", "expected_annual_output"]
# Every actual date a stage change writes.
ACTUAL_DATES = [actual_field(stage) for stage in [*PIPELINE, *SIDE_EXITS]] + ["resumed_on"]


def _label(stage: Stage | str) -> str:
    return str(Stage(stage).label)


def check_project(project: Project, *, stored: Project | None = None) -> None:
    """Every rule above, on the project as it is about to be saved; `stored` is the row
    as the database has it (None for a new project). DomainError names the field."""
    check_fields(project)
    check_pipeline(project, stored=stored)


def check_fields(project: Project) -> None:
    """The rules a project's own fields follow, whatever its stage."""
    if project.team_id is None:
        raise DomainError(_("Choose the team responsible for this project."), field="team")
    if project.total_investment is None or project.total_investment < 0:
        raise DomainError(_("Enter the total investment (10k yuan); it cannot be negative."), field="total_investment")
    for name in OPTIONAL_AMOUNTS:
        value = getattr(project, name)
        if value is not None and value < 0:
            label = Project._meta.get_field(name).verbose_name
            raise DomainError(_("The %(field)s cannot be negative.") % {"field": label}, field=name)
    if project.fixed_asset_investment and project.fixed_asset_investment > project.total_investment:
        raise DomainError(
            _("Fixed-asset investment cannot exceed the total investment."), field="fixed_asset_investment"
        )
    if project.capital_origin == Project.CapitalOrigin.DOMESTIC and project.foreign_capital_usd:
        raise DomainError(
            _("A domestic-capital project has no foreign capital; change its capital origin first."),
            field="foreign_capital_usd",
        )
    check_planned_order(project)


def check_planned_order(project: Project) -> None:
    """Planned dates follow the pipeline: a project cannot be planned to start before signing."""
    previous: tuple[Stage, dt.date] | None = None
    for stage in PLANNED_STAGES:
        planned = project.planned_date(stage)
        if planned is None:
            continue
        if previous and planned < previous[1]:
            raise DomainError(
                _(
                    "The planned date of “%(stage)s” (%(date)s) cannot be before the planned date of “%(prev)s” (%(prev_date)s)."
                )
                % {"stage": _label(stage), "date": planned, "prev": _label(previous[0]), "prev_date": previous[1]},
                field=planned_field(stage),
            )
        previous = (stage, planned)


def has_signed(project: Project) -> bool:
    """At 签约 or later, or on hold or dropped after signing."""
    return project.stage in SIGNED_OR_LATER or (project.stage in SIDE_EXITS and project.held_stage in SIGNED_OR_LATER)


def check_pipeline(project: Project, *, stored: Project | None = None) -> None:
    """The rules of the stage fields: what the stage machine keeps true after each move."""
    if has_signed(project) and (project.signed_amount is None or project.signed_amount <= 0):
        raise DomainError(
            _("A project that has signed keeps its signed amount (10k yuan): enter an amount above zero."),
            code="signed_amount_required",
            field="signed_amount",
        )
    if project.stage in SIDE_EXITS:
        if not (project.exit_reason or "").strip():
            raise DomainError(
                _("Say why the project is put on hold.")
                if project.stage == Stage.ON_HOLD
                else _("Say why the project is dropped."),
                code="reason_required",
                field="reason",
            )
        if project.held_stage not in OPEN_STAGES:
            raise DomainError(
                _("A project on hold or dropped records the stage at which it left the pipeline."),
                code="held_stage_required",
                field="stage",
            )
    elif project.held_stage:
        raise DomainError(
            _("Only a project on hold or dropped has a stage it left the pipeline at."),
            code="held_stage_not_allowed",
            field="stage",
        )
    _check_loss(project)
    _check_dates(project, stored)


def date_pairs() -> list[tuple[str, str]]:
    """(earlier, later) actual dates that must be in this order when both are set; the
    same pairs as the constraints project_stage_dates_in_order and _dropped_after_stages."""
    pairs = [(actual_field(a), actual_field(b)) for a, b in combinations(PIPELINE, 2)]
    pairs += [(actual_field(stage), actual_field(Stage.DROPPED)) for stage in PIPELINE]
    # A second hold keeps the first resumption's date, so resumed_on is not compared.
    pairs.append((actual_field(Stage.ON_HOLD), actual_field(Stage.DROPPED)))
    return pairs


def _date_label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _check_dates(project: Project, stored: Project | None) -> None:
    today = clock.today()
    for name in ACTUAL_DATES:
        value = getattr(project, name)
        # Only a date being written is judged against today: one stored earlier stays valid.
        if value is not None and value > today and (stored is None or getattr(stored, name) != value):
            raise DomainError(
                _("The date a stage is reached cannot be in the future: %(date)s is after today (%(today)s).")
                % {"date": value, "today": today},
                code="date_in_future",
                field="on",
            )
    for earlier, later in date_pairs():
        first, then = getattr(project, earlier), getattr(project, later)
        if first is not None and then is not None and then < first:
            raise DomainError(
                _("“%(later)s” (%(date)s) cannot be before “%(earlier)s” (%(earlier_date)s).")
                % {
                    "later": _date_label(later),
                    "date": then,
                    "earlier": _date_label(earlier),
                    "earlier_date": first,
                },
                code="date_before_previous",
                field="on",
            )


def loss_asked(loss_reason: str, lost_to: str) -> tuple[str, str]:
    """The loss reason and competing location of a drop as given, checked and trimmed;
    the location is kept only for "went to another location"."""
    reason, place = (loss_reason or "").strip(), " ".join((lost_to or "").split())
    if reason not in LossReason.values:
        raise DomainError(
            _("Choose why the project was lost from the list."), code="loss_reason_required", field="loss_reason"
        )
    if reason != LossReason.OTHER_LOCATION:
        return reason, ""
    if not place:
        raise DomainError(_("Say which location the project went to."), code="lost_to_required", field="lost_to")
    if len(place) > Project._meta.get_field("lost_to").max_length:
        raise DomainError(_("The name of the location is too long."), code="lost_to_too_long", field="lost_to")
    return reason, place


def _check_loss(project: Project) -> None:
    if project.stage == Stage.DROPPED:
        loss_asked(project.loss_reason, project.lost_to)
    elif project.loss_reason or project.lost_to:
        raise DomainError(
            _("Only a dropped project has a loss reason."), code="loss_reason_not_allowed", field="loss_reason"
        )
