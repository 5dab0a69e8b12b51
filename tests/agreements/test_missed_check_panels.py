"""Promise checks that need supervision (late, or below the promise) on My work and on
the supervision list: whose they are, as hidden as their project, one query each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.services import check_record
from tests.agreements.helpers import make_agreement, signed_project

pytestmark = pytest.mark.django_db

SUPERVISION = "/reports/supervision/"


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def panel_of(html: str) -> str:
    """The missed checks' card or section alone (the page lists the projects too)."""
    start = html.index('id="missed-checks"')
    return html[start : html.index("</section>", start)]


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_my_work_lists_the_officers_own_missed_checks_and_a_manager_the_teams(
    client, officer, colleague, manager, frozen_today
):
    late = make_agreement(
        signed_project(officer, name="逾期未报项目"), officer, due_year=2023, annual_tax=None, jobs=None
    )
    short = make_agreement(
        signed_project(officer, name="未达承诺项目"), officer, due_year=2023, annual_tax=None, jobs=None
    )
    for check in short.checks.all():
        check_record(check=check, actual=check.promised / 2, by=officer)
    make_agreement(signed_project(officer, name="尚未到期项目"), officer, due_year=2025)
    make_agreement(signed_project(colleague, name="同事的项目"), colleague, due_year=2023)

    client.force_login(in_english(officer))
    html = panel_of(html_of(client, reverse("projects:my_work")))
    assert "Promise checks to follow" in html
    assert "逾期未报项目" in html and "未达承诺项目" in html
    assert "尚未到期项目" not in html and "同事的项目" not in html
    assert html.count('class="list-group-item missed-check" data-status="late"') == 2
    assert html.count('class="list-group-item missed-check" data-status="not_met"') == 2
    assert f'href="/projects/{late.project_id}/#agreement"' in html

    client.force_login(manager)
    html = panel_of(html_of(client, reverse("projects:my_work")))
    assert "同事的项目" in html and "逾期未报项目" in html and "尚未到期项目" not in html


def test_my_work_shows_no_card_when_every_promise_is_kept_or_not_due(client, officer, frozen_today):
    kept = make_agreement(signed_project(officer, name="已达产项目"), officer, due_year=2023)
    for check in kept.checks.all():
        check_record(check=check, actual=check.promised, by=officer)
    make_agreement(signed_project(officer), officer, due_year=2025)
    client.force_login(in_english(officer))
    assert 'id="missed-checks"' not in html_of(client, reverse("projects:my_work"))


def test_the_supervision_list_shows_missed_checks_as_hidden_as_their_project(
    client, officer, other_officer, manager, frozen_today
):
    make_agreement(signed_project(officer, name="公开逾期项目"), officer, due_year=2023)
    make_agreement(signed_project(officer, name="绝密逾期项目", is_confidential=True), officer, due_year=2023)
    client.force_login(in_english(other_officer))
    html = panel_of(html_of(client, SUPERVISION))
    assert "Promises not kept" in html
    assert "公开逾期项目" in html and "绝密逾期项目" not in html
    client.force_login(manager)
    html = panel_of(html_of(client, SUPERVISION))
    assert "公开逾期项目" in html and "绝密逾期项目" in html


def test_the_supervision_list_says_when_every_promise_is_kept(client, manager, frozen_today):
    client.force_login(in_english(manager))
    assert "Every promise due is kept." in html_of(client, SUPERVISION)


def queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_pages_cost_the_same_queries_with_one_or_many_missed_checks(client, officer, manager, frozen_today):
    make_agreement(signed_project(officer), officer, due_year=2023)
    urls = [reverse("projects:my_work"), SUPERVISION]
    client.force_login(in_english(manager))
    few = [queries(client, url) for url in urls]
    for _ in range(5):
        make_agreement(signed_project(officer), officer, due_year=2023)
    assert [queries(client, url) for url in urls] == few
    html = html_of(client, reverse("projects:my_work"))
    assert html.count('class="list-group-item missed-check"') == 10  # 24 missed, 10 shown
    assert "and 14 more" in html
    assert '<small class="text-body-secondary">24</small>' in html_of(client, SUPERVISION)
