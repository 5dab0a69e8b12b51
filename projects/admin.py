"""Admin for pipeline projects, their stage changes and re-plans.

Edits go through projects.services.project_save (a changed planned date needs the
re-plan reason field); the "Change stage" fields on the project's page call
project_change_stage, the one function that moves a stage. Deleting hides a project;
admins find deleted ones under the "deleted" filter and restore them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import permissions
from core.admin_base import AccessMixin, ReadOnlyInline, RecordAdmin, ServiceForm
from core.errors import DomainError
from projects import services
from projects.admin_reminders import OverdueLevelFilter, overdue_level_column
from projects.credit import Share, can_split_credit, check_shares, project_set_credit
from projects.models import (
    PIPELINE,
    SIDE_EXITS,
    LossReason,
    Project,
    ProjectCredit,
    Replan,
    Stage,
    StageChange,
    actual_field,
)
from projects.reminders import with_overdue_level
from projects.tiers import REPORTING_THRESHOLD, TIER_FLOORS, Tier, current_tier_key

ACTUAL_DATES = tuple(actual_field(stage) for stage in [*PIPELINE, *SIDE_EXITS])


class ProjectForm(ServiceForm):
    replan_reason = forms.CharField(
        label=_("Re-plan reason"),
        required=False,
        max_length=300,
        help_text=_("Needed when you change a planned date that was already set; the old plan stays on record."),
    )
    to_stage = forms.ChoiceField(
        label=_("Move to stage"),
        required=False,
        choices=[("", "---------"), *Stage.choices],
        help_text=_("Leave empty to keep the stage."),
    )
    stage_date = forms.DateField(label=_("Date reached"), required=False, widget=AdminDateWidget)
    loss_reason = forms.ChoiceField(
        label=_("Why was it lost?"),
        required=False,
        choices=[("", "---------"), *LossReason.choices],
        help_text=_("Needed to drop a project."),
    )
    lost_to = forms.CharField(
        label=_("Competing location"),
        required=False,
        max_length=100,
        help_text=_("Where the project went, when it went to another location (e.g. 苏州工业园区)."),
    )
    stage_note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to put a project on hold, drop it, or correct its stage."),
    )
    correction = forms.BooleanField(
        label=_("Correction"),
        required=False,
        help_text=_("Move the project back to undo a stage recorded by mistake."),
    )

    # The stage the user saw: if someone else moves the project before this form is
    # sent, the stage service refuses the move instead of applying it to a new stage.
    stage_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    # Names the stage service gives its arguments, mapped to the fields above.
    service_error_fields = {"on": "stage_date", "reason": "stage_note", "note": "stage_note"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "stage_seen" not in self.fields:
            return
        self.fields["stage_seen"].initial = self.instance.stage
        error = self.service_error
        if self.is_bound and error is not None and error.code == "stage_changed_meanwhile":
            # Shown again with the stage as it is now, so that sending it again applies.
            self.data = self.data.copy()
            self.data[self.add_prefix("stage_seen")] = self.instance.stage


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ("from_stage", "to_stage", "reached_on", "is_correction", "note", "changed_by", "changed_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class ReplanInline(ReadOnlyInline):
    model = Replan
    fields = ("stage", "old_date", "new_date", "reason", "changed_by", "changed_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class DeletedFilter(admin.SimpleListFilter):
    """Live projects unless asked otherwise; admins only (others never see deleted ones)."""

    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted projects"))]

    def queryset(self, request, queryset):
        return queryset.filter(is_deleted=self.value() == "yes")

    def choices(self, changelist):
        yield {
            "selected": self.value() != "yes",
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Live projects"),
        }
        yield {
            "selected": self.value() == "yes",
            "query_string": changelist.get_query_string({self.parameter_name: "yes"}),
            "display": _("Deleted projects"),
        }


class TierFilter(admin.SimpleListFilter):
    """Tiers as reports count them: "1B yuan and above" includes the 10B projects."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return Tier.choices

    def queryset(self, request, queryset):
        floors = {tier.value: floor for floor, tier in TIER_FLOORS}
        key = current_tier_key(self.value() or "")  # links with a key from before API 2.0 still work
        if key == Tier.BELOW_100M:
            return queryset.filter(total_investment__lt=REPORTING_THRESHOLD)
        if key in floors:
            return queryset.filter(total_investment__gte=floors[key])
        return queryset


class TeamScopeFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("my_teams", _("My teams' projects"))]

    def queryset(self, request, queryset):
        if self.value() == "my_teams":
            return queryset.filter(team_id__in=permissions.team_ids_of(request.user))
        return queryset


class CreditFormSet(forms.BaseInlineFormSet):
    """The split as a whole: checked by the credit service's rules before anything is saved."""

    def shares(self) -> list[Share]:
        return [
            Share(form.cleaned_data["team"], form.cleaned_data["share"], form.cleaned_data.get("note") or "")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("team")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            check_shares(self.shares())
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


class CreditInline(admin.TabularInline):
    """A project's credit split; saved whole through projects.credit.project_set_credit."""

    model = ProjectCredit
    formset = CreditFormSet
    extra = 0
    fields = ("team", "share", "note")
    verbose_name = _("credit share")
    verbose_name_plural = _("credit split (shares add up to 100%; none: 100% to the project's team)")

    def _may(self, request, obj) -> bool:
        return obj is not None and can_split_credit(request.user, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    form = ProjectForm
    # Few columns, so that the list fits a 1366 px laptop: the name (with its investor
    # under it) gets the width; amount, stage, responsibility and last change beside it.
    list_display = ("name_and_investor", "stage", overdue_level_column, "amount", "responsible", "updated_at")
    list_display_links = ("name_and_investor",)
    list_per_page = 50
    list_filter = (
        "stage",
        OverdueLevelFilter,
        TierFilter,
        "is_major",
        TeamScopeFilter,
        "team",
        "industry",
        "park",
        "capital_origin",
        "kind",
        "source_kind",
    )
    list_select_related = ("investor", "park", "owner", "team")
    search_fields = ("name", "investor__name", "investor__name_en", "investor__credit_code")
    autocomplete_fields = ("investor", "source_mission", "source_visit", "owner")
    readonly_fields = (
        "stage",
        "held_stage",
        "exit_reason",
        "loss_reason",
        "lost_to",
        *ACTUAL_DATES,
        "tier",
        "investment_yi",
        "created_at",
        "updated_at",
        "is_deleted",
        "deleted_at",
    )
    actions = ("restore_projects",)

    class Media:
        css = {"all": ["css/admin-lists.css"]}

    # --- who sees and changes what

    def may_view(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_view_record(user, None)
        return permissions.can_view_project(user, obj) and (not obj.is_deleted or permissions.can_restore_project(user))

    def may_add(self, user) -> bool:
        return permissions.can_create_record(user)

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return not obj.is_deleted and permissions.can_edit_project(user, obj)

    def may_delete(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.is_admin(user) or permissions.is_manager(user)
        return not obj.is_deleted and permissions.can_delete_project(user, obj)

    def has_restore_permission(self, request) -> bool:
        return permissions.can_restore_project(request.user)

    def get_queryset(self, request):
        if permissions.can_restore_project(request.user):
            # Admins also reach deleted projects, to look at them and restore them.
            queryset = with_overdue_level(Project.all_objects.all())
            ordering = self.get_ordering(request)
            return queryset.order_by(*ordering) if ordering else queryset
        return with_overdue_level(permissions.visible_projects(request.user, super().get_queryset(request)))

    def get_list_filter(self, request):
        if permissions.can_restore_project(request.user):
            return (DeletedFilter, *self.list_filter)
        return self.list_filter

    # --- the page

    def _editing(self, request, obj) -> bool:
        return (
            obj is not None
            and not getattr(request, "_viewing_history", False)
            and self.has_change_permission(request, obj)
        )

    def get_fieldsets(self, request, obj=None):
        editing = self._editing(request, obj)
        amounts = ["total_investment"]
        if obj is not None:
            amounts += ["investment_yi", "tier"]
        amounts += ["fixed_asset_investment", "foreign_capital_usd"]
        if not editing:
            # When editing, the signed amount sits with the stage change that needs it.
            amounts.append("signed_amount")
        amounts += ["expected_annual_output", "jobs"]
        fieldsets = [
            (None, {"fields": ["name", "investor", "kind", "capital_origin", "industry", "park", "description"]}),
            (_("Amounts"), {"fields": amounts}),
            (_("Source"), {"fields": ["source_kind", "source_mission", "source_visit", "source_note"]}),
            (_("Responsibility"), {"fields": ["owner", "team", "is_major", "is_confidential"]}),
        ]
        if obj is not None:  # a new project starts as a lead: no stage to show yet
            fieldsets.append(
                (
                    _("Stage"),
                    {"fields": ["stage", "held_stage", "exit_reason", "loss_reason", "lost_to", *ACTUAL_DATES]},
                )
            )
        plan = ["signed_planned", "started_planned", "completed_planned", "producing_planned"]
        fieldsets.append((_("Plan"), {"fields": [*plan, "replan_reason"] if editing else plan}))
        if editing:
            stage_fields = [
                "to_stage",
                "stage_date",
                "signed_amount",
                "loss_reason",
                "lost_to",
                "stage_note",
                "stage_seen",
            ]
            if permissions.can_correct_stage(request.user):
                stage_fields.append("correction")
            fieldsets.append((_("Change stage"), {"fields": stage_fields}))
        if obj is not None:
            record = ["created_at", "updated_at"]
            if permissions.can_restore_project(request.user):
                record += ["is_deleted", "deleted_at"]
            fieldsets.append((_("Record"), {"fields": record}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not permissions.can_correct_stage(request.user):
            form.base_fields.pop("correction", None)
        return form

    def get_inlines(self, request, obj):
        return [] if obj is None else [CreditInline, StageChangeInline, ReplanInline]

    @admin.display(description=_("project"), ordering="name")
    def name_and_investor(self, obj) -> str:
        return format_html('{}<div class="list-secondary">{}</div>', obj.name, obj.investor)

    @admin.display(description=_("amount (100M yuan)"), ordering="total_investment")
    def amount(self, obj) -> str:
        return formats.number_format(obj.total_investment_yi, 2)

    @admin.display(description=_("owner"), ordering="owner__username")
    def responsible(self, obj) -> str:
        return format_html('{}<div class="list-secondary">{}</div>', obj.owner, obj.team or "")

    @admin.display(description=_("tier"), ordering="total_investment")
    def tier(self, obj) -> str:
        return obj.tier.label

    @admin.display(description=_("total investment (100M yuan)"), ordering="total_investment")
    def investment_yi(self, obj) -> str:
        return formats.number_format(obj.total_investment_yi, 2)

    # --- writes

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        project = services.project_save(project=obj, by=request.user, replan_reason=data.get("replan_reason") or "")
        if change and data.get("to_stage"):
            note = data.get("stage_note") or ""
            if data.get("stage_seen"):
                project.stage = data["stage_seen"]
            services.project_change_stage(
                project=project,
                to_stage=data["to_stage"],
                on=data.get("stage_date"),
                by=request.user,
                note=note,
                reason=note,
                signed_amount=data.get("signed_amount"),
                correction=bool(data.get("correction")),
                loss_reason=data.get("loss_reason") or "",
                lost_to=data.get("lost_to") or "",
            )

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, CreditFormSet):
            # The split is saved whole by its service; the admin's log reads these lists.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.has_changed():
                formset.new_objects = project_set_credit(
                    project=form.instance, shares=formset.shares(), by=request.user
                )
            return
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.project_delete(project=obj, by=request.user)

    def get_deleted_objects(self, objs, request):
        # Deleting only hides the project: its stage changes and re-plans stay.
        return list(objs), {Project._meta.verbose_name_plural: len(objs)}, set(), []

    @admin.action(description=_("Restore the selected deleted projects"), permissions=["restore"])
    def restore_projects(self, request, queryset):
        restored = 0
        for project in queryset.filter(is_deleted=True):
            try:
                services.project_restore(project=project, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{project}: {error.message}", messages.ERROR)
            else:
                restored += 1
        self.message_user(
            request,
            ngettext("%(count)d project restored.", "%(count)d projects restored.", restored) % {"count": restored},
        )


class ProjectRowAdmin(AccessMixin, admin.ModelAdmin):
    """Stage changes and re-plans across projects: read-only, as visible as their project."""

    list_select_related = ("project", "changed_by")
    search_fields = ("project__name", "project__investor__name")

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)  # get_queryset hides what their project hides

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("project", "changed_by")
        if permissions.is_admin(request.user):
            return queryset
        visible = permissions.visible_projects(request.user, Project.objects.all())
        return queryset.filter(project__in=visible.values("pk"))


@admin.register(StageChange)
class StageChangeAdmin(ProjectRowAdmin):
    list_display = ("project", "from_stage", "to_stage", "reached_on", "is_correction", "changed_by", "changed_at")
    list_filter = ("to_stage", "from_stage", "is_correction", "project__team")
    date_hierarchy = "reached_on"


@admin.register(Replan)
class ReplanAdmin(ProjectRowAdmin):
    list_display = ("project", "stage", "old_date", "new_date", "reason", "changed_by", "changed_at")
    list_filter = ("stage", "project__team")
    search_fields = ("project__name", "project__investor__name", "reason")


# --- Targets (issue 5): admins set them, everyone reads them -------------------------------

from core.admin_base import ReferenceDataAdmin  # noqa: E402
from projects.models import Target  # noqa: E402


@admin.register(Target)
class TargetAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ["name", "metric", "min_tier", "value", "starts_on", "deadline", "is_active"]
    list_filter = ["metric", "is_active"]
    search_fields = ["name", "notes"]
    fields = ["name", "metric", "min_tier", "value", "starts_on", "deadline", "notes", "is_active"]
