"""Why a project was lost (流失原因): a drop names a reason from the list, and the
competing location when the project went to another location; on every path."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from projects.models import LossReason, Project, Stage
from projects.services import project_change_stage
from tests.api.conftest import client_for, if_match  # noqa: F401
from tests.factories import project_in_stage

pytestmark = pytest.mark.django_db


def drop(project, by, on, **kwargs):
    return project_change_stage(project=project, to_stage=Stage.DROPPED, on=on, by=by, reason="对方另有选择", **kwargs)


def test_a_drop_without_a_reason_from_the_list_is_refused(officer, frozen_today):
    project = project_in_stage("negotiating", owner=officer)
    for given in ("", "bankrupt"):
        with translation.override("en"), pytest.raises(DomainError) as caught:
            drop(project, officer, frozen_today, loss_reason=given)
        assert (caught.value.code, caught.value.field) == ("loss_reason_required", "loss_reason")
        assert str(caught.value) == "Choose why the project was lost from the list."
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.loss_reason, stored.dropped_on) == (Stage.NEGOTIATING, "", None)


def test_another_location_needs_the_location(officer, frozen_today):
    project = project_in_stage("negotiating", owner=officer)
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        drop(project, officer, frozen_today, loss_reason=LossReason.OTHER_LOCATION, lost_to="  ")
    assert caught.value.field == "lost_to" and str(caught.value).strip()
    drop(project, officer, frozen_today, loss_reason=LossReason.OTHER_LOCATION, lost_to=" 苏州工业园区 ")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.loss_reason, stored.lost_to, stored.exit_reason) == (
        Stage.DROPPED,
        "other_location",
        "苏州工业园区",
        "对方另有选择",
    )


def test_a_location_is_kept_only_for_another_location(officer, frozen_today):
    project = project_in_stage("signed", owner=officer)
    drop(project, officer, frozen_today, loss_reason=LossReason.FINANCING, lost_to="合肥")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.loss_reason, stored.lost_to) == ("financing", "")


def test_a_project_on_hold_is_dropped_with_a_reason_too(officer, frozen_today):
    project = project_in_stage("on_hold", owner=officer)
    with pytest.raises(DomainError):
        drop(project, officer, frozen_today)
    drop(project, officer, frozen_today, loss_reason=LossReason.STRATEGY)
    assert Project.objects.get(pk=project.pk).loss_reason == "strategy"


def test_a_hold_has_no_loss_reason(officer, frozen_today):
    project = project_in_stage("negotiating", owner=officer)
    project_change_stage(
        project=project, to_stage=Stage.ON_HOLD, on=frozen_today, by=officer, reason="暂缓", loss_reason="policy"
    )
    assert Project.objects.get(pk=project.pk).loss_reason == ""


def test_an_admins_correction_takes_the_loss_away(admin_user, officer):
    project = project_in_stage("dropped", held_stage="signed", owner=officer, loss_reason="policy")
    project_change_stage(project=project, to_stage=Stage.SIGNED, on=None, by=admin_user, correction=True, note="误操作")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.loss_reason, stored.lost_to) == (Stage.SIGNED, "", "")


def _raw_update_refused(project: Project, **values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.all_objects.filter(pk=project.pk).update(**values)


def test_the_database_refuses_a_drop_without_a_reason_and_a_reason_without_a_drop(officer):
    dropped = project_in_stage("dropped", owner=officer)
    _raw_update_refused(dropped, loss_reason="")
    _raw_update_refused(dropped, loss_reason="bankrupt")
    _raw_update_refused(dropped, loss_reason="other_location", lost_to="")
    lead = project_in_stage("lead", owner=officer)
    _raw_update_refused(lead, loss_reason="policy")
    _raw_update_refused(lead, lost_to="合肥")
    assert Project.objects.get(pk=dropped.pk).loss_reason == "other"


def test_the_web_stage_form_asks_why_and_where(client, officer, frozen_today):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(officer)
    url = reverse("projects:project_stage", args=[project.pk])
    form = client.get(url).content.decode()
    assert 'name="loss_reason"' in form and 'name="lost_to"' in form
    data = {
        "to_stage": "dropped",
        "from_stage": "negotiating",
        "version": project.version,
        "on": frozen_today.isoformat(),
        "reason": "对方选择外地",
        "loss_reason": "other_location",
        "lost_to": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()
    assert Project.objects.get(pk=project.pk).stage == Stage.NEGOTIATING
    assert client.post(url, {**data, "lost_to": "合肥高新区"}).status_code == 302
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.loss_reason, stored.lost_to) == (Stage.DROPPED, "other_location", "合肥高新区")
    detail = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "合肥高新区" in detail


def test_the_api_drops_with_a_reason_from_the_list(client_for, officer, frozen_today):  # noqa: F811
    project = project_in_stage("negotiating", owner=officer)
    api = client_for(officer)
    url = f"/api/v1/projects/{project.pk}/change-stage/"
    body = {"to_stage": "dropped", "on": frozen_today.isoformat(), "reason": "资金未到位"}
    refused = api.post(url, body, format="json", **if_match(project.version))
    assert refused.status_code == 400 and refused.json()["code"] == "loss_reason_required"
    done = api.post(url, {**body, "loss_reason": "financing"}, format="json", **if_match(project.version))
    assert done.status_code == 200
    assert (done.json()["loss_reason"], done.json()["lost_to"]) == ("financing", "")


def test_a_ledger_import_drops_with_the_loss_reason_and_location(client, officer, frozen_today):
    from tests.transfer.conftest import commit, job_of, login, upload, xlsx

    project = project_in_stage("negotiating", name="外流项目", owner=officer)
    login(client, officer)
    headers = [
        "项目名称",
        "投资方",
        "总投资(万元)",
        "当前阶段",
        "搁置/终止日期",
        "搁置/终止原因",
        "流失原因",
        "流失去向",
    ]
    row = ["外流项目", project.investor.name, "5亿", "终止", frozen_today.isoformat(), "对方选择外地"]
    silent = job_of(upload(client, "projects", xlsx(headers, [[*row, "", ""]])))
    [report] = silent.report["rows"]
    assert report["action"] == "error" and report["errors"][0][0] == "Loss reason", report
    job = job_of(upload(client, "projects", xlsx(headers, [[*row, "落户其他地区", "合肥高新区"]])))
    assert [row["action"] for row in job.report["rows"]] == ["update"], job.report["rows"]
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    project.refresh_from_db()
    assert (project.stage, project.loss_reason, project.lost_to) == (Stage.DROPPED, "other_location", "合肥高新区")
