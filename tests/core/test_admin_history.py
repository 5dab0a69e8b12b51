"""A project's history page in the admin says what changed in words, in the reader's
language; a malformed admin address answers like Django's own admin (back to the list
with a "does not exist" message), never with a server error."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import dateformat, timezone

from projects.models import Project, Stage
from projects.services import project_change_stage, project_save
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def changed_project(officer, colleague):
    project = project_save(
        project=Project(name="纳米级陶瓷薄膜产线", investor=OrganisationFactory(owner=officer), total_investment=50000),
        by=officer,
    )
    form = Project.objects.get(pk=project.pk)
    form.fixed_asset_investment = Decimal("2400.00")
    project_save(project=form, by=colleague)
    project_change_stage(project=project, to_stage=Stage.NEGOTIATING, on=timezone.localdate(), by=colleague)
    return project


def history_page(client, user, project, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    user.language = language
    user.save(update_fields=["language"])
    response = client.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert response.status_code == 200
    return text_of(response)


def test_the_history_names_each_change_with_formatted_values_in_chinese(client, admin_user, changed_project):
    text = history_page(client, admin_user, changed_project, "zh-hans")
    assert "固定资产投资（万元）：（空） → 2400 " in text or "固定资产投资（万元）： （空） → 2400 " in text, text
    assert "阶段：线索 → 在谈" in text.replace(" ", "") or "阶段：线索→在谈" in text.replace(" ", "")
    today = timezone.localdate()
    assert f"（空） → {today.year}年{today.month}月{today.day}日" in text
    assert "CHANGES" not in text.upper().split("CHANGE REASON")[0]
    assert "None" not in text
    assert "2400.00" not in text


def test_the_history_reads_in_english(client, admin_user, changed_project):
    text = history_page(client, admin_user, changed_project, "en")
    assert "(empty) → 2,400" in text
    assert "Stage: Lead → Under negotiation" in text
    assert f"Negotiation began on: (empty) → {dateformat.format(timezone.localdate(), 'N j, Y')}" in text
    assert "None" not in text


# --- malformed addresses ---------------------------------------------------------------


def integer_keyed_admins():
    for model, model_admin in admin.site._registry.items():
        if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "IntegerField"}:
            yield model, model_admin


MALFORMED = ("151/change/history/", "abc/change/", "abc/history/", "abc/delete/", "1x/")


def test_malformed_admin_addresses_go_back_to_the_list_with_a_message(client, admin_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    checked = 0
    for model, _model_admin in integer_keyed_admins():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for tail in MALFORMED:
            response = client.get(changelist + tail, follow=True)
            assert response.status_code in {200, 403}, (changelist + tail, response.status_code)
            if response.status_code == 403:  # a read-only admin refuses the delete page first
                continue
            # Back to the list (the app's admins) or the index (Django's own, e.g. the audit log).
            assert response.redirect_chain[-1][0] in {changelist, reverse("admin:index")}, changelist + tail
            assert "doesn’t exist" in response.content.decode(), changelist + tail
            checked += 1
    assert checked >= 5 * 10


def test_the_project_history_address_with_a_stray_segment_goes_to_the_project_list(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:projects_project_changelist") + "151/change/history/")
    assert (response.status_code, response["Location"]) == (302, reverse("admin:projects_project_changelist"))


def test_a_malformed_history_version_is_not_a_server_error(client, admin_user, changed_project):
    client.force_login(admin_user)
    url = reverse("admin:projects_project_changelist") + f"{changed_project.pk}/history/abc/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:projects_project_changelist")


def test_an_officer_gets_the_same_answer(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:projects_project_changelist") + "151/change/history/")
    assert (response.status_code, response["Location"]) == (302, reverse("admin:projects_project_changelist"))
