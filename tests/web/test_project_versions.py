"""The web forms name the version they were opened on: a stage move or an edit based on
an older one is refused, shows the project as it is now, and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, Stage, StageChange
from tests.factories import ProjectFactory, project_in_stage
from tests.web.test_project_pages import _edit_data, in_english, text

pytestmark = pytest.mark.django_db


def _stage_form(client, project: Project, version: int, **data):
    values = {
        "from_stage": project.stage,
        "version": version,
        "on": timezone.localdate().isoformat(),
        **data,
    }
    return client.post(reverse("projects:project_stage", args=[project.pk]), values, HTTP_HX_REQUEST="true")


def test_the_stage_form_carries_the_version_it_was_opened_on(client, officer):
    project = project_in_stage("negotiating", owner=officer, version=7)
    client.force_login(officer)
    page = text(client.get(reverse("projects:project_stage", args=[project.pk]) + "?to=signed"))
    assert 'name="version" value="7"' in page
    page = text(client.get(reverse("projects:project_detail", args=[project.pk])))
    assert 'name="version" value="7"' in page


def test_the_same_move_sent_twice_from_one_page_is_applied_once(client, officer, colleague):
    project = ProjectFactory(owner=officer)
    client.force_login(officer)
    assert _stage_form(client, project, 1, to_stage="negotiating").status_code == 204
    client.force_login(in_english(colleague))
    again = _stage_form(client, project, 1, to_stage="negotiating")
    assert again.status_code == 200
    assert "Someone else changed this project meanwhile" in again.context["form"].non_field_errors()[0]
    # Shown again on the project as it is now: sending it again is a deliberate choice.
    assert again.context["form"].data["version"] == "2"
    assert StageChange.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).version == 2


def test_a_move_based_on_an_edited_project_is_refused(client, officer, colleague):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(officer)
    assert (
        client.post(reverse("projects:project_update", args=[project.pk]), _edit_data(project, jobs="40")).status_code
        == 302
    )
    client.force_login(in_english(colleague))
    refused = _stage_form(client, project, 1, to_stage="on_hold", reason="暂缓")
    assert "Someone else changed this project meanwhile" in refused.context["form"].non_field_errors()[0]
    assert Project.objects.get(pk=project.pk).stage == Stage.NEGOTIATING
    sent_again = _stage_form(client, project, 2, to_stage="on_hold", reason="暂缓")
    assert sent_again.status_code == 204
    assert Project.objects.get(pk=project.pk).stage == Stage.ON_HOLD


def test_a_stage_form_without_a_version_is_refused_as_stale(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    values = {"from_stage": "lead", "to_stage": "negotiating", "on": timezone.localdate().isoformat()}
    response = client.post(reverse("projects:project_stage", args=[project.pk]), values)
    assert response.status_code == 200
    assert "Someone else changed this project meanwhile" in text(response)
    assert Project.objects.get(pk=project.pk).stage == Stage.LEAD


def test_an_edit_opened_before_a_signing_is_refused_and_the_signed_amount_stays(client, officer, colleague):
    project = project_in_stage("negotiating", owner=officer, description="")
    opened = Project.objects.get(pk=project.pk)  # the officer opens the edit form
    client.force_login(colleague)
    assert _stage_form(client, project, 1, to_stage="signed", signed_amount="48000").status_code == 204

    client.force_login(in_english(officer))
    response = client.post(
        reverse("projects:project_update", args=[project.pk]), _edit_data(opened, description="老版本上的修改")
    )
    assert response.status_code == 200
    page = text(response)
    assert "Someone else saved this project while you were editing it" in page
    assert "老版本上的修改" in page  # what was typed is kept
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_amount, stored.description) == (Stage.SIGNED, Decimal("48000"), "")
