"""Every path that writes a visit or a project on a registered group warns the other
team (who holds it, since when, nothing more) and tells both teams' managers."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import Collision
from core.models import Notification
from crm.models import Visit
from projects.models import Project
from tests.claims.conftest import english_login
from tests.factories import ContactFactory, ProjectFactory, VisitFactory
from tests.transfer.conftest import commit, job_of, upload, xlsx

pytestmark = pytest.mark.django_db

NOTICE = "registered first by 日韩招商组 on"


@pytest.fixture
def secret(claim, parent_firm, officer):
    """What team A must not leak: a confidential project, its amount and contact."""
    ContactFactory(organisation=parent_firm, name="田中部长", phone="+81 3 5555 0101", owner=officer)
    return ProjectFactory(
        name="绝密扩产项目", investor=parent_firm, owner=officer, is_confidential=True, total_investment=987654
    )


def leaks(text: str) -> list[str]:
    return [word for word in ("绝密扩产项目", "987654", "987,654", "田中部长", "5555") if word in text]


def told(*users) -> dict[str, int]:
    rows = Notification.objects.filter(key__startswith="claim-collision:")
    return {user.username: rows.filter(recipient=user).count() for user in users}


def visit_form(organisation, **values):
    return {
        "organisation": organisation.pk,
        "date": timezone.localdate().isoformat(),
        "kind": Visit.Kind.OUTGOING,
        "summary": "介绍欧洲园区政策",
        "intention": Visit.Intention.MEDIUM,
        **values,
    }


def test_the_web_visit_form_warns_and_tells_both_managers(
    client, secret, subsidiary, other_officer, manager, other_manager, officer
):
    english_login(client, other_officer)
    # As soon as the organisation is picked, the form says who holds the group.
    picked = client.get(reverse("crm:visit_contacts"), {"organisation": subsidiary.pk}).content.decode()
    assert NOTICE in picked and not leaks(picked)
    response = client.post("/crm/visits/new/", visit_form(subsidiary), follow=True)
    page = html.unescape(response.content.decode())
    assert NOTICE in page and "Both teams' managers are told" in page
    assert not leaks(page)
    collision = Collision.objects.get()
    assert (collision.team, collision.organisation, collision.via) == (other_officer.team, subsidiary, "visit")
    assert told(manager, other_manager, officer, other_officer) == {"boss": 1, "chief": 1, "zhang": 0, "wang": 0}
    note = Notification.objects.get(recipient=manager)
    assert "欧洲招商组" in note.title and not leaks(note.title + note.body)

    # Again: counted on the same collision, nobody is told twice.
    client.post("/crm/visits/new/", visit_form(subsidiary, summary="回访"))
    collision.refresh_from_db()
    assert collision.times == 2
    assert told(manager, other_manager) == {"boss": 1, "chief": 1}


def test_the_holders_own_visit_renews_the_protection(claim, subsidiary, officer, client, manager):
    english_login(client, officer)
    response = client.post("/crm/visits/new/", visit_form(subsidiary), follow=True)
    assert NOTICE not in response.content.decode()
    claim.refresh_from_db()
    today = timezone.localdate()
    assert (claim.last_activity_on, claim.expires_on) == (today, today + dt.timedelta(days=180))
    assert not Collision.objects.exists() and told(manager) == {"boss": 0}


def test_the_visit_api_answers_with_the_notice(secret, subsidiary, other_officer, manager):
    api = APIClient()
    api.force_login(other_officer)
    body = {"organisation": subsidiary.pk, "date": timezone.localdate().isoformat(), "summary": "电话沟通"}
    response = api.post("/api/v1/visits/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.json()
    assert NOTICE in response.json()["claim_notice"]
    assert not leaks(response.content.decode())
    assert told(manager) == {"boss": 1}
    # Reads of visits carry no notice.
    assert api.get(f"/api/v1/visits/{response.json()['id']}/").json()["claim_notice"] is None


def test_the_project_form_warns(client, secret, subsidiary, other_officer, manager, other_manager):
    english_login(client, other_officer)
    data = {
        "name": "欧洲研发中心",
        "investor": subsidiary.pk,
        "kind": "new",
        "capital_origin": "foreign",
        "total_investment": "20000",
        "source_kind": "other",
        "team": other_officer.team_id,
    }
    response = client.post("/projects/new/", data, follow=True)
    page = response.content.decode()
    assert Project.objects.filter(name="欧洲研发中心").exists(), page[:3000]
    assert NOTICE in page and not leaks(page)
    assert Collision.objects.get().via == "project"
    assert told(manager, other_manager) == {"boss": 1, "chief": 1}


def test_the_project_api_answers_with_the_notice(secret, subsidiary, other_officer, manager):
    api = APIClient()
    api.force_login(other_officer)
    body = {
        "name": "欧洲研发中心",
        "investor": subsidiary.pk,
        "kind": "new",
        "capital_origin": "foreign",
        "total_investment": "20000",
    }
    response = api.post("/api/v1/projects/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.json()
    assert NOTICE in response.json()["claim_notice"]
    assert not leaks(response.content.decode())
    assert told(manager) == {"boss": 1}


def test_a_visits_import_warns_on_its_row_and_tells_the_managers_on_commit(
    client, secret, subsidiary, other_officer, manager
):
    english_login(client, other_officer)
    headers = ["日期", "客商名称", "洽谈内容"]
    job = job_of(upload(client, "visits", xlsx(headers, [[timezone.localdate().isoformat(), subsidiary.name, "交流"]])))
    [row] = job.report["rows"]
    assert any(NOTICE in message for _column, message in row["warnings"]), row
    assert not leaks(str(job.report))
    assert told(manager) == {"boss": 0}  # the preview writes nothing
    job = commit(client, job)
    assert job.status == "done", job.report
    assert told(manager) == {"boss": 1}
    assert Collision.objects.get().team == other_officer.team


def test_a_projects_import_warns_on_its_row_and_tells_the_managers_on_commit(
    client, secret, subsidiary, other_officer, manager
):
    english_login(client, other_officer)
    headers = ["项目名称", "投资方", "总投资(万元)"]
    job = job_of(upload(client, "projects", xlsx(headers, [["欧洲研发中心", subsidiary.name, "2亿"]])))
    [row] = job.report["rows"]
    assert any(NOTICE in message for _column, message in row["warnings"]), row
    assert not leaks(str(job.report))
    job = commit(client, job)
    assert job.status == "done", job.report
    assert told(manager) == {"boss": 1}
    assert Collision.objects.get().via == "project"


def test_a_group_nobody_registered_warns_nobody(client, subsidiary, other_officer, manager):
    english_login(client, other_officer)
    response = client.post("/crm/visits/new/", visit_form(subsidiary), follow=True)
    assert NOTICE not in response.content.decode()
    assert not Collision.objects.exists() and told(manager) == {"boss": 0}


def test_a_visit_moved_onto_the_group_collides(claim, subsidiary, other_officer, manager):
    from crm.services import visit_save

    visit = VisitFactory(owner=other_officer)
    visit.organisation = subsidiary
    saved = visit_save(visit=visit, by=other_officer)
    assert saved.claim_notice is not None and told(manager) == {"boss": 1}
