"""Who may read and change which project through the API: role x project x verb.

The projects: `own` belongs to the officers' team (team of officer, colleague and
manager), `other` to the other team, `confidential` to the other team and hidden from
officers outside it.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from projects.models import Project
from tests.api.conftest import if_match
from tests.factories import ProjectFactory

TODAY = timezone.localdate().isoformat()
ROLES = ["officer", "colleague", "manager", "other_manager", "admin_user", "other_officer"]

# role: (own, other, confidential)
READ = {
    "officer": (200, 200, 404),
    "colleague": (200, 200, 404),
    "manager": (200, 200, 200),
    "other_manager": (200, 200, 200),
    "admin_user": (200, 200, 200),
    "other_officer": (200, 200, 200),
}
EDIT = {
    "officer": (200, 403, 404),
    "colleague": (200, 403, 404),
    "manager": (200, 403, 403),
    "other_manager": (403, 200, 200),
    "admin_user": (200, 200, 200),
    "other_officer": (403, 200, 200),
}
DELETE = {
    "officer": (403, 403, 404),
    "colleague": (403, 403, 404),
    "manager": (204, 403, 403),
    "other_manager": (403, 204, 204),
    "admin_user": (204, 204, 204),
    "other_officer": (403, 403, 403),
}
TARGETS = ["own", "other", "confidential"]


@pytest.fixture
def projects(officer, other_officer):
    return {
        "own": ProjectFactory(owner=officer, name="本组项目"),
        "other": ProjectFactory(owner=other_officer, name="他组项目"),
        "confidential": ProjectFactory(owner=other_officer, name="保密项目", is_confidential=True),
    }


def _user(request, role):
    return request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
def test_a_list_holds_exactly_the_projects_the_user_may_see(request, role, projects, client_for):
    client = client_for(_user(request, role))
    names = {row["name"] for row in client.get("/api/v1/projects/").json()["results"]}
    expected = {projects[t].name for t, status in zip(TARGETS, READ[role], strict=True) if status == 200}
    assert names == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_reading_a_project(request, role, target, projects, client_for):
    response = client_for(_user(request, role)).get(f"/api/v1/projects/{projects[target].pk}/")
    assert response.status_code == READ[role][TARGETS.index(target)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_editing_a_project(request, role, target, projects, client_for):
    project = projects[target]
    response = client_for(_user(request, role)).patch(
        f"/api/v1/projects/{project.pk}/", {"name": "改名项目"}, format="json", **if_match(project.version)
    )
    expected = EDIT[role][TARGETS.index(target)]
    assert response.status_code == expected, response.json()
    stored = Project.objects.get(pk=project.pk)
    if expected == 200:
        assert (stored.name, stored.version) == ("改名项目", project.version + 1)
    else:
        assert (stored.name, stored.version) == (project.name, project.version)
        assert response.json()["code"] in {"permission_denied", "not_found"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_deleting_a_project(request, role, target, projects, client_for):
    project = projects[target]
    response = client_for(_user(request, role)).delete(f"/api/v1/projects/{project.pk}/", **if_match(project.version))
    expected = DELETE[role][TARGETS.index(target)]
    assert response.status_code == expected
    assert Project.all_objects.get(pk=project.pk).is_deleted is (expected == 204)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_changing_a_projects_stage(request, role, target, projects, client_for):
    project = projects[target]
    response = client_for(_user(request, role)).post(
        f"/api/v1/projects/{project.pk}/change-stage/",
        {"to_stage": "negotiating", "on": TODAY, "version": project.version},
        format="json",
    )
    expected = EDIT[role][TARGETS.index(target)]
    assert response.status_code == expected, response.json()
    stage = Project.objects.get(pk=project.pk).stage
    assert stage == ("negotiating" if expected == 200 else "lead")
    if expected == 200:
        assert response.json()["stage"] == "negotiating"
        assert response.json()["negotiating_on"] == TODAY


def test_a_deleted_project_is_gone_from_the_api(admin_user, projects, client_for):
    client = client_for(admin_user)
    project = projects["own"]
    assert client.delete(f"/api/v1/projects/{project.pk}/", **if_match(project.version)).status_code == 204
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert project.name not in {row["name"] for row in client.get("/api/v1/projects/").json()["results"]}


def test_stage_changes_and_replans_of_hidden_projects_are_not_listed(officer, projects, client_for, admin_user):
    admin = client_for(admin_user)
    for project in projects.values():
        response = admin.post(
            f"/api/v1/projects/{project.pk}/change-stage/",
            {"to_stage": "negotiating", "on": TODAY},
            format="json",
            **if_match(project.version),
        )
        assert response.status_code == 200, response.json()
        project.refresh_from_db()
        response = admin.post(
            f"/api/v1/projects/{project.pk}/replan/",
            {"stage": "signed", "new_date": "2030-01-01", "reason": "对方董事会推迟", "version": project.version},
            format="json",
        )
        # No planned date yet: setting the first one is not a re-plan, so no row appears.
        assert response.status_code == 200, response.json()
    client = client_for(officer)
    seen = {row["project"] for row in client.get("/api/v1/stage-changes/").json()["results"]}
    assert seen == {projects["own"].pk, projects["other"].pk}
    hidden = admin.get(f"/api/v1/stage-changes/?project={projects['confidential'].pk}").json()["results"][0]
    assert client.get(f"/api/v1/stage-changes/{hidden['id']}/").status_code == 404
