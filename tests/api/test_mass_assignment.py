"""Server-owned fields cannot be set by a client; Chinese text comes back unchanged."""

from __future__ import annotations

from crm.models import Organisation
from projects.models import Project
from tests.api.conftest import if_match
from tests.factories import OrganisationFactory, ProjectFactory

NAME = "「无锡」村田新工厂🏭项目（二期）"


def test_a_new_project_is_a_lead_of_its_creator_whatever_the_body_says(officer, other_officer, client_for):
    investor = OrganisationFactory()
    response = client_for(officer).post(
        "/api/v1/projects/",
        {
            "name": NAME,
            "investor": investor.pk,
            "total_investment": "500000.00",
            "stage": "producing",
            "producing_on": "2020-01-01",
            "owner": other_officer.pk,
            "team": other_officer.team_id,
            "version": 99,
            "id": 12345,
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.json()
    project = Project.objects.get(pk=response.json()["id"])
    assert project.pk != 12345
    assert (project.stage, project.producing_on, project.version) == ("lead", None, 1)
    assert (project.owner, project.team) == (officer, officer.team)
    assert project.created_at.year > 2000
    assert response.json()["name"] == NAME
    assert response.json()["tier"] == "above_1b"


def test_an_edit_cannot_move_the_stage_or_the_owner(officer, other_officer, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(officer).patch(
        f"/api/v1/projects/{project.pk}/",
        {"stage": "signed", "signed_on": "2024-01-01", "owner": other_officer.pk, "version": 1},
    )
    assert response.status_code == 200
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on, stored.owner) == ("lead", None, officer)


def test_a_manager_hands_a_project_to_another_officer_of_the_team(manager, officer, colleague, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(manager).patch(
        f"/api/v1/projects/{project.pk}/", {"owner": colleague.pk}, **if_match(project.version)
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).owner == colleague


def test_a_manager_cannot_hand_a_project_to_another_team(manager, officer, other_team, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(manager).patch(
        f"/api/v1/projects/{project.pk}/", {"team": other_team.pk}, **if_match(project.version)
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).team == officer.team


def test_chinese_text_round_trips(officer, client_for):
    client = client_for(officer)
    response = client.post(
        "/api/v1/organisations/",
        {
            "name": "「无锡」测试科技🚀有限公司",
            "name_en": "Wuxi Test 🚀",
            "description": "中文、English、日本語：村田製作所",
        },
    )
    assert response.status_code == 201, response.json()
    body = client.get(f"/api/v1/organisations/{response.json()['id']}/").json()
    assert body["name"] == "「无锡」测试科技🚀有限公司"
    assert body["description"] == "中文、English、日本語：村田製作所"
    assert Organisation.objects.get(pk=body["id"]).name == "「无锡」测试科技🚀有限公司"
