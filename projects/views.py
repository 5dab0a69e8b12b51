"""Web pages of pipeline projects (issue 3): My work (the home page), the project list,
the board, a project's page, and the forms that create, edit, re-plan and move one.

Reads go through projects.selectors (which apply who may see what: a hidden project
answers 404), writes through projects.services. A service's DomainError is shown next
to the field it names and nothing of the refused write is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import idempotency, permissions
from core.errors import DomainError, NotPermitted, StaleVersion
from core.links import link_maker
from core.models import User
from core.pagination import BoundedPaginator, count_bound_for, requested_page
from core.templatetags.amounts import format_amount
from core.widgets import quick_selects
from crm import selectors as crm_selectors
from crm.views import warn_of_claim
from projects import selectors, services
from projects.credit import can_split_credit, credit_of
from projects.forms import CompleteDateForm, ProjectForm, ReplanForm, StageChangeForm, bootstrap
from projects.models import PIPELINE, PLANNED_STAGES, SIDE_EXITS, Project, Stage
from projects.panels import render_panels
from projects.selectors import LEVEL_CLASS


class MyWorkView(LoginRequiredMixin, TemplateView):
    """Overdue and coming milestones, follow-ups, recent visits and projects by stage;
    a manager sees the same for their teams, one team, or their own."""

    template_name = "projects/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        work = selectors.my_work(user=user, selected=self.request.GET.get("team", ""))
        # Links of the rows, made here once rather than reversed row by row in the template.
        project_url = link_maker("projects:project_detail")
        organisation_url = link_maker("crm:organisation_detail")
        for milestone in [*work.overdue, *work.due_soon]:
            milestone.project.url = project_url(milestone.project.pk)
        for visit in [*work.follow_ups, *work.recent_visits]:
            visit.organisation_url = organisation_url(visit.organisation_id)
        for project in work.projects:
            project.url = project_url(project.pk)
            project.investor_url = organisation_url(project.investor_id)
        scope = QueryDict(mutable=True)
        if work.scope.mine:
            scope["owner"] = user.pk
        else:
            scope.setlist("team", sorted(work.scope.team_ids))
        open_stages = QueryDict(mutable=True)
        open_stages.setlist("stage", [stage for stage in Stage if stage != Stage.DROPPED])
        context.update(
            work=work,
            level_class=LEVEL_CLASS,
            scope_query=scope.urlencode(),
            open_projects_query=f"{open_stages.urlencode()}&{scope.urlencode()}",
            panels=render_panels("my_work", self.request, scope=work.scope),
        )
        return context


my_work = MyWorkView.as_view()


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# The filters the list and the board show, in this order (ProjectFilter has more, for the API).
LIST_FILTERS = [
    "q",
    "stage",
    "tier",
    "industry",
    "park",
    "owner",
    "team",
    "is_major",
    "capital_origin",
    "signed_year",
    "overdue",
]
BOARD_FILTERS = [name for name in LIST_FILTERS if name != "stage"]
# Every stage a card may be moved to, in the order its menu lists them.
BOARD_MOVE_STAGES = [*PIPELINE, Stage.ON_HOLD, Stage.DROPPED]


def requested_offset(value) -> int:
    """?offset= of a column's "show more": a whole number, 0 when it is not one."""
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 7 else 0


def _owner_choices(user, selected) -> list[tuple]:
    """The owners the filter offers: people of the viewer's teams, the viewer, and the
    owner chosen. Listing every user would make each page render thousands of options;
    any owner still filters by ?owner= (the filter validates against every active user)."""
    people = User.objects.filter(is_active=True).filter(
        Q(team_id__in=permissions.team_ids_of(user)) | Q(pk=user.pk) | Q(pk__in=[selected] if selected else [])
    )
    return [("", _("Any")), *[(person.pk, str(person)) for person in people.order_by("username")]]


def _filter_fields(filterset, names: list[str], user=None):
    form = filterset.form
    if user is not None and "owner" in form.fields:
        selected = form.data.get("owner", "")
        form.fields["owner"].widget.choices = _owner_choices(user, selected if str(selected).isdigit() else None)
    bootstrap(form, small=True)
    quick_selects(form)
    for field in form.fields.values():
        if isinstance(field.widget, forms.SelectMultiple):
            field.widget.attrs["size"] = 3
        elif isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("Any")
        elif isinstance(field.widget, forms.Select):
            choices = list(field.widget.choices)
            if choices and choices[0][0] == "":
                field.widget.choices = [("", _("Any")), *choices[1:]]
    return [form[name] for name in names if name in form.fields]


# --- The list ---------------------------------------------------------------------------


class ProjectListView(LoginRequiredMixin, TemplateView):
    """Filterable, sortable list with the count and total investment of what is filtered."""

    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = requested_page(self.request.GET.get("page"))
        result = selectors.project_list(
            user=self.request.user,
            data=self.request.GET,
            sort=self.request.GET.get("sort"),
            count_bound=count_bound_for(number, selectors.LIST_PAGE_SIZE),
        )
        # Counted already, with the total (at most up to the bound).
        paginator = BoundedPaginator(
            result.projects, selectors.LIST_PAGE_SIZE, page_number=number, count=(result.count, result.exact)
        )
        page = paginator.get_page(number)
        context.update(
            result=result,
            page=page,
            fields=_filter_fields(result.filterset, LIST_FILTERS, self.request.user),
            query=_query_without(self.request, "page"),
            sort_query=_query_without(self.request, "page", "sort"),
            level_class=LEVEL_CLASS,
        )
        return context

    def get_template_names(self):
        # htmx swaps the results only, as filters change.
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "project-results":
            return ["projects/includes/project_results.html"]
        return [self.template_name]


# --- The board --------------------------------------------------------------------------


def _board_cards(user, cards: list[Project]) -> None:
    """What a card shows besides the project: its links, whether the user may move it and
    where to (the card's menu is built from these when it is opened, see board.js)."""
    detail_url = link_maker("projects:project_detail")
    stage_url = link_maker("projects:project_stage")
    for card in cards:
        card.url = detail_url(card.pk)
        card.editable = permissions.can_edit_project(user, card)
        if card.editable:
            card.move_url = stage_url(card.pk)
            card.move_stages = " ".join(move.stage for move in card.moves)


def _more_query(request: HttpRequest) -> str:
    """The board's filters, for the "show more" of a column (which adds stage and offset)."""
    return _query_without(request, "stage", "offset")


class BoardView(LoginRequiredMixin, TemplateView):
    """The pipeline as columns of cards; each column shows its first cards and loads the
    next ones on demand (BoardColumnView)."""

    template_name = "projects/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        board = selectors.board(user=user, data=self.request.GET)
        for column in board.columns:
            _board_cards(user, column.cards)
        context.update(
            board=board,
            fields=_filter_fields(board.filterset, BOARD_FILTERS, user),
            here=self.request.get_full_path(),
            more_query=_more_query(self.request),
            move_menu=[selectors.Move(stage, stage.label, stage in SIDE_EXITS) for stage in BOARD_MOVE_STAGES],
            level_class=LEVEL_CLASS,
        )
        return context


class BoardColumnView(LoginRequiredMixin, View):
    """A column's next cards, for its "show more" (htmx swaps them in for the button)."""

    def get(self, request: HttpRequest, stage: str) -> HttpResponse:
        if stage not in selectors.BOARD_STAGES:
            raise Http404
        column = selectors.board_column(
            user=request.user, data=request.GET, stage=Stage(stage), offset=requested_offset(request.GET.get("offset"))
        )
        _board_cards(request.user, column.cards)
        context = {"column": column, "more_query": _more_query(request), "level_class": LEVEL_CLASS}
        return render(request, "projects/includes/board_cards.html", context)


# --- A project's page -------------------------------------------------------------------


def _detail_context(request: HttpRequest, pk: int, *, stage_form=None, replan_forms=None, date_forms=None) -> dict:
    detail = selectors.project_detail(user=request.user, pk=pk)
    project = detail.project
    editable = permissions.can_edit_project(request.user, project)
    here = reverse("projects:project_detail", args=[project.pk])
    if stage_form is None and detail.moves:
        stage_form = StageChangeForm(
            initial={
                "to_stage": detail.moves[0].stage,
                "from_stage": project.stage,
                "version": project.version,
                "on": detail.today,
                "next": here,
            },
            moves=detail.moves,
            project=project,
        )
    replan_forms = replan_forms or {}
    for row in detail.rows:
        if row.can_replan:
            row.replan_form = replan_forms.get(row.stage) or ReplanForm(
                prefix=row.stage, initial={"stage": row.stage, "new_date": row.planned}
            )
        if row.date_unknown:
            row.date_form = (date_forms or {}).get(row.stage) or CompleteDateForm(prefix=f"date-{row.stage}")
    return {
        "detail": detail,
        "project": project,
        "editable": editable,
        "credit": credit_of(project),
        "can_split_credit": can_split_credit(request.user, project),
        "stage_form": stage_form,
        "level_class": LEVEL_CLASS,
        "replan_open": next(iter(replan_forms), ""),
        "panels": render_panels("project_detail", request, project=project),
        "aside_panels": render_panels("project_aside", request, project=project),
    }


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "projects/project_detail.html", _detail_context(request, pk))


# --- Create and edit --------------------------------------------------------------------


class ProjectCreateView(LoginRequiredMixin, View):
    """A new project (a lead); from a visit (?visit=) the investor and source are filled in."""

    template_name = "projects/project_form.html"

    def _visit(self, request: HttpRequest):
        return selectors.source_visit_for(request.POST.get("source_visit") or request.GET.get("visit"))

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict = {}
        visit = self._visit(request)
        if visit:
            initial.update(
                investor=visit.organisation_id,
                source_kind=Project.SourceKind.VISIT,
                source_visit=visit.pk,
                source_mission=visit.mission_id,
            )
        else:
            organisation = request.GET.get("organisation", "")
            if organisation.isdigit():
                initial["investor"] = int(organisation)
        if request.user.team_id:
            initial["team"] = request.user.team_id
        form = ProjectForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "visit": visit})

    def post(self, request: HttpRequest) -> HttpResponse:
        # A retried POST (a connection cut before the answer) creates one project.
        return idempotency.form_post(request, lambda: self._create(request))

    def _create(self, request: HttpRequest) -> HttpResponse:
        form = ProjectForm(request.POST, instance=Project(), user=request.user)
        if form.is_valid():
            try:
                project = services.project_save(project=form.instance, by=request.user)
            except DomainError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
                warn_of_claim(request, project)
                return HttpResponseRedirect(reverse("projects:project_detail", args=[project.pk]))
        return render(request, self.template_name, {"form": form, "visit": self._visit(request)})


class InvestorOptionsView(LoginRequiredMixin, View):
    """htmx: organisations matching what is typed in the project form's investor box."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("investor_query") or "").strip()
        results = crm_selectors.organisation_search(query) if query else []
        return render(request, "projects/includes/investor_options.html", {"results": results, "query": query})


def _add_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _editable_project(request: HttpRequest, pk: int, refusal: str) -> Project:
    """The project behind a write: 404 when the user may not see it (as if it did not
    exist), 403 when they may read it but not change it (core.permissions decides)."""
    project = selectors.project_for(request.user, pk)
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied(refusal)
    return project


def _display(project: Project, name: str) -> str:
    """A field's value on `project`, as the form's reader knows it."""
    value = getattr(project, name)
    field = Project._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(getattr(project, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format_amount(value) if name != "foreign_capital_usd" else format_amount(value, "USD")
    if isinstance(value, dt.date):
        return date_format(value)
    return str(value)


class ProjectUpdateView(LoginRequiredMixin, View):
    """Edit a project. The form carries the version it started from: when someone else
    saved in between, the save is refused, the newer values are shown beside what the
    user typed (which the form keeps), and saving again is a deliberate choice."""

    template_name = "projects/project_form.html"

    def _project(self, request: HttpRequest, pk: int) -> Project:
        return _editable_project(request, pk, _("You can edit your team's projects only."))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        form = ProjectForm(instance=project, user=request.user)
        return render(request, self.template_name, {"form": form, "project": project})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        form = ProjectForm(request.POST, instance=project, user=request.user)
        conflict = []
        if form.is_valid():
            try:
                with transaction.atomic():
                    current = (
                        Project.objects.select_for_update().filter(pk=project.pk).values_list("version", flat=True)
                    ).first()
                    if form.cleaned_data.get("version") != current:
                        raise StaleVersion("", current_version=current)
                    services.project_save(
                        project=form.instance, by=request.user, replan_reason=form.cleaned_data.get("replan_reason", "")
                    )
            except StaleVersion:
                conflict = self._conflict(request, form, pk)
            except DomainError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("Project “%(name)s” saved.") % {"name": form.instance.name})
                warn_of_claim(request, form.instance)
                return HttpResponseRedirect(reverse("projects:project_detail", args=[pk]))
        # What is shown in the page's header is the stored project, not the edited copy.
        stored = selectors.project_for(request.user, pk)
        return render(request, self.template_name, {"form": form, "project": stored, "conflict": conflict})

    def _conflict(self, request: HttpRequest, form: ProjectForm, pk: int) -> list[tuple[str, str, str]]:
        stored = selectors.project_for(request.user, pk)
        form.add_error(
            None,
            _(
                "Someone else saved this project while you were editing it (by %(who)s). Nothing of yours was "
                "saved. Their values are shown next to yours below; your changes are still in the form: "
                "check them and save again to replace theirs."
            )
            % {"who": self._last_editor(stored)},
        )
        typed = Project(**{f.attname: getattr(stored, f.attname) for f in Project._meta.concrete_fields})
        shown = [name for name in form._meta.fields if name in form.fields and name != "source_visit"]
        for name in shown:
            if name in form.cleaned_data:
                setattr(typed, name, form.cleaned_data[name])
        rows = []
        for name in shown:
            theirs, yours = _display(stored, name), _display(typed, name)
            if theirs != yours:
                rows.append((form.fields[name].label, theirs, yours))
        # The next save is based on what the user has now seen.
        form.data = form.data.copy()
        form.data["version"] = str(stored.version)
        return rows

    @staticmethod
    def _last_editor(project: Project) -> str:
        record = project.history.select_related("history_user").order_by("-history_date").first()
        return str(record.history_user) if record and record.history_user else _("another user")


# --- Stage changes and re-plans ---------------------------------------------------------


class ProjectStageView(LoginRequiredMixin, View):
    """The form of a stage move: from the board (a card dropped on a column, or the card's
    menu on a phone) or the project's page. htmx gets the form alone; a plain request
    gets a page. The move is projects.services.project_change_stage's decision."""

    def _render(self, request, form, project) -> HttpResponse:
        context = {"form": form, "project": project, "stage": form.chosen_stage()}
        if request.headers.get("HX-Request"):
            return render(request, "projects/includes/stage_form.html", context)
        return render(request, "projects/stage_form.html", context)

    @staticmethod
    def _project(request: HttpRequest, pk: int) -> Project:
        return _editable_project(request, pk, _("You can change the stage of your team's projects only."))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        moves = selectors.allowed_moves(project)
        to = request.GET.get("to") or (moves[0].stage if moves else project.stage)
        form = StageChangeForm(
            initial={
                "to_stage": to,
                "from_stage": project.stage,
                "version": project.version,
                "on": timezone.localdate(),
                "next": _safe_next(request, request.GET.get("next")) or "",
            },
            moves=moves or [selectors.Move(Stage(project.stage), Stage(project.stage).label)],
            project=project,
        )
        if to in Stage.values and to not in {move.stage for move in moves}:
            # Dropped on a column the machine does not allow from here: the choice stays,
            # and saving shows the service's explanation.
            form.fields["to_stage"].widget.choices = [*form.fields["to_stage"].widget.choices, (to, Stage(to).label)]
        return self._render(request, form, project)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        moves = selectors.allowed_moves(project)
        form = StageChangeForm(request.POST, moves=moves, project=project)
        chosen = request.POST.get("to_stage")
        if chosen in Stage.values and chosen not in {move.stage for move in moves}:
            form.fields["to_stage"].widget.choices = [
                *form.fields["to_stage"].widget.choices,
                (chosen, Stage(chosen).label),
            ]
        if not form.is_valid():
            return self._render(request, form, project)
        data = form.cleaned_data
        if data["to_stage"] == data["from_stage"]:
            form.add_error("to_stage", _("The project is already at this stage."))
            return self._render(request, form, project)
        # The stage and version the user saw: if someone changed the project meanwhile,
        # the service refuses (a form without a version, sent before versions were
        # asked for, counts as stale).
        project.stage = data["from_stage"]
        try:
            services.project_change_stage(
                project=project,
                to_stage=data["to_stage"],
                on=data["on"],
                by=request.user,
                note=data["note"],
                reason=data["reason"],
                signed_amount=data["signed_amount"],
                version=data["version"] or 0,
                loss_reason=data["loss_reason"],
                lost_to=data["lost_to"],
            )
        except StaleVersion as error:
            form.add_error(None, error.message)
            # Shown again with the project as it is now: sending it again is deliberate.
            project = selectors.project_for(request.user, pk)
            form.data = form.data.copy()
            form.data.update({"version": str(project.version), "from_stage": project.stage})
            return self._render(request, form, project)
        except NotPermitted as error:  # the project changed hands after the check above
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            return self._render(request, form, project)
        messages.success(
            request,
            _("“%(name)s” moved to “%(stage)s”.") % {"name": project.name, "stage": Stage(data["to_stage"]).label},
        )
        target = _safe_next(request, data["next"]) or reverse("projects:project_detail", args=[project.pk])
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class ProjectCompleteDateView(LoginRequiredMixin, View):
    """The owner gives the date of a stage reached on a date unknown at the import."""

    def post(self, request: HttpRequest, pk: int, stage: str) -> HttpResponse:
        project = selectors.project_for(request.user, pk)
        if not permissions.can_edit_project(request.user, project):
            raise PermissionDenied
        if stage not in PIPELINE or not project.date_unknown(stage):
            raise Http404
        form = CompleteDateForm(request.POST, prefix=f"date-{stage}")
        if form.is_valid():
            try:
                services.project_complete_date(
                    project=project, stage=stage, on=form.cleaned_data["on"], by=request.user
                )
            except DomainError as error:
                form.add_error("on", error.message)
            else:
                messages.success(request, _("The date was completed."))
                return HttpResponseRedirect(reverse("projects:project_detail", args=[pk]))
        context = _detail_context(request, pk, date_forms={stage: form})
        return render(request, "projects/project_detail.html", context, status=400)


class ProjectReplanView(LoginRequiredMixin, View):
    """Move one planned date with a reason; the original plan stays on the page."""

    def post(self, request: HttpRequest, pk: int, stage: str) -> HttpResponse:
        project = _editable_project(request, pk, _("You can edit your team's projects only."))
        if stage not in PLANNED_STAGES:
            raise Http404
        form = ReplanForm(request.POST, prefix=stage)
        if form.is_valid():
            try:
                services.project_replan(
                    project=project,
                    stage=stage,
                    new_date=form.cleaned_data["new_date"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except NotPermitted as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                field = None if not error.field or error.field == "stage" else error.field
                field = field if field == "reason" else (field and "new_date")
                form.add_error(field, error.message)
            else:
                messages.success(request, _("The planned date was moved; the earlier plan stays in the history."))
                return HttpResponseRedirect(reverse("projects:project_detail", args=[pk]))
        context = _detail_context(request, pk, replan_forms={stage: form})
        return render(request, "projects/project_detail.html", context)
