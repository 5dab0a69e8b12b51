"""Writes to pipeline projects. The stage machine is project_change_stage: the only
code that moves a project between stages (admin, web, API and import all call it)."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import operator
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core import bulk, clock, permissions
from core.errors import DomainError, NotFound, NotPermitted, StaleVersion
from core.records import (
    clean_new_record,
    full_clean_or_refuse,
    prepare_owned_record,
    stored_version,
    validation_error_to_domain,
)
from crm import collisions
from crm import services as crm_services
from crm.models import Visit
from projects import rules
from projects.models import (
    LOSS_FIELDS,
    OPEN_STAGES,
    PIPELINE,
    PLANNED_STAGES,
    SIDE_EXITS,
    TRANSITIONS,
    Project,
    Replan,
    Stage,
    StageChange,
    actual_field,
    planned_field,
)

if TYPE_CHECKING:
    from core.models import User


def _label(stage: Stage | str) -> str:
    return str(Stage(stage).label)


def _visible_or_not_found(project: Project, by: User) -> None:
    if project.is_deleted or not permissions.can_view_project(by, project):
        raise NotFound(_("No such project."))


def _start_as_lead(project: Project) -> None:
    """A new project starts as a lead, noted today unless an earlier date is given."""
    today = clock.today()
    project.stage = Stage.LEAD
    project.lead_on = project.lead_on or today
    if project.lead_on > today:
        raise DomainError(_("A lead cannot be noted in the future."), field="lead_on")


# --- Last activity (what the quiet-project reminder counts from) ----------------
#
# Project.last_activity_on is the later of the local date of the project's last edit
# and the date of the last visit to its investor. Every save of a project is an edit
# (a stage change and a re-plan too), made today, and visits are never dated in the
# future (crm.services refuses them): a saved project was last active today. A visit
# added, deleted or moved (in date or to another organisation) changes its investors'
# last visit: their projects are recomputed, since deleting the latest visit makes the
# date earlier.


def project_touch(project: Project) -> None:
    """Call before saving a project (created, edited, moved, deleted or restored): it
    was active today. Every save of a project goes through here."""
    project.last_activity_on = timezone.localdate(timezone=timezone.get_default_timezone())


def last_activity() -> models.Expression:
    """A project's last activity computed from its edit time and its investor's visits:
    what Project.last_activity_on holds."""
    last_edit = TruncDate("updated_at", tzinfo=timezone.get_default_timezone())
    last_visit = Subquery(
        Visit.objects.filter(organisation=OuterRef("investor_id")).order_by("-date").values("date")[:1],
        output_field=DateField(),
    )
    return Greatest(last_edit, Coalesce(last_visit, last_edit), output_field=DateField())


def projects_refresh_last_activity(*, investor_ids: Iterable[int] | None = None) -> int:
    """Recompute the last activity of the projects of these investors (every project
    when None), deleted ones included; one UPDATE of the rows whose date changes (the
    edit time stays: a visit is not an edit). Returns how many changed."""
    projects = Project.all_objects.all()
    if investor_ids is not None:
        projects = projects.filter(investor_id__in=sorted(set(investor_ids)))
    computed = last_activity()
    return projects.exclude(last_activity_on=computed).update(last_activity_on=computed)


def _visits_changed(organisation_ids: set[int]) -> None:
    projects_refresh_last_activity(investor_ids=organisation_ids)


crm_services.hooks.visits_changed.append(_visits_changed)


# --- Create, edit, delete -------------------------------------------------------


def _full_clean(project: Project) -> None:
    """Model validation (lengths, choices, references). The constraints are not queried
    one by one: projects.rules has checked each with a clear message, and the database
    still refuses a row that breaks one."""
    try:
        project.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise validation_error_to_domain(error) from error


def _raise_version(project: Project) -> None:
    """Every write that changes a stored project raises its version, so a write based on
    the version before it (an If-Match, a form's hidden version) is refused as stale."""
    project.version += 1


@transaction.atomic
def project_save(*, project: Project, by: User, replan_reason: str = "") -> Project:
    """Create a project (as a lead) or save edits to one.

    Stage and actual dates are never changed here (project_change_stage does that).
    Moving a planned date that was already set is a re-plan: it needs a reason and
    leaves a Replan row, so the original plan stays visible.
    """
    creating = project._state.adding
    if not creating:
        _visible_or_not_found(stored_version(project), by)
    stored = prepare_owned_record(project, by=by, can_edit=permissions.can_edit_project)
    rules.check_fields(project)

    replans: list[Replan] = []
    if creating:
        _start_as_lead(project)
    else:
        # The stage columns stay as stored: a stale form cannot undo a stage change.
        for name in ["stage", "held_stage", "exit_reason", *LOSS_FIELDS, "resumed_on", "is_deleted", "deleted_at"] + [
            actual_field(s) for s in [*PIPELINE, *SIDE_EXITS]
        ]:
            setattr(project, name, getattr(stored, name))
        for stage in PLANNED_STAGES:
            old, new = stored.planned_date(stage), project.planned_date(stage)
            if old is None or old == new:
                continue
            if new is None:
                raise DomainError(
                    _("A planned date cannot be removed once set; re-plan it with a new date and a reason."),
                    field=planned_field(stage),
                )
            if stored.actual_date(stage):
                raise DomainError(
                    _("The stage “%(stage)s” was already reached; its plan can no longer change.")
                    % {"stage": _label(stage)},
                    field=planned_field(stage),
                )
            if not replan_reason.strip():
                raise DomainError(
                    _("Changing the planned date of “%(stage)s” from %(old)s to %(new)s is a re-plan: give a reason.")
                    % {"stage": _label(stage), "old": old, "new": new},
                    code="replan_reason_required",
                    field=planned_field(stage),
                )
            replans.append(
                Replan(
                    project=project,
                    stage=stage,
                    old_date=old,
                    new_date=new,
                    reason=replan_reason.strip(),
                    changed_by=by,
                )
            )
    rules.check_pipeline(project, stored=stored)
    _full_clean(project)
    project_touch(project)
    project.save()
    Replan.objects.bulk_create(replans)
    project.claim_notice = None
    if stored is None or (stored.investor_id, stored.team_id) != (project.investor_id, project.team_id):
        project.claim_notice = collisions.record([_touch(project, by)])[0]
    return project


def _touch(project: Project, by: User) -> collisions.Touch:
    """A project on an investor is its team's work on the investor's group (claims)."""
    return collisions.Touch(
        organisation_id=project.investor_id,
        team_id=project.team_id,
        by=by,
        via="project",
        on=timezone.localdate(),
    )


@transaction.atomic
def project_replan(*, project: Project, stage: Stage | str, new_date: dt.date, reason: str, by: User) -> Project:
    """Move one planned date, with a reason (the original plan stays in the re-plan list)."""
    stage = Stage(stage)
    if stage not in PLANNED_STAGES:
        raise DomainError(_("The stage “%(stage)s” has no planned date.") % {"stage": _label(stage)}, field="stage")
    locked = stored_version(project, lock=True)
    _visible_or_not_found(locked, by)
    setattr(locked, planned_field(stage), new_date)
    return project_save(project=locked, by=by, replan_reason=reason)


@transaction.atomic
def project_delete(*, project: Project, by: User) -> Project:
    """Deleting hides the project (and keeps its history); an admin can restore it."""
    locked = stored_version(project, lock=True)
    _visible_or_not_found(locked, by)
    if not permissions.can_delete_project(by, locked):
        raise NotPermitted(_("Only a manager of the project's team or an admin can delete a project."))
    locked.is_deleted = True
    locked.deleted_at = timezone.now()
    locked._history_user = by
    locked._change_reason = "deleted"
    project_touch(locked)
    _raise_version(locked)
    locked.save(update_fields=["is_deleted", "deleted_at", "updated_at", "last_activity_on", "version"])
    return locked


@transaction.atomic
def project_restore(*, project: Project, by: User) -> Project:
    locked = stored_version(project, lock=True)
    if not permissions.can_restore_project(by):
        # Others never see deleted projects, so for them there is nothing to restore.
        raise NotFound(_("No such project."))
    if not locked.is_deleted:
        return locked
    locked.is_deleted = False
    locked.deleted_at = None
    locked._history_user = by
    locked._change_reason = "restored"
    project_touch(locked)
    _raise_version(locked)
    locked.save(update_fields=["is_deleted", "deleted_at", "updated_at", "last_activity_on", "version"])
    return locked


# --- The stage machine ----------------------------------------------------------


def _latest_reached(project: Project) -> tuple[Stage, dt.date] | None:
    """The stage date a new stage may not precede: the last date the project reached."""
    dated = [(s, project.actual_date(s)) for s in [*PIPELINE, *SIDE_EXITS] if project.actual_date(s)]
    if project.resumed_on and project.stage in PIPELINE:
        # Back from a hold: the resumption counts as reaching the current stage again.
        dated.append((Stage(project.stage), project.resumed_on))
    if not dated:
        return None
    return max(dated, key=lambda pair: pair[1])


def _refuse_move(current: Stage, to_stage: Stage, held: str) -> DomainError:
    """The message for a move TRANSITIONS does not allow, saying what to do instead."""
    held = held or Stage.LEAD  # a hold recorded without its stage (old data) resumes at the start
    if current == Stage.DROPPED:
        return DomainError(
            _(
                "This project was dropped; it cannot move to “%(to)s”. An admin can correct the stage if the drop was a mistake."
            )
            % {"to": _label(to_stage)},
            code="stage_closed",
        )
    if current == Stage.ON_HOLD:
        return DomainError(
            _("A project on hold resumes at the stage it was held at (“%(held)s”), or is dropped.")
            % {"held": _label(held)},
            code="stage_resume_only",
        )
    if current == Stage.PRODUCING and to_stage in SIDE_EXITS:
        return DomainError(
            _("A project in production has finished the pipeline; it cannot be put on hold or dropped."),
            code="stage_finished",
        )
    if to_stage in PIPELINE and current in PIPELINE:
        if PIPELINE.index(to_stage) < PIPELINE.index(current):
            return DomainError(
                _(
                    "A project cannot go back from “%(from)s” to “%(to)s”. If a stage was recorded by mistake, an admin can correct it."
                )
                % {"from": _label(current), "to": _label(to_stage)},
                code="stage_backwards",
            )
        following = PIPELINE[PIPELINE.index(current) + 1]
        return DomainError(
            _("A project moves one stage at a time: from “%(from)s” it goes to “%(next)s” before “%(to)s”.")
            % {"from": _label(current), "next": _label(following), "to": _label(to_stage)},
            code="stage_skipped",
        )
    return DomainError(
        _("A project cannot move from “%(from)s” to “%(to)s”.") % {"from": _label(current), "to": _label(to_stage)},
        code="stage_not_allowed",
    )


# What the stage machine writes; the caller's instance is brought up to date with it.
_STAGE_FIELDS = [
    "stage",
    "undated_stages",
    "held_stage",
    "exit_reason",
    *LOSS_FIELDS,
    "signed_amount",
    "resumed_on",
    "updated_at",
    "last_activity_on",
    "version",
] + [actual_field(s) for s in [*PIPELINE, *SIDE_EXITS]]


def _follow(project: Project, locked: Project) -> Project:
    """Copy the stored stage onto the caller's instance, so that calling the service
    again with it is not taken for a stale view; return the stored project."""
    if project is not locked:
        for name in _STAGE_FIELDS:
            setattr(project, name, getattr(locked, name))
    return locked


@transaction.atomic
def project_change_stage(
    *,
    project: Project,
    to_stage: Stage | str,
    on: dt.date | None,
    by: User,
    note: str = "",
    reason: str = "",
    signed_amount: Decimal | None = None,
    correction: bool = False,
    version: int | None = None,
    loss_reason: str = "",
    lost_to: str = "",
) -> Project:
    """Move a project to `to_stage`, reached on the date `on`.

    Forward one step along PIPELINE; to on-hold or dropped from an open stage (with
    a reason); from on-hold back to the stage it was held at. Going back is an
    admin's correction (`correction=True`), recorded as such. Moving to the stage
    the project is already in changes nothing. The row is locked, so of two
    concurrent changes exactly one is applied and recorded.

    `project` is what the caller saw: if its stage is no longer the stored one,
    someone else moved the project meanwhile and a different move is refused. On
    success the caller's instance follows the stored stage, so it can be used again.
    `version`, when given, is the version the caller based the move on: a project
    changed since (by anyone, in any way) is refused with StaleVersion, under the
    row lock, so of many callers sending one version exactly one moves it. Every
    move raises the version.

    A drop takes a loss reason from LossReason (`loss_reason`), with the competing
    location (`lost_to`) when the project went to another location; `reason` is the note.
    """
    to_stage = _stage_asked(to_stage)
    locked = stored_version(project, lock=True)
    _may_move(locked, by)
    if version is not None and version != locked.version:
        raise StaleVersion(
            _("Someone else changed this project meanwhile: it is now at “%(stage)s”. Check it and try again.")
            % {"stage": _label(locked.stage)},
            current_version=locked.version,
        )
    current = Stage(locked.stage)
    if current == to_stage:
        return _follow(project, locked)
    if not project._state.adding and project.stage != locked.stage:
        # The caller chose this move seeing another stage: someone else moved the
        # project meanwhile (two people at once). Applying it too would record two
        # changes where the caller meant one; let them look again.
        raise DomainError(
            _("Someone else changed this project's stage meanwhile: it is now “%(stage)s”. Check it and try again.")
            % {"stage": _label(current)},
            code="stage_changed_meanwhile",
        )

    if correction:
        return _follow(project, _correct_stage(locked, to_stage=to_stage, by=by, note=note or reason))

    change = _stage_step(
        locked,
        to_stage=to_stage,
        on=on,
        by=by,
        note=note,
        reason=reason,
        signed_amount=signed_amount,
        loss=(loss_reason, lost_to),
    )
    locked._history_user = by
    project_touch(locked)
    _raise_version(locked)
    locked.save()
    change.save(force_insert=True)
    return _follow(project, locked)


def _stage_asked(to_stage: Stage | str) -> Stage:
    try:
        return Stage(to_stage)
    except ValueError:
        raise DomainError(_("Unknown stage: %(stage)s.") % {"stage": to_stage}, code="stage_unknown") from None


def _may_move(project: Project, by: User) -> None:
    """Who may change a project's stage (the stored project, or one being created)."""
    _visible_or_not_found(project, by)
    if not permissions.can_edit_project(by, project):
        raise NotPermitted(_("You can change the stage of your team's projects only."))


def _stage_step(
    locked: Project,
    *,
    to_stage: Stage,
    on: dt.date | None,
    by: User,
    note: str,
    reason: str,
    signed_amount: Decimal | None,
    date_unknown: bool = False,
    loss: tuple[str, str] = ("", ""),
) -> StageChange | None:
    """The rules of a move that is not a correction, applied to `locked` (the stored
    project, or one being created): its stage fields are set, and the stage-change row
    to save with it is returned unsaved. DomainError if the move is refused.

    `date_unknown` (project_import_history only): a pipeline stage reached on a date
    nobody knows is recorded as such, with no date and no stage-change row."""
    before = None if locked._state.adding else copy.copy(locked)
    current = Stage(locked.stage)
    resuming = current == Stage.ON_HOLD and to_stage == locked.held_stage
    if not resuming and to_stage not in TRANSITIONS[current]:
        raise _refuse_move(current, to_stage, locked.held_stage)

    today = clock.today()
    if on is None and date_unknown and to_stage in PIPELINE:
        _check_signing(locked, to_stage, signed_amount)
        locked.stage = to_stage
        setattr(locked, actual_field(to_stage), None)
        locked.set_date_unknown(to_stage)
        rules.check_pipeline(locked, stored=before)
        return None
    if on is None:
        raise DomainError(
            _("Enter the date on which the project reached “%(stage)s”.") % {"stage": _label(to_stage)},
            code="date_required",
            field="on",
        )
    if on > today:
        raise DomainError(
            _("The date a stage is reached cannot be in the future: %(date)s is after today (%(today)s).")
            % {"date": on, "today": today},
            code="date_in_future",
            field="on",
        )
    latest = _latest_reached(locked)
    if latest and on < latest[1]:
        raise DomainError(
            _("The project cannot reach “%(stage)s” on %(date)s: it reached “%(prev)s” later, on %(prev_date)s.")
            % {"stage": _label(to_stage), "date": on, "prev": _label(latest[0]), "prev_date": latest[1]},
            code="date_before_previous",
            field="on",
        )
    if to_stage in SIDE_EXITS and not reason.strip():
        raise DomainError(
            _("Say why the project is put on hold.")
            if to_stage == Stage.ON_HOLD
            else _("Say why the project is dropped."),
            code="reason_required",
            field="reason",
        )
    _check_signing(locked, to_stage, signed_amount)
    if to_stage == Stage.DROPPED:
        locked.loss_reason, locked.lost_to = rules.loss_asked(*loss)

    if to_stage in SIDE_EXITS:
        if current in OPEN_STAGES:
            locked.held_stage = current
        locked.exit_reason = reason.strip()
    elif resuming:
        locked.held_stage = ""
        locked.exit_reason = ""
        locked.resumed_on = on
    locked.stage = to_stage
    if not (resuming and (locked.actual_date(to_stage) or locked.date_unknown(to_stage))):
        # A resumed stage keeps the date it was first reached (reports count the
        # signing in its year); the resumption's date is on the stage-change row.
        setattr(locked, actual_field(to_stage), on)
    rules.check_pipeline(locked, stored=before)
    return StageChange(
        project=locked,
        from_stage=current,
        to_stage=to_stage,
        reached_on=on,
        changed_by=by,
        note=(note or reason).strip(),
    )


def _check_signing(locked: Project, to_stage: Stage, signed_amount: Decimal | None) -> None:
    """A signing needs its signed amount (kept on the project)."""
    if to_stage == Stage.SIGNED:
        amount = signed_amount if signed_amount is not None else locked.signed_amount
        if not amount or amount <= 0:
            raise DomainError(
                _("To record the signing, enter the signed amount (10k yuan) and the signing date."),
                code="signed_amount_required",
                field="signed_amount",
            )
        locked.signed_amount = amount


# --- History as it was (imports) -------------------------------------------------


def import_path(project: Project, stage: Stage | str, dates: dict) -> list[Stage]:
    """The stages a project passes, forward, to reach `stage` (a side exit from the last
    pipeline stage it reached or is dated). DomainError if that would move it back."""
    target, current = _stage_asked(stage), Stage(project.stage)
    if target == current:
        return []
    pipeline_target = target
    if target in SIDE_EXITS:
        held = [s for s in PIPELINE if dates.get(s) or project.actual_date(s) or project.date_unknown(s)]
        pipeline_target = held[-1] if held else current
    path: list[Stage] = []
    if current in PIPELINE and pipeline_target in PIPELINE:
        start, end = PIPELINE.index(current), PIPELINE.index(pipeline_target)
        if end < start:
            raise DomainError(
                _("The project is already at “%(stage)s”; an import does not move projects back.")
                % {"stage": _label(current)},
                code="stage_backwards",
                field="stage",
            )
        path = PIPELINE[start + 1 : end + 1]
    if target in SIDE_EXITS:
        path.append(target)
    return path


@contextlib.contextmanager
def _naming_the_date(step: Stage):
    """A refused date of an imported history names the stage's date field (not "on")."""
    try:
        yield
    except DomainError as error:
        if error.field == "on":
            error.field = actual_field(step)
        raise


def project_import_history(
    *,
    project: Project | NewProject,
    stage: Stage | str,
    dates: dict,
    by: User,
    reason: str = "",
    signed_amount: Decimal | None = None,
    loss_reason: str = "",
    lost_to: str = "",
) -> None:
    """The import path of the stage machine: a ledger says the stage a project is at now
    and whichever dates the office knows (`dates`: stage -> date or None).

    The project moves forward stage by stage to `stage`, each move checked as
    project_change_stage checks it; a pipeline stage passed without a date is recorded
    as reached on an unknown date (Project.undated_stages), never given an invented one.
    Known dates must still follow one another and not be in the future. A new project
    (a NewProject) with no lead date has its lead date unknown too.

    `project` is a stored project (written at once) or a NewProject (written later by
    projects_create_many)."""
    dates = {Stage(key): value for key, value in dates.items()}
    if isinstance(project, NewProject):
        new = project
        if len(new.steps) == 1 and Stage(stage) != Stage.LEAD:
            # Created just now as a lead noted today: the ledger's lead date is the one it gives.
            lead = new.project
            given = dates.get(Stage.LEAD)
            if given and given > clock.today():
                raise DomainError(_("A lead cannot be noted in the future."), field="lead_on")
            lead.lead_on = given
            lead.set_date_unknown(Stage.LEAD, given is None)
            new.steps[0] = (_values(lead), None)
        for step in import_path(new.project, stage, dates):
            with _naming_the_date(step):
                new.change_stage(
                    to_stage=step,
                    on=dates.get(step),
                    reason=reason,
                    signed_amount=signed_amount,
                    date_unknown=True,
                    loss_reason=loss_reason,
                    lost_to=lost_to,
                )
        return
    with transaction.atomic():
        locked = stored_version(project, lock=True)
        _may_move(locked, by)
        path = import_path(locked, stage, dates)
        if not path:
            _follow(project, locked)
            return
        changes = []
        for step in path:
            with _naming_the_date(step):
                change = _stage_step(
                    locked,
                    to_stage=step,
                    on=dates.get(step),
                    by=by,
                    note="",
                    reason=reason,
                    signed_amount=signed_amount,
                    date_unknown=True,
                    loss=(loss_reason, lost_to),
                )
            if change is not None:
                changes.append(change)
        locked._history_user = by
        project_touch(locked)
        _raise_version(locked)  # a move, as project_change_stage's: stale edits are refused
        locked.save()
        for change in changes:
            change.save(force_insert=True)
        _follow(project, locked)


@transaction.atomic
def project_complete_date(*, project: Project, stage: Stage | str, on: dt.date | None, by: User) -> Project:
    """Give the date of a stage the project reached on an unknown date (imported from a
    ledger): between the known dates of the stages before and after it, not in the future."""
    stage = _stage_asked(stage)
    locked = stored_version(project, lock=True)
    _may_move(locked, by)
    if not locked.date_unknown(stage):
        raise DomainError(
            _("The date of “%(stage)s” is not missing; an admin corrects a known date.") % {"stage": _label(stage)},
            code="date_known",
            field="on",
        )
    today = clock.today()
    if on is None:
        raise DomainError(_("Enter the date."), code="date_required", field="on")
    if on > today:
        raise DomainError(
            _("The date a stage is reached cannot be in the future: %(date)s is after today (%(today)s).")
            % {"date": on, "today": today},
            code="date_in_future",
            field="on",
        )
    index = PIPELINE.index(stage)
    for other in PIPELINE[:index]:
        known = locked.actual_date(other)
        if known and known > on:
            raise DomainError(
                _("“%(stage)s” cannot be reached on %(date)s: “%(prev)s” was reached later, on %(prev_date)s.")
                % {"stage": _label(stage), "date": on, "prev": _label(other), "prev_date": known},
                code="date_before_previous",
                field="on",
            )
    for other in [*PIPELINE[index + 1 :], *SIDE_EXITS]:
        known = locked.actual_date(other)
        if known and known < on:
            raise DomainError(
                _("“%(stage)s” cannot be reached on %(date)s: “%(next)s” was reached earlier, on %(next_date)s.")
                % {"stage": _label(stage), "date": on, "next": _label(other), "next_date": known},
                code="date_after_next",
                field="on",
            )
    setattr(locked, actual_field(stage), on)
    locked.set_date_unknown(stage, False)
    locked._history_user = by
    locked._change_reason = "date completed"
    project_touch(locked)
    _raise_version(locked)
    locked.save()
    return _follow(project, locked)


def _correct_stage(locked: Project, *, to_stage: Stage, by: User, note: str) -> Project:
    """An admin moves a project back to undo a stage recorded by mistake."""
    if not permissions.can_correct_stage(by):
        raise NotPermitted(_("Only an admin can move a project back to correct its stage."))
    if to_stage not in PIPELINE:
        raise DomainError(_("A correction moves a project back to a pipeline stage."), code="stage_not_allowed")
    current = Stage(locked.stage)
    if current in PIPELINE and PIPELINE.index(to_stage) > PIPELINE.index(current):
        raise DomainError(
            _("A correction moves a project back; to move it forward, change its stage as usual."),
            code="correction_forward",
        )
    if (
        current in SIDE_EXITS
        and locked.held_stage
        and PIPELINE.index(to_stage) > PIPELINE.index(Stage(locked.held_stage))
    ):
        raise DomainError(
            _("A correction cannot move the project past “%(held)s”, where it left the pipeline.")
            % {"held": _label(locked.held_stage)},
            code="correction_forward",
        )
    if not note.strip():
        raise DomainError(_("Say what the correction puts right."), code="reason_required", field="note")
    before = copy.copy(locked)
    # Later stages were never reached after all: their dates go (history keeps them).
    for stage in PIPELINE[PIPELINE.index(to_stage) + 1 :]:
        setattr(locked, actual_field(stage), None)
        locked.set_date_unknown(stage, False)
    for stage in SIDE_EXITS:
        setattr(locked, actual_field(stage), None)
    locked.resumed_on = None
    reached_on = locked.actual_date(to_stage) or timezone.localdate()
    if not locked.date_unknown(to_stage):
        setattr(locked, actual_field(to_stage), reached_on)
    locked.held_stage = ""
    locked.exit_reason = ""
    locked.loss_reason = locked.lost_to = ""
    current_stage = locked.stage
    locked.stage = to_stage
    rules.check_pipeline(locked, stored=before)
    locked._history_user = by
    locked._change_reason = "stage correction"
    project_touch(locked)
    _raise_version(locked)
    locked.save()
    StageChange.objects.create(
        project=locked,
        from_stage=current_stage,
        to_stage=to_stage,
        reached_on=reached_on,
        changed_by=by,
        note=note.strip(),
        is_correction=True,
    )
    return locked


# --- Many new projects at once (imports) ----------------------------------------
#
# project_prepare_new applies the rules project_save and project_change_stage apply to
# a new project and its first moves, in memory; projects_create_many then writes many
# prepared projects, their history and their stage changes in a few statements. The
# rules are the functions above: only the writing differs.

# References checked for many projects at once (one query per table) when they are written.
_REFERENCES = [field for field in Project._meta.concrete_fields if field.is_relation]
# What history records of a project, less what the insert itself sets.
_WRITTEN_ON_INSERT = ("id", "created_at", "updated_at")
_HISTORY_FIELDS = [
    field.attname for field in Project.history.model.tracked_fields if field.attname not in _WRITTEN_ON_INSERT
]
_values = operator.attrgetter(*_HISTORY_FIELDS)  # a project -> its values, in that order


class NewProject:
    """A project checked for creation, and the stages it was moved through, not yet
    written. Made by project_prepare_new; written by projects_create_many."""

    def __init__(self, project: Project, by: User) -> None:
        self.project = project
        self.by = by
        # The project as history records it after its creation and after each move,
        # with the stage-change row of the move.
        self.steps: list[tuple[tuple, StageChange | None]] = [(_values(project), None)]

    def change_stage(
        self,
        *,
        to_stage: Stage | str,
        on: dt.date | None,
        note: str = "",
        reason: str = "",
        signed_amount: Decimal | None = None,
        date_unknown: bool = False,
        loss_reason: str = "",
        lost_to: str = "",
    ) -> None:
        """project_change_stage for the project being created (no correction: it is new);
        `date_unknown` is for project_import_history only."""
        to_stage = _stage_asked(to_stage)
        project, by = self.project, self.by
        self._check_unchanged()
        _may_move(project, by)
        if Stage(project.stage) == to_stage:
            return
        change = _stage_step(
            project,
            to_stage=to_stage,
            on=on,
            by=by,
            note=note,
            reason=reason,
            signed_amount=signed_amount,
            date_unknown=date_unknown,
            loss=(loss_reason, lost_to),
        )
        _raise_version(project)  # as project_change_stage does: each move is a version
        self.steps.append((_values(project), change))

    def _check_unchanged(self) -> None:
        if _values(self.project) != self.steps[-1][0]:
            # Checked values were changed afterwards: the rules were not applied to these.
            raise ValueError(f"The new project “{self.project}” changed after it was checked; prepare it again.")


def project_prepare_new(*, project: Project, by: User) -> NewProject:
    """Check a new project as project_save does, without writing it (DomainError if
    refused). Move it on with change_stage, then write it with projects_create_many.

    References (investor, owner, team, industry…) are checked when the projects are
    written, one query per table for all of them."""
    if not project._state.adding or project.pk is not None:
        raise ValueError("project_prepare_new is for new projects; project_save edits stored ones.")
    prepare_owned_record(project, by=by, can_edit=permissions.can_edit_project)
    rules.check_fields(project)
    _start_as_lead(project)
    try:
        # Projects have no unique fields and one check constraint, the rule on the total
        # investment above; the database enforces both anyway.
        clean_new_record(project, exclude=[field.name for field in _REFERENCES])
    except ValidationError as error:
        raise validation_error_to_domain(error) from error
    for field in _REFERENCES:
        if getattr(project, field.attname) is None and not field.blank:
            full_clean_or_refuse(project)  # words the missing reference as full_clean does
    return NewProject(project, by)


def _check_references(projects: list[Project]) -> None:
    """full_clean's check that each referenced row exists, one query per table."""
    for field in _REFERENCES:
        ids = {getattr(project, field.attname) for project in projects} - {None}
        if not ids:
            continue
        target = field.remote_field.model._base_manager.complex_filter(field.get_limit_choices_to())
        found: set = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), 5000):
            chunk = ordered[start : start + 5000]
            lookup = {f"{field.remote_field.field_name}__in": chunk}
            found.update(target.filter(**lookup).values_list(field.remote_field.field_name, flat=True))
        for project in projects:
            if getattr(project, field.attname) not in found and getattr(project, field.attname) is not None:
                # full_clean words the error as it does for a single project.
                full_clean_or_refuse(project)


def _create_projects(projects: list[Project], now: dt.datetime) -> None:
    """Insert new projects as Project.save() would on creation, giving them their ids."""
    if connection.vendor != "postgresql":
        Project.objects.bulk_create(projects, batch_size=500)
        return
    ids = bulk.new_ids(Project, len(projects))
    fields = Project._meta.concrete_fields
    for project, pk in zip(projects, ids, strict=True):
        project.pk = pk
        project.created_at = project.updated_at = now  # auto_now_add, auto_now
    bulk.insert_rows(
        Project, [field.attname for field in fields], [[getattr(p, f.attname) for f in fields] for p in projects]
    )
    for project in projects:
        project._state.adding = False
        project._state.db = connection.alias


@transaction.atomic
def projects_create_many(*, projects: list[NewProject], by: User) -> list[Project]:
    """Write projects prepared by project_prepare_new: the projects, one history row per
    step (created, then each stage reached) and the stage-change rows, as project_save
    and project_change_stage would have written them one by one."""
    if not projects:
        return []
    for new in projects:
        if new.by != by:
            raise ValueError("Projects are written by the user they were checked for.")
        new._check_unchanged()
    instances = [new.project for new in projects]
    _check_references(instances)
    now = timezone.now()
    for project in instances:
        project_touch(project)
    _create_projects(instances, now)
    history_columns = [*_HISTORY_FIELDS, *_WRITTEN_ON_INSERT]
    history_columns += ["history_date", "history_type", "history_user_id", "history_change_reason"]
    change_columns = ["project_id", "from_stage", "to_stage", "reached_on", "changed_by_id", "changed_at", "note"]
    change_columns.append("is_correction")
    history: list[list] = []
    changes: list[list] = []
    for new in projects:
        project = new.project
        inserted = (project.pk, project.created_at, project.updated_at)
        for index, (values, change) in enumerate(new.steps):
            history.append([*values, *inserted, now, "~" if index else "+", by.pk, None])
            if change is not None:
                change.project = project
                change.changed_at = now
                changes.append([getattr(change, name) for name in change_columns])
    bulk.insert_rows(Project.history.model, history_columns, history)
    bulk.insert_rows(StageChange, change_columns, changes)
    notices = collisions.record([_touch(project, by) for project in instances])
    for project, notice in zip(instances, notices, strict=True):
        project.claim_notice = notice
    return instances
