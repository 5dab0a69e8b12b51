"""Problems and asks (项目诉求/问题, issue 18): what holds a project up after the signing,
handed to the department responsible (责任部门) with a due date and chased until it is
solved or found impossible. Departments are reference data kept in admin.

A problem is as visible as its project: the selectors narrow by
core.permissions.visible_projects, so a confidential project's problems are hidden from
other teams like the project. Writes go through problems.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import Visit
from projects.models import Project


class Department(models.Model):
    """A department of the zone or the county that solves problems (自然资源和规划局,
    生态环境局, 供电公司, ...): reference data an admin keeps."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    contact = models.CharField(
        _("usual contact"), max_length=100, blank=True, help_text=_("Who the office usually calls there.")
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive ones are not offered any more."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department responsible")
        verbose_name_plural = _("departments responsible")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    class Kind(models.TextChoices):
        LAND = "land", _("Land")
        PERMITS = "permits", _("Planning and permits")
        ENVIRONMENT = "environment", _("Environment")
        ENERGY = "energy", _("Energy and power")
        FINANCE = "finance", _("Finance")
        TALENT = "talent", _("Talent")
        POLICY = "policy", _("Policy")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SOLVED = "solved", _("Solved")
        UNSOLVABLE = "unsolvable", _("Cannot be solved")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.SOLVED, Status.UNSOLVABLE)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems", verbose_name=_("project"))
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    raised_on = models.DateField(_("raised on"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="problems_raised", verbose_name=_("raised by")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        related_name="problems",
        null=True,
        blank=True,
        verbose_name=_("raised at the visit"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="problems", verbose_name=_("department responsible")
    )
    department_contact = models.CharField(_("person responsible there"), max_length=100, blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["due_on", "id"]
        constraints = [
            # Closed (solved or not) means a date and a note saying how; open means neither date.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["solved", "unsolvable"], closed_on__isnull=False)
                    & ~Q(resolution="")
                    & Q(closed_on__gte=models.F("raised_on"))
                )
                | Q(status__in=["open", "in_progress"], closed_on__isnull=True),
                name="problem_closed_with_date_and_note",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("raised_on")), name="problem_due_after_raised"),
            models.CheckConstraint(condition=Q(title__regex=r"\S"), name="problem_has_title"),
        ]
        indexes = [
            # The reminder sweep and the ageing colours: open problems by due date.
            models.Index(fields=["due_on"], condition=Q(status__in=["open", "in_progress"]), name="problem_open_due"),
            models.Index(fields=["project", "status"], name="problem_project_status"),
            models.Index(fields=["department", "status"], name="problem_department_status"),
            # The monthly counts: opened and solved in a period.
            models.Index(fields=["raised_on"], name="problem_raised_on"),
            models.Index(fields=["closed_on"], condition=Q(closed_on__isnull=False), name="problem_closed_on"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("problems:problem_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
