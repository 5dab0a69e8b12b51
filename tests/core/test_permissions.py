"""Who sees and changes what, checked through the services a user's click reaches.

Projects: role x own team / other team x confidential or not x read / edit. The list
filter (visible_projects) and the object checks (can_view_project, can_edit_project)
must agree, and the services answer "no such project" for a hidden one and "not
allowed" for one the user may see but not change.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from core import permissions
from core.errors import NotFound, NotPermitted
from core.models import User
from crm.models import Organisation, Visit
from crm.services import mission_save, organisation_delete, organisation_save, visit_save
from projects.models import Project, Stage, StageChange
from projects.services import project_change_stage, project_delete, project_save
from tests.factories import MissionFactory, OrganisationFactory, ProjectFactory, UserFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

OWN, OTHER = "own team", "other team"
SECRET, OPEN = "confidential", "not confidential"

# (role, team of the project, confidential) -> (may see, may edit). Written from the
# rules in core/permissions.py's docstring, one line each, so a change shows here.
PROJECT_MATRIX = {
    ("officer", OWN, OPEN): (True, True),
    ("officer", OWN, SECRET): (True, True),
    ("officer", OTHER, OPEN): (True, False),
    ("officer", OTHER, SECRET): (False, False),
    ("manager", OWN, OPEN): (True, True),
    ("manager", OWN, SECRET): (True, True),
    ("manager", OTHER, OPEN): (True, False),
    ("manager", OTHER, SECRET): (True, False),
    ("admin_user", OWN, OPEN): (True, True),
    ("admin_user", OWN, SECRET): (True, True),
    ("admin_user", OTHER, OPEN): (True, True),
    ("admin_user", OTHER, SECRET): (True, True),
}
CASES = sorted(PROJECT_MATRIX)


def case_id(case) -> str:
    role, team, secret = case
    return f"{role}-{team}-{secret}".replace(" ", "_")


@pytest.fixture
def project_for(frozen_today, officer, other_officer):
    def make(team: str, secret: str) -> Project:
        owner = officer if team == OWN else other_officer
        return ProjectFactory(owner=owner, is_confidential=secret == SECRET, name=f"{team} {secret}")

    return make


# --- Projects: the matrix -----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_list_filter_and_object_checks_agree_with_the_matrix(case, project_for, request):
    role, team, secret = case
    user = request.getfixturevalue(role)
    project = project_for(team, secret)
    may_see, may_edit = PROJECT_MATRIX[case]

    in_list = permissions.visible_projects(user, Project.objects.all()).filter(pk=project.pk).exists()
    assert in_list == permissions.can_view_project(user, project) == may_see
    assert permissions.can_edit_project(user, project) == may_edit


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_editing_a_project_through_the_service_follows_the_matrix(case, project_for, request):
    role, team, secret = case
    user = request.getfixturevalue(role)
    project = project_for(team, secret)
    may_see, may_edit = PROJECT_MATRIX[case]

    form = Project.all_objects.get(pk=project.pk)
    form.description = "已完成尽调"
    if not may_see:
        with translation.override("en"), pytest.raises(NotFound) as caught:
            project_save(project=form, by=user)
        assert str(caught.value) == "No such project."
    elif not may_edit:
        with translation.override("en"), pytest.raises(NotPermitted) as caught:
            project_save(project=form, by=user)
        assert "another officer or team" in str(caught.value)
    else:
        project_save(project=form, by=user)
    saved = Project.objects.get(pk=project.pk).description == "已完成尽调"
    assert saved == may_edit


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_changing_a_projects_stage_follows_the_matrix(case, project_for, request, frozen_today):
    role, team, secret = case
    user = request.getfixturevalue(role)
    project = project_for(team, secret)
    may_see, may_edit = PROJECT_MATRIX[case]

    def move():
        return project_change_stage(project=project, to_stage=Stage.NEGOTIATING, on=frozen_today, by=user)

    if not may_see:
        with pytest.raises(NotFound):
            move()
    elif not may_edit:
        with translation.override("en"), pytest.raises(NotPermitted) as caught:
            move()
        assert str(caught.value) == "You can change the stage of your team's projects only."
    else:
        move()
    assert StageChange.objects.filter(project=project).exists() == may_edit


def test_a_manager_edits_the_projects_of_the_teams_he_manages(project_for, manager, other_team):
    manager.managed_teams.add(other_team)
    project = project_for(OTHER, SECRET)
    assert permissions.can_edit_project(manager, project)
    form = Project.objects.get(pk=project.pk)
    form.description = "分管团队的项目"
    project_save(project=form, by=manager)
    assert Project.objects.get(pk=project.pk).description == "分管团队的项目"


def test_managed_teams_do_not_widen_an_officers_rights(project_for, officer, other_team):
    # managed_teams is a manager's setting; left on an officer it means nothing.
    officer.managed_teams.add(other_team)
    project = project_for(OTHER, SECRET)
    assert not permissions.can_view_project(officer, project)
    assert not permissions.visible_projects(officer, Project.objects.all()).filter(pk=project.pk).exists()


def test_an_inactive_user_sees_and_changes_nothing(project_for, officer):
    project = project_for(OWN, OPEN)
    officer.is_active = False
    officer.save()
    assert not permissions.visible_projects(officer, Project.objects.all()).exists()
    assert not permissions.can_view_project(officer, project)
    assert not permissions.can_edit_project(officer, project)
    with pytest.raises(NotFound):
        project_save(project=Project.objects.get(pk=project.pk), by=officer)


def test_a_deleted_project_is_not_found_by_anyone_editing_it(project_for, admin_user, manager):
    project = project_for(OWN, OPEN)
    project_delete(project=project, by=manager)
    with pytest.raises(NotFound):
        project_save(project=Project.all_objects.get(pk=project.pk), by=admin_user)


def test_an_officer_cannot_delete_even_a_project_of_his_team(project_for, officer):
    project = project_for(OWN, OPEN)
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        project_delete(project=project, by=officer)
    assert str(caught.value) == "Only a manager of the project's team or an admin can delete a project."
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_manager_cannot_delete_another_teams_project(project_for, manager):
    project = project_for(OTHER, OPEN)
    with pytest.raises(NotPermitted):
        project_delete(project=project, by=manager)
    assert Project.objects.filter(pk=project.pk).exists()


# --- Creating and handing over projects ------------------------------------------------


def new_project(investor_owner: User, **kwargs) -> Project:
    return Project(
        name="新项目",
        investor=OrganisationFactory(owner=investor_owner),
        total_investment=Decimal("20000"),
        **kwargs,
    )


def test_an_officer_creates_a_project_for_his_team_in_his_name(frozen_today, officer):
    project = project_save(project=new_project(officer), by=officer)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.owner, stored.team, stored.stage, stored.lead_on) == (
        officer,
        officer.team,
        Stage.LEAD,
        frozen_today,
    )


def test_creating_a_project_for_another_team_is_refused_for_an_officer(frozen_today, officer, other_team):
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        project_save(project=new_project(officer, team=other_team), by=officer)
    assert str(caught.value) == "You can only create records for your own team."
    assert not Project.all_objects.exists()


def test_an_officer_cannot_create_a_project_in_a_colleagues_name(frozen_today, officer, colleague):
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        project_save(project=new_project(officer, owner=colleague), by=officer)
    assert str(caught.value) == "Officers create records in their own name."


def test_a_manager_creates_projects_only_for_the_teams_he_manages(frozen_today, manager, other_team, colleague):
    project_save(project=new_project(manager, owner=colleague), by=manager)
    with pytest.raises(NotPermitted):
        project_save(project=new_project(manager, team=other_team), by=manager)
    manager.managed_teams.add(other_team)
    manager._team_ids_cache = None  # a new request would load the user afresh
    project_save(project=new_project(manager, team=other_team), by=manager)
    assert Project.objects.filter(team=other_team).count() == 1


def test_an_admin_creates_a_project_for_any_team(frozen_today, admin_user, other_team, other_officer):
    project_save(project=new_project(other_officer, owner=other_officer, team=other_team), by=admin_user)
    assert Project.objects.get().team == other_team


def test_handing_a_project_to_another_team_is_refused_for_an_officer(project_for, officer, other_team):
    project = project_for(OWN, OPEN)
    form = Project.objects.get(pk=project.pk)
    form.team = other_team
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        project_save(project=form, by=officer)
    assert str(caught.value) == "Only a manager or an admin can hand a record to another officer or team."
    assert Project.objects.get(pk=project.pk).team == officer.team


# --- Organisations, visits, missions -------------------------------------------------


def rename(record, by):
    """Change a record through its service, the way an edit form would."""
    stored = type(record).objects.get(pk=record.pk)
    if isinstance(stored, Organisation):
        stored.city = "无锡"
        return organisation_save(organisation=stored, by=by)
    if isinstance(stored, Visit):
        stored.summary = "补充了会谈纪要"
        return visit_save(visit=stored, by=by)
    stored.summary = "团组总结"
    return mission_save(mission=stored, by=by)


def was_renamed(record) -> bool:
    stored = type(record).objects.get(pk=record.pk)
    if isinstance(stored, Organisation):
        return stored.city == "无锡"
    if isinstance(stored, Visit):
        return stored.summary == "补充了会谈纪要"
    return stored.summary == "团组总结"


def assert_may_edit(record, user) -> None:
    manager = type(record).objects
    assert permissions.can_edit_record(user, record)
    assert permissions.editable_records(user, manager.all()).filter(pk=record.pk).exists()
    rename(record, user)
    assert was_renamed(record)


def assert_may_not_edit(record, user) -> None:
    manager = type(record).objects
    assert permissions.can_view_record(user, record)
    assert not permissions.can_edit_record(user, record)
    assert not permissions.editable_records(user, manager.all()).filter(pk=record.pk).exists()
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        rename(record, user)
    assert str(caught.value) == "You are not allowed to change this record: it belongs to another officer or team."
    assert not was_renamed(record)


def test_an_officer_edits_his_own_organisation(frozen_today, officer):
    assert_may_edit(OrganisationFactory(owner=officer), officer)


def test_an_officer_does_not_edit_a_colleagues_organisation(frozen_today, officer, colleague):
    assert_may_not_edit(OrganisationFactory(owner=colleague), officer)


def test_an_officer_does_not_edit_another_teams_organisation(frozen_today, officer, other_officer):
    assert_may_not_edit(OrganisationFactory(owner=other_officer), officer)


def test_an_officer_edits_a_visit_he_took_part_in(frozen_today, officer, colleague):
    visit = VisitFactory(owner=colleague)
    visit.officers.set([colleague, officer])
    assert_may_edit(visit, officer)


def test_an_officer_does_not_edit_a_visit_he_was_not_on(frozen_today, officer, colleague):
    visit = VisitFactory(owner=colleague)
    visit.officers.set([colleague])
    assert_may_not_edit(visit, officer)


def test_an_officer_edits_his_own_visit(frozen_today, officer):
    assert_may_edit(VisitFactory(owner=officer), officer)


def test_an_officer_edits_a_mission_he_takes_part_in(frozen_today, officer, colleague):
    mission = MissionFactory(owner=colleague)
    mission.participants.add(officer)
    assert_may_edit(mission, officer)


def test_an_officer_edits_a_mission_he_leads(frozen_today, officer, other_officer):
    mission = MissionFactory(owner=other_officer, leader=officer)
    assert permissions.can_edit_record(officer, mission)
    rename(mission, officer)
    assert was_renamed(mission)


def test_an_officer_does_not_edit_a_mission_he_is_not_on(frozen_today, officer, colleague):
    assert_may_not_edit(MissionFactory(owner=colleague), officer)


@pytest.mark.parametrize("factory", [OrganisationFactory, VisitFactory, MissionFactory], ids=lambda f: f.__name__)
def test_a_manager_edits_his_teams_records(factory, frozen_today, manager, officer):
    assert_may_edit(factory(owner=officer), manager)


@pytest.mark.parametrize("factory", [OrganisationFactory, VisitFactory, MissionFactory], ids=lambda f: f.__name__)
def test_a_manager_reads_but_does_not_edit_another_teams_records(factory, frozen_today, manager, other_officer):
    assert_may_not_edit(factory(owner=other_officer), manager)


@pytest.mark.parametrize("factory", [OrganisationFactory, VisitFactory, MissionFactory], ids=lambda f: f.__name__)
def test_a_manager_edits_the_records_of_the_teams_he_manages(factory, frozen_today, manager, other_officer):
    manager.managed_teams.add(other_officer.team)
    assert_may_edit(factory(owner=other_officer), manager)


@pytest.mark.parametrize("factory", [OrganisationFactory, VisitFactory, MissionFactory], ids=lambda f: f.__name__)
def test_an_admin_edits_every_record(factory, frozen_today, admin_user, other_officer):
    assert_may_edit(factory(owner=other_officer), admin_user)


def test_every_user_reads_every_organisation(frozen_today, officer, other_officer):
    organisation = OrganisationFactory(owner=other_officer)
    assert permissions.can_view_record(officer, organisation)


def test_handing_an_organisation_to_another_team_is_refused_for_an_officer(frozen_today, officer, other_team):
    organisation = OrganisationFactory(owner=officer)
    form = Organisation.objects.get(pk=organisation.pk)
    form.team = other_team
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        organisation_save(organisation=form, by=officer)
    assert str(caught.value) == "Only a manager or an admin can hand a record to another officer or team."
    assert Organisation.objects.get(pk=organisation.pk).team == officer.team


def test_handing_a_visit_to_a_colleague_is_refused_for_an_officer(frozen_today, officer, colleague):
    visit = VisitFactory(owner=officer)
    form = Visit.objects.get(pk=visit.pk)
    form.owner = colleague
    with pytest.raises(NotPermitted):
        visit_save(visit=form, by=officer)
    assert Visit.objects.get(pk=visit.pk).owner == officer


def test_a_manager_hands_a_record_only_to_his_own_teams(frozen_today, manager, officer, other_team, colleague):
    organisation = OrganisationFactory(owner=officer)
    form = Organisation.objects.get(pk=organisation.pk)
    form.team = other_team
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        organisation_save(organisation=form, by=manager)
    assert str(caught.value) == "You can only hand records to your own teams."

    form = Organisation.objects.get(pk=organisation.pk)
    form.owner = colleague
    organisation_save(organisation=form, by=manager)
    assert Organisation.objects.get(pk=organisation.pk).owner == colleague


def test_an_admin_hands_a_record_to_any_team(frozen_today, admin_user, officer, other_officer):
    organisation = OrganisationFactory(owner=officer)
    form = Organisation.objects.get(pk=organisation.pk)
    form.owner, form.team = other_officer, other_officer.team
    organisation_save(organisation=form, by=admin_user)
    assert Organisation.objects.get(pk=organisation.pk).team == other_officer.team


def test_a_form_cannot_lift_a_record_into_the_users_scope(frozen_today, officer, other_officer):
    # The permission is judged on the stored record, not on what the form sent.
    organisation = OrganisationFactory(owner=other_officer)
    form = Organisation.objects.get(pk=organisation.pk)
    form.owner, form.team = officer, officer.team
    with pytest.raises(NotPermitted):
        organisation_save(organisation=form, by=officer)
    assert Organisation.objects.get(pk=organisation.pk).owner == other_officer


def test_an_officer_cannot_delete_a_colleagues_organisation(frozen_today, officer, colleague):
    organisation = OrganisationFactory(owner=colleague)
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        organisation_delete(organisation=organisation, by=officer)
    assert str(caught.value) == "You are not allowed to delete this record: it belongs to another officer or team."
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_an_inactive_user_cannot_create_records(frozen_today):
    user = UserFactory(is_active=False)
    with pytest.raises(NotPermitted):
        organisation_save(organisation=Organisation(name="某公司", credit_code=""), by=user)
    assert not Organisation.objects.exists()
