"""The pipeline's rules through the API: an edit with the current version still cannot
break one, and the stage is moved by change-stage only."""

from __future__ import annotations

from decimal import Decimal

from projects.models import Project, Stage
from tests.api.conftest import if_match
from tests.factories import project_in_stage


def test_clearing_a_signed_projects_amount_is_refused_even_with_the_current_version(officer, client_for):
    project = project_in_stage("signed", owner=officer)
    response = client_for(officer).patch(
        f"/api/v1/projects/{project.pk}/", {"signed_amount": None}, format="json", **if_match(project.version)
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("signed_amount_required", "signed_amount")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.signed_amount, stored.version) == (Decimal("50000"), project.version)


def test_a_negative_amount_is_refused(officer, client_for):
    project = project_in_stage("signed", owner=officer)
    response = client_for(officer).patch(
        f"/api/v1/projects/{project.pk}/", {"expected_annual_output": "-1.00"}, format="json", **if_match(1)
    )
    assert response.status_code == 400
    assert response.json()["field"] == "expected_annual_output"
    assert Project.objects.get(pk=project.pk).expected_annual_output is None


def test_a_patch_cannot_move_the_stage_or_write_its_fields(officer, client_for):
    project = project_in_stage("negotiating", owner=officer)
    response = client_for(officer).patch(
        f"/api/v1/projects/{project.pk}/",
        {"stage": "producing", "held_stage": "lead", "exit_reason": "x", "signed_on": "2024-01-01", "jobs": 5},
        format="json",
        **if_match(1),
    )
    assert response.status_code == 200
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason, stored.signed_on) == (
        Stage.NEGOTIATING,
        "",
        "",
        None,
    )
    assert stored.jobs == 5
