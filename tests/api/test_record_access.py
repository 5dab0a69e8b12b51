"""Organisations, contacts, missions and visits through the API: everyone reads them;
the owner, participants, the team's managers and admins change them."""

from __future__ import annotations

import pytest

from crm.models import Contact, Mission, Organisation, Visit
from tests.api.conftest import if_match
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, VisitFactory

# Records owned by `officer`; who may edit them (and delete them: the same people).
EDITORS = {
    "officer": 200,
    "colleague": 403,
    "manager": 200,
    "other_manager": 403,
    "other_officer": 403,
    "admin_user": 200,
}

RESOURCES = {
    "organisations": (Organisation, lambda owner: OrganisationFactory(owner=owner), "description", "名称"),
    "contacts": (
        Contact,
        lambda owner: ContactFactory(organisation=OrganisationFactory(owner=owner)),
        "title",
        "总经理",
    ),
    "missions": (Mission, lambda owner: MissionFactory(owner=owner), "goals", "拜访村田"),
    "visits": (Visit, lambda owner: VisitFactory(owner=owner), "next_step", "寄送政策"),
}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", EDITORS)
def test_everyone_reads_records(request, role, resource, officer, client_for):
    model, make, _field, _value = RESOURCES[resource]
    record = make(officer)
    client = client_for(request.getfixturevalue(role))
    assert record.pk in {row["id"] for row in client.get(f"/api/v1/{resource}/").json()["results"]}
    assert client.get(f"/api/v1/{resource}/{record.pk}/").status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", EDITORS)
def test_who_edits_a_record(request, role, resource, officer, client_for):
    model, make, field, value = RESOURCES[resource]
    record = make(officer)
    response = client_for(request.getfixturevalue(role)).patch(
        f"/api/v1/{resource}/{record.pk}/", {field: value}, format="json", **if_match(record.version)
    )
    assert response.status_code == EDITORS[role], response.json()
    stored = model.objects.get(pk=record.pk)
    if EDITORS[role] == 200:
        assert (getattr(stored, field), stored.version) == (value, record.version + 1)
        assert response.json()["version"] == record.version + 1
        assert response["ETag"] == f'"{record.version + 1}"'
    else:
        assert (getattr(stored, field), stored.version) == (getattr(record, field), record.version)
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", EDITORS)
def test_who_deletes_a_record(request, role, resource, officer, client_for):
    model, make, _field, _value = RESOURCES[resource]
    record = make(officer)
    response = client_for(request.getfixturevalue(role)).delete(f"/api/v1/{resource}/{record.pk}/")
    expected = 204 if EDITORS[role] == 200 else 403
    assert response.status_code == expected
    assert model.objects.filter(pk=record.pk).exists() is (expected != 204)


def test_a_visits_officer_may_edit_it(officer, colleague, client_for):
    visit = VisitFactory(owner=officer)
    visit.officers.add(colleague)
    response = client_for(colleague).patch(f"/api/v1/visits/{visit.pk}/", {"location": "大阪"}, format="json")
    assert response.status_code == 200


def test_an_organisation_with_visits_cannot_be_deleted(officer, client_for):
    visit = VisitFactory(owner=officer, organisation=OrganisationFactory(owner=officer))
    response = client_for(officer).delete(f"/api/v1/organisations/{visit.organisation_id}/")
    assert response.status_code == 400
    assert response.json()["code"] == "protected"
    assert Organisation.objects.filter(pk=visit.organisation_id).exists()


@pytest.mark.parametrize("role,expected", [("officer", 403), ("manager", 403), ("admin_user", 201)])
def test_only_admins_change_reference_data(request, role, expected, client_for):
    client = client_for(request.getfixturevalue(role))
    response = client.post("/api/v1/industries/", {"name": "物联网", "level": "cluster"}, format="json")
    assert response.status_code == expected
    assert client.get("/api/v1/parks/").status_code == 200


def test_logging_a_visit_through_the_api(officer, colleague, client_for):
    organisation = OrganisationFactory(owner=officer)
    contact = ContactFactory(organisation=organisation)
    mission = MissionFactory(owner=officer)
    response = client_for(officer).post(
        "/api/v1/visits/",
        {
            "organisation": organisation.pk,
            "date": mission.start_date.isoformat(),
            "mission": mission.pk,
            "summary": "介绍园区政策",
            "officers": [colleague.pk],
            "contacts": [contact.pk],
            "intention": "high",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body["officers"]) == {officer.pk, colleague.pk}
    assert body["contacts"] == [contact.pk]
    assert body["owner"] == officer.pk


def test_a_visit_in_the_future_is_refused_with_the_field(officer, client_for):
    organisation = OrganisationFactory(owner=officer)
    response = client_for(officer).post(
        "/api/v1/visits/",
        {"organisation": organisation.pk, "date": "2999-01-01", "summary": "未来"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "date"
    assert not Visit.objects.exists()
