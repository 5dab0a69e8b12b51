"""Django admin: every page opens, lists cost the same queries however long they are,
core.permissions decides who sees and changes what, and writes go through the
services (their refusals are shown on the form and change nothing)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.forms import ModelMultipleChoiceField, MultipleChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from agreements.models import AgreementDocument, PromiseCheck
from claims.models import Collision, Decision
from core.errors import DomainError
from core.models import AuditEvent, Department, EmailDigest, Heartbeat, Notification, User
from crm import services as crm_services
from crm.models import Contact, ExchangeRate, Industry, Organisation, Qualification, Visit
from funds.models import FundsEntry
from outbound.models import OutboundMessage
from projects import reminders
from projects.models import Project, Reminder, ReminderRule, Replan, Stage, StageChange, Target
from projects.services import project_change_stage, project_replan
from tests.agreements.rows import add_agreement_rows
from tests.chains.rows import add_chain_rows
from tests.claims.rows import add_claim_rows
from tests.factories import (
    ContactFactory,
    DepartmentFactory,
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
    VisitFactory,
)
from tests.outbound.rows import add_outbound_rows
from tests.problems.rows import add_problem_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


# --- helpers ----------------------------------------------------------------------


def admin_url(model_or_obj, view: str, *args) -> str:
    opts = model_or_obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def change_url(obj) -> str:
    return admin_url(obj, "change", obj.pk)


@pytest.fixture
def browser(client):
    """A client that reads the admin in English (the source strings of the messages)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def _encode(value, field):
    if value is None:
        return None if isinstance(field, MultipleChoiceField | ModelMultipleChoiceField) else ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def form_data(response) -> dict:
    """The form on an admin change page, as a browser would send it back unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = _encode(form[name].value(), form.fields[name])
            if value is not None:
                data[form[name].html_name] = value
    return data


def errors_of(response) -> list[str]:
    """Every error message on a re-shown admin form."""
    form = response.context["adminform"].form
    return [str(message) for messages in form.errors.values() for message in messages]


def listed(response) -> set:
    return set(response.context["cl"].result_list)


# --- one of everything ------------------------------------------------------------


def add_rows(n: int) -> None:
    """n rows in every admin list, each with related objects of its own (so a list
    that fetched them one row at a time would show in its query count)."""
    today = timezone.localdate()
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now()})
    for _ in range(n):
        department = DepartmentFactory(name=f"投资促进局{Department.objects.count()}")
        owner = UserFactory(team=TeamFactory(department=department), display_name="招商专员")
        organisation = OrganisationFactory(owner=owner, industry=IndustryFactory(), park=ParkFactory())
        Qualification.objects.create(organisation=organisation, kind=Qualification.Kind.HIGH_TECH, year=2023)
        contact = ContactFactory(organisation=organisation, title="")
        mission = MissionFactory(owner=owner, leader=owner)
        mission.participants.add(owner)
        visit = VisitFactory(organisation=organisation, owner=owner, mission=mission, date=mission.start_date)
        visit.officers.add(owner)
        visit.contacts.add(contact)
        project = ProjectFactory(
            investor=organisation,
            owner=owner,
            industry=organisation.industry,
            park=organisation.park,
            source_mission=mission,
            source_visit=visit,
            signed_planned=today + dt.timedelta(days=30),
        )
        project_change_stage(project=project, to_stage=Stage.NEGOTIATING, on=today, by=owner)
        project_replan(
            project=project,
            stage=Stage.SIGNED,
            new_date=today + dt.timedelta(days=60),
            reason="对方董事会延期",
            by=owner,
        )
        FundsEntry.objects.create(project=project, month=today.replace(day=1), amount=Decimal(500), entered_by=owner)
        # A follow-up due today: the sweep turns it into a reminder and a notification.
        VisitFactory(organisation=organisation, owner=owner, follow_up_on=today)
        EmailDigest.objects.create(recipient=owner, day=today, token=uuid.uuid4(), size=1)
        Token.objects.create(user=owner)
        Target.objects.create(
            name="高新技术企业3000家", metric=Target.Metric.HIGH_TECH, value=3000, starts_on=today, deadline=today
        )
        add_chain_rows(owner)
        add_claim_rows(owner)
        add_agreement_rows(owner)
        add_problem_rows(project, owner)
        add_outbound_rows(owner)
        ExchangeRate.objects.create(
            currency="GBP", year=1990 + ExchangeRate.objects.count(), rate=Decimal("9.1"), source="test figure"
        )
    reminders.sweep()


@pytest.fixture
def zone(reminder_rules, officer, colleague, other_officer, manager, admin_user):
    add_rows(1)


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def first_of(model):
    manager = getattr(model, "all_objects", model._default_manager)
    obj = manager.order_by("pk").first()
    assert obj is not None, f"build a {model._meta.label} for the admin tests"
    return obj


# --- 1. every page opens ------------------------------------------------------------


@pytest.mark.parametrize("model", [m for m, _ in registered()], ids=lambda m: m._meta.label)
def test_every_admin_page_opens_for_an_admin(model, zone, admin_user, browser):
    client = browser(admin_user)
    model_admin = admin.site._registry[model]
    obj = first_of(model)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(change_url(obj)).status_code == 200
    if hasattr(model_admin, "history_form_view"):
        assert client.get(admin_url(model, "history", obj.pk)).status_code == 200
        version = model.history.filter(id=obj.pk).latest("history_date")
        assert client.get(admin_url(model, "simple_history", obj.pk, version.history_id)).status_code == 200
    else:
        assert client.get(admin_url(model, "history", obj.pk)).status_code == 200  # Django's log
    if model in {
        Collision,
        Decision,
        StageChange,
        Replan,
        Reminder,
        Notification,
        EmailDigest,
        Heartbeat,
        AuditEvent,
        PromiseCheck,
        AgreementDocument,
        OutboundMessage,
    }:
        # Records of what happened (or of a process, or made by another record's
        # service: a promise's check, an uploaded document): nobody adds them by hand.
        assert client.get(admin_url(model, "add")).status_code == 403
    else:
        assert client.get(admin_url(model, "add")).status_code == 200


def test_the_index_lists_what_an_officer_may_read_and_nothing_else(zone, officer, browser):
    response = browser(officer).get(reverse("admin:index"))
    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {
        "Organisation",
        "Contact",
        "Qualification",
        "Mission",
        "Visit",
        "Industry",
        "Park",
        "ExchangeRate",
        "Project",
        "StageChange",
        "Replan",
        "Target",
        "FundsEntry",
        "Agreement",
        "PromiseCheck",
        "AgreementDocument",
    }


# --- 2. a list costs the same queries however long it is ---------------------------


@pytest.mark.parametrize("role", ["admin_user", "officer"])
def test_no_list_runs_more_queries_for_more_rows(role, zone, browser, request):
    client = browser(request.getfixturevalue(role))
    urls = [admin_url(model, "changelist") for model, _ in registered()]
    rows = {url: [] for url in urls}

    def count_queries() -> dict[str, int]:
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            if response.status_code == 200:
                counts[url] = len(queries)
                rows[url].append(response.context["cl"].result_count)
        return counts

    count_queries()  # warm caches (content types) first
    few = count_queries()
    add_rows(2)
    many = count_queries()
    assert few.keys() == many.keys()
    assert many == few
    # Every list the user may open did grow (or the comparison would prove nothing).
    assert all(
        counts[-1] > counts[-2]
        for url, counts in rows.items()
        if url in few and not url.endswith(("/heartbeat/", "/reminderrule/", "/auditevent/"))
    )


@pytest.mark.parametrize("role", ["admin_user", "officer"])
def test_no_change_page_runs_more_queries_for_more_rows(role, zone, browser, request):
    """Pickers search on demand: a page does not load every organisation or user."""
    client = browser(request.getfixturevalue(role))
    urls = [change_url(first_of(model)) for model, _ in registered()]

    def count_queries() -> dict[str, int]:
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            counts[url] = (response.status_code, len(queries))
        return counts

    count_queries()
    few = count_queries()
    add_rows(2)
    assert count_queries() == few


# --- 3. who sees and changes what -----------------------------------------------------


@pytest.fixture
def projects(colleague, other_officer):
    return {
        "own_secret": ProjectFactory(owner=colleague, is_confidential=True),
        "other_open": ProjectFactory(owner=other_officer),
        "other_secret": ProjectFactory(owner=other_officer, is_confidential=True),
    }


def rename(client, obj, name: str):
    page = client.get(change_url(obj))
    data = form_data(page)
    data["name"] = name
    return client.post(change_url(obj), data)


def test_an_officer_sees_own_team_and_open_projects_and_no_one_elses_secrets(projects, officer, browser):
    client = browser(officer)
    response = client.get(admin_url(Project, "changelist"))
    assert listed(response) == {projects["own_secret"], projects["other_open"]}
    hidden = projects["other_secret"]
    for view in ["change", "history", "delete"]:
        assert client.get(admin_url(Project, view, hidden.pk)).status_code == 404
    # As if it did not exist: the same answer as for a project that never was.
    assert client.get(admin_url(Project, "change", 999999)).status_code == 404


def test_an_officer_edits_own_team_projects_and_only_reads_the_others(projects, officer, browser):
    client = browser(officer)
    own, other = projects["own_secret"], projects["other_open"]

    response = rename(client, own, "集成电路封测基地项目")
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "集成电路封测基地项目"

    page = client.get(change_url(other))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False  # a view-only page
    data = form_data(client.get(change_url(own)))
    assert client.post(change_url(other), {**data, "name": "改名"}).status_code == 403
    other.refresh_from_db()
    assert other.name != "改名"


def test_a_manager_reads_every_project_and_edits_their_teams(projects, manager, browser):
    client = browser(manager)
    assert listed(client.get(admin_url(Project, "changelist"))) == set(projects.values())
    assert rename(client, projects["own_secret"], "新名称").status_code == 302
    assert client.get(change_url(projects["other_secret"])).context["has_change_permission"] is False
    data = form_data(client.get(change_url(projects["own_secret"])))
    assert client.post(change_url(projects["other_secret"]), data).status_code == 403


def test_an_admin_reads_and_edits_everything(projects, admin_user, browser):
    client = browser(admin_user)
    assert listed(client.get(admin_url(Project, "changelist"))) == set(projects.values())
    assert rename(client, projects["other_secret"], "管理员改名").status_code == 302
    projects["other_secret"].refresh_from_db()
    assert projects["other_secret"].name == "管理员改名"


def test_an_officer_edits_own_organisations_and_only_reads_a_colleagues(officer, colleague, browser):
    client = browser(officer)
    own = OrganisationFactory(owner=officer)
    theirs = OrganisationFactory(owner=colleague)

    assert rename(client, own, "无锡新名称科技有限公司").status_code == 302
    own.refresh_from_db()
    assert own.name == "无锡新名称科技有限公司"

    assert client.get(change_url(theirs)).context["has_change_permission"] is False
    data = form_data(client.get(change_url(own)))
    assert client.post(change_url(theirs), {**data, "name": "改名"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.name != "改名"


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_only_admins_change_reference_data(role, browser, request, officer):
    client = browser(request.getfixturevalue(role))
    industry = IndustryFactory(name="物联网")
    page = client.get(change_url(industry))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(change_url(industry), {"name": "改名", "level": "cluster"}).status_code == 403
    industry.refresh_from_db()
    assert industry.name == "物联网"
    assert client.get(admin_url(Industry, "add")).status_code == 403
    # Teams, departments and users are not even shown to them.
    for obj in [officer.team, officer.team.department, officer]:
        assert client.get(admin_url(obj, "changelist")).status_code == 403
        assert client.get(change_url(obj)).status_code == 403


def test_officers_can_search_colleagues_in_pickers_without_seeing_the_user_admin(officer, colleague, browser):
    client = browser(officer)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "crm", "model_name": "visit", "field_name": "officers", "term": "li"},
    )
    assert response.status_code == 200
    assert str(colleague.pk) in {row["id"] for row in response.json()["results"]}


# --- writes go through the services ---------------------------------------------------


def test_a_new_organisation_and_its_contacts_are_owned_by_whoever_adds_them(officer, browser):
    client = browser(officer)
    data = form_data(client.get(admin_url(Organisation, "add")))
    data.update(
        {
            "name": "无锡村田电子有限公司",
            "kind": "company",
            "country": "CN",
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-name": "田中",
            "contacts-0-title": "总经理",
            "contacts-0-is_active": "on",
        }
    )
    response = client.post(admin_url(Organisation, "add"), data)
    assert response.status_code == 302, errors_of(response)
    organisation = Organisation.objects.get(name="无锡村田电子有限公司")
    contact = Contact.objects.get(organisation=organisation)
    assert (organisation.owner, organisation.team) == (officer, officer.team)
    assert (contact.owner, contact.team) == (officer, officer.team)


def test_a_visit_logged_in_admin_keeps_the_officer_who_logged_it(officer, colleague, browser):
    client = browser(officer)
    organisation = OrganisationFactory(owner=officer)
    data = form_data(client.get(admin_url(Visit, "add")))
    data.update(
        {
            "organisation": str(organisation.pk),
            "date": timezone.localdate().isoformat(),
            "kind": "outgoing",
            "summary": "介绍园区政策",
            "intention": "medium",
            "officers": [str(colleague.pk)],
        }
    )
    response = client.post(admin_url(Visit, "add"), data)
    assert response.status_code == 302, errors_of(response)
    visit = Visit.objects.get(organisation=organisation)
    assert set(visit.officers.all()) == {officer, colleague}


# --- 4. stage changes through the admin form ------------------------------------------


def test_moving_a_stage_on_the_project_page_records_a_stage_change(officer, browser):
    client = browser(officer)
    project = ProjectFactory(owner=officer)
    data = form_data(client.get(change_url(project)))
    data.update({"to_stage": Stage.NEGOTIATING, "stage_date": timezone.localdate().isoformat()})
    response = client.post(change_url(project), data)
    assert response.status_code == 302, errors_of(response)
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.changed_by) == (Stage.LEAD, Stage.NEGOTIATING, officer)


def test_skipping_a_stage_shows_the_services_message_and_changes_nothing(officer, browser):
    client = browser(officer)
    project = ProjectFactory(owner=officer, name="原名称")
    data = form_data(client.get(change_url(project)))
    data.update(
        {
            "name": "改了名字",
            "to_stage": Stage.SIGNED,
            "stage_date": timezone.localdate().isoformat(),
            "signed_amount": "30000",
        }
    )
    response = client.post(change_url(project), data)
    assert response.status_code == 200
    assert errors_of(response) == [
        "A project moves one stage at a time: from “Lead” it goes to “Under negotiation” before “Signed”."
    ]
    project.refresh_from_db()
    assert (project.stage, project.name, project.signed_amount) == (Stage.LEAD, "原名称", None)
    assert not StageChange.objects.filter(project=project).exists()


def test_a_move_sent_from_a_stale_page_is_refused_then_applies_once_seen(officer, colleague, browser):
    client = browser(officer)
    project = ProjectFactory(owner=officer)
    today = timezone.localdate()
    data = form_data(client.get(change_url(project)))
    # Meanwhile a colleague moves the project on.
    project_change_stage(project=Project.objects.get(pk=project.pk), to_stage=Stage.NEGOTIATING, on=today, by=colleague)
    data.update({"to_stage": Stage.ON_HOLD, "stage_date": today.isoformat(), "stage_note": "资金未到位"})

    response = client.post(change_url(project), data)
    assert errors_of(response) == [
        "Someone else changed this project's stage meanwhile: it is now “Under negotiation”. Check it and try again."
    ]
    assert Project.objects.get(pk=project.pk).stage == Stage.NEGOTIATING

    # The page shown again knows the new stage: sending it again applies the move.
    assert client.post(change_url(project), form_data(response)).status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.held_stage) == (Stage.ON_HOLD, Stage.NEGOTIATING)


def test_a_missing_date_is_shown_on_the_date_field(officer, browser):
    client = browser(officer)
    project = ProjectFactory(owner=officer)
    data = {**form_data(client.get(change_url(project))), "to_stage": Stage.NEGOTIATING}
    response = client.post(change_url(project), data)
    assert response.context["adminform"].form.errors["stage_date"] == [
        "Enter the date on which the project reached “Under negotiation”."
    ]


def test_only_admins_are_offered_a_stage_correction(officer, admin_user, browser):
    project = ProjectFactory(owner=officer)
    assert "correction" not in browser(officer).get(change_url(project)).context["adminform"].form.fields
    client = browser(admin_user)
    project_change_stage(project=project, to_stage=Stage.NEGOTIATING, on=timezone.localdate(), by=officer)
    data = form_data(client.get(change_url(project)))
    data.update({"to_stage": Stage.LEAD, "correction": "on", "stage_note": "误录入"})
    assert client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.LEAD
    assert StageChange.objects.filter(project=project, is_correction=True).exists()


# --- 5. refused saves ------------------------------------------------------------------


def test_a_duplicate_credit_code_is_refused_with_the_other_organisations_name(officer, browser):
    existing = OrganisationFactory(name="无锡先导智能装备股份有限公司")
    client = browser(officer)
    data = form_data(client.get(admin_url(Organisation, "add")))
    data.update({"name": "重复的公司", "kind": "company", "country": "CN", "credit_code": existing.credit_code.lower()})
    response = client.post(admin_url(Organisation, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["credit_code"] == [
        "Another organisation already has this credit code: 无锡先导智能装备股份有限公司."
    ]
    assert not Organisation.objects.filter(name="重复的公司").exists()


def test_a_refused_contact_row_rolls_back_the_whole_page(officer, browser, monkeypatch):
    def refuse(**kwargs):
        raise DomainError("号码格式不对")

    monkeypatch.setattr(crm_services, "contact_save", refuse)
    client = browser(officer)
    data = form_data(client.get(admin_url(Organisation, "add")))
    data.update(
        {
            "name": "无锡村田电子有限公司",
            "kind": "company",
            "country": "CN",
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-name": "田中",
        }
    )
    response = client.post(admin_url(Organisation, "add"), data)
    assert response.status_code == 200
    [message] = errors_of(response)
    assert message.startswith("田中") and message.endswith(": 号码格式不对")
    assert not Organisation.objects.filter(name="无锡村田电子有限公司").exists()


def test_moving_a_planned_date_needs_a_reason(officer, browser):
    client = browser(officer)
    planned = timezone.localdate() + dt.timedelta(days=90)
    project = ProjectFactory(owner=officer, started_planned=planned)
    later = (planned + dt.timedelta(days=30)).isoformat()
    data = {**form_data(client.get(change_url(project))), "started_planned": later, "name": "改名"}

    response = client.post(change_url(project), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["started_planned"] == [
        f"Changing the planned date of “Construction started” from {planned} to {later} is a re-plan: give a reason."
    ]
    project.refresh_from_db()
    assert (project.started_planned, project.name) == (planned, project.name)
    assert project.name != "改名"

    response = client.post(change_url(project), {**data, "replan_reason": "环评审批延后"})
    assert response.status_code == 302
    replan = Replan.objects.get(project=project)
    assert (replan.old_date, replan.new_date, replan.reason) == (
        planned,
        planned + dt.timedelta(days=30),
        "环评审批延后",
    )


def test_an_amount_rule_is_shown_on_its_field(officer, browser):
    client = browser(officer)
    project = ProjectFactory(owner=officer, total_investment=Decimal("10000"))
    data = {**form_data(client.get(change_url(project))), "fixed_asset_investment": "20000"}
    response = client.post(change_url(project), data)
    assert response.context["adminform"].form.errors["fixed_asset_investment"] == [
        "Fixed-asset investment cannot exceed the total investment."
    ]


# --- 6. delete and restore -------------------------------------------------------------


def test_a_deleted_project_is_hidden_and_an_admin_restores_it(officer, manager, admin_user, browser):
    project = ProjectFactory(owner=officer)
    response = browser(manager).post(admin_url(Project, "delete", project.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Project.all_objects.get(pk=project.pk).is_deleted
    assert StageChange.objects.count() == 0  # nothing else went

    assert browser(officer).get(change_url(project)).status_code == 404
    assert browser(manager).get(change_url(project)).status_code == 404

    client = browser(admin_user)
    changelist = admin_url(Project, "changelist")
    assert project not in listed(client.get(changelist))
    assert listed(client.get(changelist, {"deleted": "yes"})) == {project}
    response = client.post(
        f"{changelist}?deleted=yes", {"action": "restore_projects", "_selected_action": [project.pk]}
    )
    assert response.status_code == 302
    assert Project.objects.filter(pk=project.pk).exists()
    assert browser(officer).get(change_url(project)).status_code == 200


def test_officers_neither_delete_projects_nor_see_the_restore_action(officer, browser):
    project = ProjectFactory(owner=officer)
    client = browser(officer)
    assert client.post(admin_url(Project, "delete", project.pk), {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()
    assert client.get(admin_url(Project, "changelist")).context["action_form"] is None  # no actions at all


def test_a_protected_organisation_is_not_deleted_and_hidden_projects_are_not_named(officer, other_officer, browser):
    organisation = OrganisationFactory(owner=officer)
    ProjectFactory(investor=organisation, owner=other_officer, is_confidential=True, name="保密项目")
    response = browser(officer).get(admin_url(Organisation, "delete", organisation.pk))
    assert response.status_code == 200
    assert response.context["protected"] == ["Projects"]
    assert "保密项目" not in response.content.decode()


# --- history -----------------------------------------------------------------------------


def test_history_shows_who_changed_what_and_cannot_revert(officer, admin_user, browser):
    project = ProjectFactory(owner=officer)
    rename(browser(officer), project, "改名后的项目")
    client = browser(admin_user)
    response = client.get(admin_url(Project, "history", project.pk))
    assert response.status_code == 200
    assert "改名后的项目" in response.content.decode()
    version = project.history.latest("history_date")
    url = reverse("admin:projects_project_simple_history", args=[project.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "回滚"}).status_code == 403


# --- demo data ---------------------------------------------------------------------------


def test_every_page_opens_on_the_demo_data(browser):
    call_command("seed_demo")
    for username in ["admin", "manager", "officer"]:
        client = browser(User.objects.get(username=username))
        for model, _ in registered():
            response = client.get(admin_url(model, "changelist"))
            admins_only = (
                model._meta.app_label in ("core", "authtoken", "chains", "claims", "problems", "outbound")
                or model is ReminderRule
            )
            if (username != "admin" and admins_only) or (username == "officer" and model is Reminder):
                # People, teams, reminder rules, the industry workbench, registrations, problems'
                # reference data and group robots: admins; the reminder log: managers too.
                assert response.status_code == 403
                continue
            assert response.status_code == 200, (username, model._meta.label)
            for obj in response.context["cl"].result_list[:3]:
                assert client.get(change_url(obj)).status_code == 200, (username, obj)


def test_a_new_officer_without_a_team_gets_a_message_not_an_error(browser):
    loner = UserFactory(team=None)
    client = browser(loner)
    organisation = OrganisationFactory()
    data = form_data(client.get(admin_url(Project, "add")))
    data.update({"name": "无团队项目", "investor": str(organisation.pk), "total_investment": "100"})
    response = client.post(admin_url(Project, "add"), data)
    assert response.status_code == 200
    assert errors_of(response) == ["Choose the team responsible for this project."]
