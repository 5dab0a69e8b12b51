"""No lost updates: writes name the version they are based on."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from crm.models import Organisation
from projects.models import Project, Stage
from tests.api.conftest import if_match
from tests.factories import OrganisationFactory, ProjectFactory, project_in_stage


def test_a_stale_if_match_is_refused_with_the_current_version(officer, client_for):
    organisation = OrganisationFactory(owner=officer)
    client = client_for(officer)
    assert client.patch(f"/api/v1/organisations/{organisation.pk}/", {"city": "无锡"}, **if_match(1)).status_code == 200
    response = client.patch(f"/api/v1/organisations/{organisation.pk}/", {"city": "苏州"}, **if_match(1))
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == 2
    assert response["ETag"] == '"2"'
    assert Organisation.objects.get(pk=organisation.pk).city == "无锡"


def test_a_stale_version_in_the_body_is_refused(officer, client_for):
    project = ProjectFactory(owner=officer, version=3)
    response = client_for(officer).patch(f"/api/v1/projects/{project.pk}/", {"name": "新名", "version": 2})
    assert response.status_code == 412
    assert Project.objects.get(pk=project.pk).name == project.name


def test_a_project_write_without_a_version_is_refused(officer, manager, client_for):
    project = ProjectFactory(owner=officer)
    client = client_for(officer)
    for response in [
        client.patch(f"/api/v1/projects/{project.pk}/", {"name": "新名"}),
        client.post(f"/api/v1/projects/{project.pk}/change-stage/", {"to_stage": "dropped", "reason": "x"}),
        # Deleting is a manager's call (an officer is refused with 403 before the version counts).
        client_for(manager).delete(f"/api/v1/projects/{project.pk}/"),
    ]:
        assert response.status_code == 428
        assert response.json()["code"] == "version_required"
    stored = Project.objects.get(pk=project.pk)
    assert (stored.name, stored.stage, stored.version) == (project.name, "lead", 1)


def test_the_etag_of_a_get_is_what_if_match_sends(officer, client_for):
    project = ProjectFactory(owner=officer)
    client = client_for(officer)
    etag = client.get(f"/api/v1/projects/{project.pk}/")["ETag"]
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"jobs": 300}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert client.patch(f"/api/v1/projects/{project.pk}/", {"jobs": 30}, HTTP_IF_MATCH=etag).status_code == 412


def test_a_garbled_if_match_is_a_bad_request(officer, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(officer).patch(f"/api/v1/projects/{project.pk}/", {"jobs": 3}, HTTP_IF_MATCH="abc")
    assert response.status_code == 400
    assert response.json()["field"] == "If-Match"


def test_moving_a_planned_date_needs_a_reason_and_leaves_a_replan(officer, client_for):
    project = ProjectFactory(owner=officer, signed_planned="2030-03-01")
    client = client_for(officer)
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"signed_planned": "2030-06-01"}, **if_match(1))
    assert response.status_code == 400
    assert response.json()["code"] == "replan_reason_required"
    response = client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"signed_planned": "2030-06-01", "replan_reason": "对方董事会延期"},
        **if_match(1),
    )
    assert response.status_code == 200, response.json()
    response = client.post(
        f"/api/v1/projects/{project.pk}/replan/",
        {"stage": "signed", "new_date": "2030-09-01", "reason": "再次延期"},
        **if_match(2),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["signed_planned"] == "2030-09-01"
    replans = client.get(f"/api/v1/replans/?project={project.pk}&ordering=id").json()["results"]
    assert [(r["old_date"], r["new_date"]) for r in replans] == [
        ("2030-03-01", "2030-06-01"),
        ("2030-06-01", "2030-09-01"),
    ]


# --- Every write that changes a project raises its version --------------------------------


def _move(client, project, version, **body):
    body.setdefault("on", timezone.localdate().isoformat())
    return client.post(f"/api/v1/projects/{project.pk}/change-stage/", body, format="json", **if_match(version))


def test_a_stage_change_raises_the_version_and_answers_the_new_etag(officer, client_for):
    project = ProjectFactory(owner=officer)
    client = client_for(officer)
    response = _move(client, project, 1, to_stage="negotiating")
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2
    assert Project.objects.get(pk=project.pk).version == 2


def test_the_same_move_sent_twice_with_one_version_is_applied_once_then_refused(officer, colleague, client_for):
    project = ProjectFactory(owner=officer)
    assert _move(client_for(officer), project, 1, to_stage="negotiating").status_code == 200
    again = _move(client_for(colleague), project, 1, to_stage="negotiating")
    assert again.status_code == 412
    assert again.json()["current_version"] == 2
    assert project.stage_changes.count() == 1


def test_a_stale_edit_after_a_signing_is_refused_and_the_signed_amount_stays(officer, colleague, client_for):
    project = ProjectFactory(owner=officer)
    a, b = client_for(officer), client_for(colleague)
    assert a.patch(f"/api/v1/projects/{project.pk}/", {"jobs": 10}, format="json", **if_match(1)).status_code == 200
    etag = a.get(f"/api/v1/projects/{project.pk}/")["ETag"]
    assert etag == '"2"'
    assert _move(b, project, 2, to_stage="negotiating").status_code == 200
    assert _move(b, project, 3, to_stage="signed", signed_amount="48000.00").status_code == 200

    response = a.patch(
        f"/api/v1/projects/{project.pk}/",
        {"description": "A 的备注", "signed_amount": None},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 412
    assert response["ETag"] == '"4"'
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_amount, stored.description) == (Stage.SIGNED, Decimal("48000"), "")


def test_a_replan_a_delete_and_a_restore_each_raise_the_version(officer, manager, admin_user, client_for):
    from projects.services import project_restore

    project = project_in_stage("signed", owner=officer, started_planned="2030-03-01")
    client = client_for(manager)
    response = client.post(
        f"/api/v1/projects/{project.pk}/replan/",
        {"stage": "started", "new_date": "2030-06-01", "reason": "土地证延后"},
        format="json",
        **if_match(1),
    )
    assert response.status_code == 200 and response["ETag"] == '"2"'
    assert client.delete(f"/api/v1/projects/{project.pk}/", **if_match(2)).status_code == 204
    assert Project.all_objects.get(pk=project.pk).version == 3
    project_restore(project=project, by=admin_user)
    assert Project.objects.get(pk=project.pk).version == 4
    assert client.patch(f"/api/v1/projects/{project.pk}/", {"jobs": 1}, format="json", **if_match(3)).status_code == 412
