"""Pipeline projects, their stage changes and re-plans.

The stage order and the allowed moves are data here (TRANSITIONS); the one function
that changes a stage is projects.services.project_change_stage.
"""

from __future__ import annotations

import functools
import operator
from decimal import Decimal
from itertools import combinations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import AlertLevel
from crm.models import Industry, Mission, Organisation, OwnedRecord, Park, Visit
from projects.reminder_items import load_item
from projects.tiers import Tier, tier_for


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    NEGOTIATING = "negotiating", _("Under negotiation")
    SIGNED = "signed", _("Signed")
    STARTED = "started", _("Construction started")
    COMPLETED = "completed", _("Completed")
    PRODUCING = "producing", _("In production")
    ON_HOLD = "on_hold", _("On hold")
    DROPPED = "dropped", _("Dropped")


# The pipeline, in order. A project moves one step forward at a time.
PIPELINE: list[Stage] = [
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCING,
]
# Stages a project can be put on hold or dropped from: still moving.
OPEN_STAGES: frozenset[Stage] = frozenset(PIPELINE[:-1])
SIDE_EXITS: frozenset[Stage] = frozenset({Stage.ON_HOLD, Stage.DROPPED})
# Stages at which a project has signed (it keeps a signed amount from then on).
SIGNED_OR_LATER: list[Stage] = PIPELINE[PIPELINE.index(Stage.SIGNED) :]
# Stages that carry a planned date besides the actual one (what reminders watch).
PLANNED_STAGES: list[Stage] = [Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING]

# Allowed forward moves; "on hold" resumes to the stage it was held at (held_stage).
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    **{stage: frozenset({PIPELINE[i + 1], *SIDE_EXITS}) for i, stage in enumerate(PIPELINE[:-1])},
    Stage.PRODUCING: frozenset(),
    Stage.ON_HOLD: frozenset({Stage.DROPPED}),  # plus resuming to held_stage
    Stage.DROPPED: frozenset(),
}


def _values(stages) -> list[str]:
    """Stages as the database stores them, in pipeline order (for constraints and migrations)."""
    return [stage.value for stage in Stage if stage in stages]


def _all(conditions) -> Q:
    return functools.reduce(operator.and_, conditions)


def _in_order(earlier: Stage, later: Stage) -> Q:
    """The later stage's date is not before the earlier one's, where both are known."""
    first, then = f"{earlier.value}_on", f"{later.value}_on"
    return Q(**{f"{first}__isnull": True}) | Q(**{f"{then}__isnull": True}) | Q(**{f"{then}__gte": models.F(first)})


def actual_field(stage: Stage | str) -> str:
    """Name of the column holding the date a stage was reached (e.g. started_on)."""
    return f"{stage}_on"


def not_reached(stage: Stage | str) -> Q:
    """Projects that have not reached `stage`: no date, and not reached on an unknown date."""
    stage = Stage(stage)
    return Q(**{f"{actual_field(stage)}__isnull": True}) & ~Q(undated_stages__contains=stage.value)


def planned_field(stage: Stage | str) -> str:
    return f"{stage}_planned"


class LossReason(models.TextChoices):
    """Why a project was lost (流失原因). A fixed list, not reference data: the reports
    count by these values across years, and "another location" carries a rule of its own
    (the competing location is required), which an editable list could not keep."""

    OTHER_LOCATION = "other_location", _("Went to another location")
    FINANCING = "financing", _("Financing")
    POLICY = "policy", _("Policy")
    STRATEGY = "strategy", _("The investor's strategy")
    OTHER = "other", _("Other")


# The stage columns a drop writes besides exit_reason (the note).
LOSS_FIELDS = ["loss_reason", "lost_to"]


class ProjectQuerySet(models.QuerySet):
    def live(self) -> ProjectQuerySet:
        return self.filter(is_deleted=False)


class LiveProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    """Hides deleted projects; `Project.all_objects` still sees them (admin restore)."""

    def get_queryset(self) -> ProjectQuerySet:
        return super().get_queryset().filter(is_deleted=False)


class Project(OwnedRecord):
    class Kind(models.TextChoices):
        NEW = "new", _("New investment")
        EXPANSION = "expansion", _("Expansion (capital increase)")
        JOINT_VENTURE = "joint_venture", _("Joint venture")

    class CapitalOrigin(models.TextChoices):
        DOMESTIC = "domestic", _("Domestic capital")
        FOREIGN = "foreign", _("Foreign capital")
        HMT = "hmt", _("Hong Kong, Macau and Taiwan capital")

    class SourceKind(models.TextChoices):
        MISSION = "mission", _("Promotion mission")
        VISIT = "visit", _("Visit")
        CHANNEL = "channel", _("Channel partner")
        RESIDENT_OFFICE = "resident_office", _("Resident office")
        EXHIBITION = "exhibition", _("Exhibition")
        INQUIRY = "inquiry", _("Inbound inquiry")
        EXISTING_INVESTOR = "existing_investor", _("Existing investor")
        OTHER = "other", _("Other")

    name = models.CharField(_("project name"), max_length=200)
    investor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects", verbose_name=_("investor")
    )
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, related_name="projects", null=True, blank=True, verbose_name=_("industry")
    )
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="projects", null=True, blank=True, verbose_name=_("park")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    capital_origin = models.CharField(
        _("capital origin"), max_length=10, choices=CapitalOrigin.choices, default=CapitalOrigin.DOMESTIC
    )
    description = models.TextField(_("description"), blank=True)

    # Amounts in 万元 (10,000 yuan) as Chinese forms write them; USD in 万美元.
    total_investment = models.DecimalField(_("total investment (10k yuan)"), max_digits=14, decimal_places=2)
    fixed_asset_investment = models.DecimalField(
        _("fixed-asset investment (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    foreign_capital_usd = models.DecimalField(
        _("foreign capital (10k USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # A total first written in another currency (an imported ledger's 3000万美元): the
    # amount as written (in 万 of its currency), its currency and the rate that turned it
    # into total_investment (yuan per unit, from crm.ExchangeRate on the row's date).
    original_amount = models.DecimalField(
        _("amount as written (10k of its currency)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    original_currency = models.CharField(_("currency as written"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("exchange rate used (yuan per unit)"), max_digits=16, decimal_places=8, null=True, blank=True
    )
    exchange_rate_source = models.CharField(_("exchange rate source"), max_length=300, blank=True)
    signed_amount = models.DecimalField(
        _("signed amount (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The investment written in the signed agreement; required to sign."),
    )
    expected_annual_output = models.DecimalField(
        _("expected annual output (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    jobs = models.PositiveIntegerField(_("jobs created (expected)"), null=True, blank=True)

    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    source_mission = models.ForeignKey(
        Mission,
        on_delete=models.SET_NULL,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("source mission"),
    )
    source_visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, related_name="projects", null=True, blank=True, verbose_name=_("source visit")
    )
    source_note = models.CharField(_("source details"), max_length=200, blank=True)

    is_major = models.BooleanField(_("major project"), default=False, help_text=_("Under special supervision."))
    is_confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Hidden from officers of other teams.")
    )

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.LEAD, editable=False)
    held_stage = models.CharField(
        _("stage before hold"), max_length=12, choices=Stage.choices, blank=True, editable=False
    )
    exit_reason = models.CharField(_("reason for hold or drop"), max_length=300, blank=True, editable=False)
    # Why a dropped project was lost (流失原因), from a fixed list, and where it went when
    # it went to another location; exit_reason above is the note. Set only by the stage
    # service, with the drop.
    loss_reason = models.CharField(
        _("loss reason"), max_length=16, choices=LossReason.choices, blank=True, default="", editable=False
    )
    lost_to = models.CharField(_("competing location"), max_length=100, blank=True, default="", editable=False)

    # Actual dates: set only by the stage service.
    lead_on = models.DateField(_("lead noted on"), null=True, blank=True, editable=False)
    negotiating_on = models.DateField(_("negotiation began on"), null=True, blank=True, editable=False)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("construction started on"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    producing_on = models.DateField(_("production began on"), null=True, blank=True, editable=False)
    on_hold_on = models.DateField(_("put on hold on"), null=True, blank=True, editable=False)
    dropped_on = models.DateField(_("dropped on"), null=True, blank=True, editable=False)
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True, editable=False)
    # Pipeline stages the project passed on a date nobody knows (a ledger moving in says
    # where a project is, not every date it passed): their actual date stays empty, never
    # invented; the owner completes it. Stage values separated by commas, in pipeline order.
    undated_stages = models.CharField(
        _("stages reached on an unknown date"), max_length=80, blank=True, default="", editable=False
    )

    # Planned dates: set when the project is planned; changing one is a re-plan.
    signed_planned = models.DateField(_("planned signing"), null=True, blank=True)
    started_planned = models.DateField(_("planned construction start"), null=True, blank=True)
    completed_planned = models.DateField(_("planned completion"), null=True, blank=True)
    producing_planned = models.DateField(_("planned production"), null=True, blank=True)

    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    # The later of the local date of the last edit (a stage change and a re-plan save the
    # project too) and the date of the last visit to the investor: what the quiet-project
    # reminder counts from, kept on the row so that it reads an index range. Written by
    # the project services on every save and by projects_refresh_last_activity when
    # visits change (projects.services, "Last activity").
    last_activity_on = models.DateField(_("last activity"), default=timezone.localdate, editable=False)

    objects = LiveProjectManager()
    all_objects = ProjectQuerySet.as_manager()
    # The last activity is bookkeeping that visits move too, not an edit of the project.
    history = HistoricalRecords(excluded_fields=["last_activity_on"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["stage", "total_investment"], name="project_stage_amount"),
            models.Index(fields=["team", "stage"], name="project_team_stage"),
            models.Index(fields=["signed_on"], name="project_signed_on"),
            # The orders of the project list and the API (each read backwards for "newest first"),
            # over live projects only, so that a page far down is read from the index alone.
            # The list's default order carries the columns its usual filters and an officer's
            # visibility read, so a page's ids come from the index alone.
            models.Index(
                fields=["updated_at", "id"],
                include=["stage", "total_investment", "team", "is_confidential"],
                condition=Q(is_deleted=False),
                name="project_updated",
            ),
            models.Index(fields=["created_at", "id"], condition=Q(is_deleted=False), name="project_created"),
            models.Index(fields=["total_investment", "id"], condition=Q(is_deleted=False), name="project_amount"),
            # My work's projects by stage of a team: count and sum from the index alone.
            models.Index(
                fields=["team", "stage"],
                include=["total_investment", "id"],
                condition=Q(is_deleted=False),
                name="project_team_stage_amount",
            ),
            # My work's stage dates to complete: the few projects with stages reached on
            # an unknown date, of an officer or a team.
            models.Index(fields=["owner", "name"], condition=~Q(undated_stages=""), name="project_undated_owner"),
            models.Index(fields=["team", "name"], condition=~Q(undated_stages=""), name="project_undated_team"),
            # A board column: its stage's biggest projects, major ones first.
            models.Index(fields=["stage", "-is_major", "-total_investment", "id"], name="project_board"),
            # My work of a team: its unreached plans of one stage, soonest first (the plain
            # "*_due" indexes would walk every team's late plans to find one team's).
            *[
                models.Index(
                    fields=["team", f"{stage}_planned"],
                    condition=Q(**{f"{stage}_on__isnull": True}, is_deleted=False),
                    name=f"project_team_{stage}_due",
                )
                for stage in ("signed", "started", "completed", "producing")
            ],
            models.Index(fields=["started_planned"], condition=Q(started_on__isnull=True), name="project_start_due"),
            models.Index(
                fields=["completed_planned"], condition=Q(completed_on__isnull=True), name="project_completion_due"
            ),
            # The supervision list (projects.reports): late milestones of the projects still
            # chased, per planned stage, ordered by planned date; the columns it filters on
            # are included so that listing, counting and paging read the index only.
            *(
                models.Index(
                    fields=[f"{stage}_planned", "-id"],
                    include=["team", "is_confidential", "is_major"],
                    condition=Q(**{f"{stage}_on__isnull": True}, is_deleted=False, stage__in=list(PIPELINE[:-1])),
                    name=f"project_{stage}_late",
                )
                for stage in ("signed", "started", "completed", "producing")
            ),
            # The quiet-project reminder: the projects it chases (reminders.reminded_projects)
            # by last activity, a range read from the index alone.
            models.Index(
                fields=["last_activity_on", "id"],
                condition=Q(is_deleted=False, stage__in=list(PIPELINE[:-1])),
                name="project_last_activity",
            ),
        ]
        # The rules of projects.rules that SQL can state: the database refuses a row that
        # breaks one, whichever code writes it. Each is written in Python there, with the
        # message users see; "never in the future" cannot be a CHECK (today moves).
        constraints = [
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_investment_not_negative"),
            models.CheckConstraint(
                condition=_all(
                    Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0})
                    for name in (
                        "fixed_asset_investment",
                        "foreign_capital_usd",
                        "signed_amount",
                        "expected_annual_output",
                    )
                ),
                name="project_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(stage__in=_values(SIGNED_OR_LATER))
                    & ~Q(stage__in=_values(SIDE_EXITS), held_stage__in=_values(SIGNED_OR_LATER))
                    | Q(signed_amount__isnull=False, signed_amount__gt=0)
                ),
                name="project_signed_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=_values(SIDE_EXITS)) | ~Q(exit_reason=""), name="project_exit_has_reason"
            ),
            models.CheckConstraint(
                condition=(
                    Q(stage__in=_values(SIDE_EXITS), held_stage__in=_values(OPEN_STAGES))
                    | (~Q(stage__in=_values(SIDE_EXITS)) & Q(held_stage=""))
                ),
                name="project_held_stage_iff_exit",
            ),
            # Stage dates in pipeline order where both are known (a stage may be reached
            # with its date unknown); a drop comes after every stage reached and the hold.
            models.CheckConstraint(
                condition=_all(_in_order(earlier, later) for earlier, later in combinations(PIPELINE, 2)),
                name="project_stage_dates_in_order",
            ),
            models.CheckConstraint(
                condition=_all(_in_order(stage, Stage.DROPPED) for stage in [*PIPELINE, Stage.ON_HOLD]),
                name="project_dropped_after_stages",
            ),
            # A dropped project has a loss reason from the list, and a competing location when
            # it went to another location; a project not dropped has neither.
            models.CheckConstraint(
                condition=(
                    Q(stage=Stage.DROPPED, loss_reason__in=LossReason.values)
                    & (~Q(loss_reason=LossReason.OTHER_LOCATION) | ~Q(lost_to=""))
                )
                | (~Q(stage=Stage.DROPPED) & Q(loss_reason="", lost_to="")),
                name="project_dropped_has_loss_reason",
            ),
            # A stage reached on an unknown date has no date (no stage value contains another).
            *[
                models.CheckConstraint(
                    condition=~Q(undated_stages__contains=stage.value) | Q(**{f"{actual_field(stage)}__isnull": True}),
                    name=f"project_undated_{stage.value}_has_no_date",
                )
                for stage in PIPELINE
            ],
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> Tier:
        return tier_for(self.total_investment)

    @property
    def total_investment_yi(self) -> Decimal:
        """Total investment in 亿元 (100M yuan), the unit of reports."""
        return (self.total_investment or Decimal(0)) / Decimal(10000)

    def actual_date(self, stage: Stage | str):
        return getattr(self, actual_field(stage), None)

    def undated(self) -> list[Stage]:
        """The stages passed on a date nobody knows yet, in pipeline order."""
        return [Stage(value) for value in self.undated_stages.split(",") if value]

    def date_unknown(self, stage: Stage | str) -> bool:
        return Stage(stage) in self.undated()

    def set_date_unknown(self, stage: Stage | str, unknown: bool = True) -> None:
        stages = set(self.undated()) - {Stage(stage)}
        if unknown:
            stages.add(Stage(stage))
        self.undated_stages = ",".join(s.value for s in PIPELINE if s in stages)

    def planned_date(self, stage: Stage | str):
        return getattr(self, planned_field(stage), None) if stage in PLANNED_STAGES else None

    def participant_ids(self) -> set[int]:
        return {self.owner_id}


class StageChange(models.Model):
    """One move of a project from a stage to another, as it happened."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("project")
    )
    from_stage = models.CharField(_("from stage"), max_length=12, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=12, choices=Stage.choices)
    reached_on = models.DateField(_("date reached"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    is_correction = models.BooleanField(
        _("correction"), default=False, help_text=_("An admin moved the project back to correct an error.")
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["project", "-changed_at"], name="stagechange_project_time")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class Replan(models.Model):
    """A planned date set again; the first plan stays visible as the oldest old_date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="replans", verbose_name=_("project"))
    stage = models.CharField(_("stage"), max_length=12, choices=[(s.value, s.label) for s in PLANNED_STAGES])
    old_date = models.DateField(_("previous planned date"))
    new_date = models.DateField(_("new planned date"))
    reason = models.CharField(_("reason"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("re-plan")
        verbose_name_plural = _("re-plans")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["project", "stage"], name="replan_project_stage")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()} {self.old_date} → {self.new_date}"


# --- Reminders (issue 4) ------------------------------------------------------------


class ReminderRule(models.Model):
    """When to remind whom, kept as data an admin edits (defaults: migration 0004).

    `days` counts from the date the kind watches: before it for "coming" kinds
    (planned milestone, mission start), after it for the others (overdue milestone,
    follow-up, quiet project). Several rules of one kind form a ladder (7 and 1 days
    before; blue, yellow, red after): projects.reminders sends the highest rung due.
    """

    class Kind(models.TextChoices):
        MILESTONE_COMING = "milestone_coming", _("Planned milestone coming")
        MILESTONE_OVERDUE = "milestone_overdue", _("Planned milestone overdue")
        FOLLOW_UP_DUE = "follow_up_due", _("Visit follow-up due")
        MISSION_STARTING = "mission_starting", _("Mission starting")
        PROJECT_IDLE = "project_idle", _("Project without activity")
        # Registered by the agreements app (agreements.reminders).
        PROMISE_CHECK_LATE = "promise_check_late", _("Promise check due, figures missing")
        PROMISE_NOT_MET = "promise_not_met", _("Promise not met")
        # Registered by the problems app (projects.reminder_items): an open problem
        # (项目诉求) past the date its department should have solved it by.
        PROBLEM_OVERDUE = "problem_overdue", _("Problem past its due date")

    class Audience(models.TextChoices):
        OWNER = "owner", _("The owner (the officer who logged a visit)")
        TEAM_MANAGERS = "team_managers", _("The owner and the team's managers")
        DEPARTMENT_MANAGERS = "department_managers", _("The owner, the team's and the department's managers")
        PARTICIPANTS = "participants", _("The mission's participants and leader")

    # Kinds counted before the watched date; the others count after it.
    BEFORE_KINDS = frozenset({Kind.MILESTONE_COMING, Kind.MISSION_STARTING})
    PROJECT_KINDS = frozenset(
        {
            Kind.MILESTONE_COMING,
            Kind.MILESTONE_OVERDUE,
            Kind.PROJECT_IDLE,
            Kind.PROMISE_CHECK_LATE,
            Kind.PROMISE_NOT_MET,
        }
    )

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    days = models.PositiveSmallIntegerField(
        _("days"), help_text=_("Days before the date for coming milestones and missions; days after it otherwise.")
    )
    level = models.CharField(_("level"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.NOTICE)
    audience = models.CharField(_("who is told"), max_length=20, choices=Audience.choices, default=Audience.OWNER)
    mail_immediately = models.BooleanField(
        _("e-mail at once"), default=False, help_text=_("Otherwise the e-mail waits for the morning digest.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind", "days"]
        constraints = [models.UniqueConstraint(fields=["kind", "days"], name="reminder_rule_unique_kind_days")]

    def __str__(self) -> str:
        if self.kind in self.BEFORE_KINDS:
            when = _("%(days)s days before") % {"days": self.days}
        else:
            when = _("%(days)s days after") % {"days": self.days}
        return f"{self.get_kind_display()}, {when} ({self.get_level_display()})"

    def clean(self) -> None:
        if self.kind == self.Kind.MISSION_STARTING and self.audience != self.Audience.PARTICIPANTS:
            raise ValidationError({"audience": _("Mission reminders go to the mission's participants.")})
        if self.kind == self.Kind.FOLLOW_UP_DUE and self.audience != self.Audience.OWNER:
            raise ValidationError({"audience": _("Follow-up reminders go to the officer who logged the visit.")})
        if self.kind in self.PROJECT_KINDS and self.audience == self.Audience.PARTICIPANTS:
            raise ValidationError({"audience": _("Project reminders go to the owner and, maybe, managers.")})
        late_kinds = (self.Kind.MILESTONE_OVERDUE, self.Kind.PROJECT_IDLE, self.Kind.PROMISE_CHECK_LATE)
        if self.kind in late_kinds and self.days < 1:
            raise ValidationError({"days": _("Count at least one day after the date.")})


class Reminder(models.Model):
    """One reminder sent: what (project stage, visit or mission), which rule, which date.

    The key is unique in the database, so two sweeps, a retried task or a replayed
    message cannot send a reminder twice. `due_on` is the date the rule counts from
    (the planned date, the follow-up date, the mission's start, the last activity):
    re-planning a date makes a new key, which restarts the reminders for it.
    """

    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("rule"))
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True, verbose_name=_("project")
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True, verbose_name=_("visit")
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True, verbose_name=_("mission")
    )
    # A record of an app above projects (a promise check, a problem, a lead): which model
    # it is follows from the rule's kind (projects.reminders.ITEM_KINDS). No foreign key,
    # so projects does not depend on the apps that register kinds; the row stays as a
    # record of what was sent if the item is deleted.
    item_id = models.BigIntegerField(_("item"), null=True, blank=True, editable=False)
    stage = models.CharField(
        _("stage"), max_length=12, blank=True, choices=[(s.value, s.label) for s in PLANNED_STAGES]
    )
    due_on = models.DateField(_("date"))
    level = models.CharField(_("level"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.NOTICE)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The sweep that inserted the row; it notifies for the rows it inserted, and only those.
    claim = models.UUIDField(_("claim"), editable=False)
    recipients = models.PositiveSmallIntegerField(_("people told"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, visit__isnull=True, mission__isnull=True, item_id__isnull=True)
                    | Q(project__isnull=True, visit__isnull=False, mission__isnull=True, item_id__isnull=True)
                    | Q(project__isnull=True, visit__isnull=True, mission__isnull=False, item_id__isnull=True)
                    | Q(project__isnull=True, visit__isnull=True, mission__isnull=True, item_id__isnull=False)
                ),
                name="reminder_about_one_thing",
            ),
            models.UniqueConstraint(
                fields=["project", "rule", "stage", "due_on"],
                condition=Q(project__isnull=False),
                name="reminder_once_per_project_date",
            ),
            models.UniqueConstraint(
                fields=["visit", "rule", "due_on"],
                condition=Q(visit__isnull=False),
                name="reminder_once_per_visit_date",
            ),
            models.UniqueConstraint(
                fields=["mission", "rule", "due_on"],
                condition=Q(mission__isnull=False),
                name="reminder_once_per_mission_date",
            ),
            models.UniqueConstraint(
                fields=["item_id", "rule", "stage", "due_on"],
                condition=Q(item_id__isnull=False),
                name="reminder_once_per_item_date",
            ),
        ]
        indexes = [models.Index(fields=["claim"], name="reminder_claim")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.rule} · {self.due_on}"

    @property
    def subject(self):
        """What the reminder is about; an item (see item_id) is attached by the sweep,
        or loaded here through the kind's registration."""
        if self.item_id is not None:
            if not hasattr(self, "_item"):
                self._item = load_item(self)
            return self._item
        return self.project or self.visit or self.mission


# --- Targets (issue 5) -----------------------------------------------------------------


class Target(models.Model):
    """A zone target ("12345"目标): a metric from a fixed catalogue, a value and a deadline.

    Progress is never typed in: projects.reports.selectors computes the metric from the
    records for the target's window (starts_on to deadline) and compares it with the
    share of the window that has passed (时序进度).
    """

    class Metric(models.TextChoices):
        HIGH_TECH = "high_tech", _("High-tech enterprises in the zone")
        SPECIALISED = "specialised", _("Specialised and innovative (SRDI) companies in the zone")
        LITTLE_GIANTS = "little_giants", _('Specialised "little giants" in the zone')
        LISTED_TOTAL = "listed_total", _("Listed companies in the zone")
        LISTED_NEW = "listed_new", _("Companies listed in the window")
        RND_INSTITUTES = "rnd_institutes", _("New R&D institutes in the zone")
        SIGNED_INVESTMENT = "signed_investment", _("Investment signed in the window (100M yuan)")
        SIGNED_PROJECTS = "signed_projects", _("Projects signed in the window, at or above the tier")
        STARTED_PROJECTS = "started_projects", _("Projects started in the window, at or above the tier")
        # Counted by the funds app (registered in projects.reports.selectors.targets).
        FUNDS_IN_PLACE = "funds_in_place", _("Funds in place in the window (100M yuan)")
        FOREIGN_CAPITAL_USED = "foreign_capital_used", _("Foreign capital actually used in the window (10k USD)")

    # Metrics counted over projects: they honour min_tier.
    PROJECT_METRICS = frozenset({Metric.SIGNED_INVESTMENT, Metric.SIGNED_PROJECTS, Metric.STARTED_PROJECTS})

    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    min_tier = models.CharField(
        _("lowest tier counted"),
        max_length=10,
        choices=Tier.choices,
        blank=True,
        help_text=_("For project metrics: count only projects at or above this size tier."),
    )
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("counting from"))
    deadline = models.DateField(_("deadline"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    is_active = models.BooleanField(_("shown on the dashboard"), default=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["deadline", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
            models.CheckConstraint(condition=Q(deadline__gte=models.F("starts_on")), name="target_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_tier and self.metric not in self.PROJECT_METRICS:
            raise ValidationError({"min_tier": _("Only project metrics count by tier.")})
        if self.starts_on and self.deadline and self.deadline < self.starts_on:
            raise ValidationError({"deadline": _("The deadline comes after the start of the window.")})


# --- Credit split (issue 22) -------------------------------------------------------------


class ProjectCredit(models.Model):
    """One team's share of a project's credit (分成), in percent.

    A project without rows is credited 100% to its own team. With rows, the shares of
    its teams add up to exactly 100: projects.credit.project_set_credit writes all of a
    project's rows at once and checks the sum (a sum over rows is no CHECK). Team
    reports count a project as its share (a fractional count, the amount times the
    share); zone totals count the project once, whatever its split.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="credits", verbose_name=_("project"))
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit share")
        verbose_name_plural = _("credit shares")
        ordering = ["project", "-share", "team"]
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="credit_share_in_range"),
            models.UniqueConstraint(fields=["project", "team"], name="credit_one_row_per_team"),
        ]
        indexes = [models.Index(fields=["team", "project"], name="credit_team_project")]

    def __str__(self) -> str:
        return f"{self.project} · {self.team} {self.share}%"
