# ruff: noqa: F811  (pytest fixtures imported from other test packages)
"""A project's credit split between teams (分成): one service on every path (web form,
API, admin inline), and the scorecards that count the shares add up to the zone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError, NotFound, NotPermitted
from projects.credit import Share, credit_of, project_set_credit
from projects.models import ProjectCredit, Stage
from projects.reports import selectors
from projects.reports.periods import parse_period
from tests.api.conftest import client_for  # noqa: F401
from tests.factories import ProjectFactory, TeamFactory, UserFactory
from tests.projects.reports.dataset import zone  # noqa: F401
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

YEAR_2024 = parse_period({"year": "2024"})
CREDITED = ("new_projects", "signed", "signed_yi")


def shares(project) -> dict[str, Decimal]:
    return {team.name: share for team, share in credit_of(project)}


def team_rows(user) -> dict[str, dict]:
    report = selectors.scorecards(user=user, period=YEAR_2024)
    return {row["name"]: row for row in report.teams.rows}


def zone_row(user) -> dict:
    [row] = selectors.scorecards(user=user, period=YEAR_2024).zone.rows
    return row


# --- Scorecards -----------------------------------------------------------------------------


def test_scorecards_with_split_credit_add_up_to_the_zone_total(zone, admin_user, team, other_team):
    third = TeamFactory(name="国内招商组")
    p1, p3 = zone.projects["P1"], zone.projects["P3"]  # 15亿 of team 1, 120亿 of team 2, both signed in 2024
    project_set_credit(project=p1, shares=[Share(team, Decimal(60)), Share(other_team, Decimal(40))], by=admin_user)
    thirds = [Share(team, Decimal("33.33")), Share(other_team, Decimal("33.33")), Share(third, Decimal("33.34"))]
    project_set_credit(project=p3, shares=thirds, by=admin_user)

    teams, total = team_rows(admin_user), zone_row(admin_user)
    for key in CREDITED:
        assert sum(row[key] for row in teams.values()) == total[key], key
    # The zone counts each project once: 7 signed in 2024, 177.7亿 (dataset.py).
    assert (total["signed"], total["signed_yi"]) == (7, Decimal("177.7"))
    # 日韩 signed P1, P2, P5, P7, P8 whole before the split: now 0.6 of P1 and a third of P3.
    assert teams["日韩招商组"]["signed"] == Decimal("4.9333")
    assert teams["欧洲招商组"]["signed"] == Decimal("1.7333")  # P4, 0.4 of P1, a third of P3
    assert teams["国内招商组"]["signed"] == Decimal("0.3334")
    # Amounts times the share: 40% of 15亿 and 33.34% of 120亿 for the other teams.
    assert teams["国内招商组"]["signed_yi"] == Decimal("40.008")
    assert teams["欧洲招商组"]["signed_yi"] == Decimal(30) + Decimal(6) + Decimal("39.996")


def test_a_project_without_a_split_counts_whole_for_its_own_team(zone, admin_user):
    teams, total = team_rows(admin_user), zone_row(admin_user)
    assert teams["日韩招商组"]["signed"] == 5 and teams["欧洲招商组"]["signed"] == 2
    for key in CREDITED:
        assert sum(row[key] for row in teams.values()) == total[key], key


def test_the_page_shows_shares_with_two_decimals_and_the_zone_row(zone, admin_user, client, team, other_team):
    third = TeamFactory(name="国内招商组")
    thirds = [Share(team, Decimal("33.33")), Share(other_team, Decimal("33.33")), Share(third, Decimal("33.34"))]
    project_set_credit(project=zone.projects["P3"], shares=thirds, by=admin_user)
    client.force_login(admin_user)
    html = client.get(reverse("reports:scorecards"), {"year": 2024}).content.decode()
    assert 'id="table-zone"' in html
    assert '<td class="text-end text-nowrap" data-label="签约">0.33</td>' in html  # 国内招商组's third, unlinked
    assert ">5.33</td>" in html  # 日韩招商组: five whole signings and a third


def test_the_scorecards_queries_do_not_grow_with_the_splits(
    zone,
    admin_user,
    team,
    other_team,
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        selectors.scorecards(user=admin_user, period=YEAR_2024)
    for name in ("P1", "P2", "P3", "P5", "P6", "P9"):
        project_set_credit(
            project=zone.projects[name],
            shares=[Share(team, Decimal(50)), Share(other_team, Decimal(50))],
            by=admin_user,
        )
    with django_assert_max_num_queries(len(before)):
        selectors.scorecards(user=admin_user, period=YEAR_2024)


# --- The rules, on the service and in the database ----------------------------------------------


@pytest.mark.parametrize(
    "split, code",
    [
        ([("a", "60"), ("b", "30")], "credit_shares_not_100"),
        ([("a", "60"), ("b", "50")], "credit_shares_not_100"),
        ([("a", "100"), ("b", "0")], "credit_share_out_of_range"),
        ([("a", "120"), ("b", "-20")], "credit_share_out_of_range"),
        ([("a", "50.005"), ("b", "49.995")], "credit_share_out_of_range"),
        ([("a", "50"), ("a", "50")], "credit_team_twice"),
    ],
)
def test_a_split_that_does_not_add_up_is_refused_and_nothing_changes(split, code, manager, team, other_team):
    project = ProjectFactory(owner=manager)
    project_set_credit(project=project, shares=[Share(team, Decimal(70)), Share(other_team, Decimal(30))], by=manager)
    teams = {"a": team, "b": other_team}
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        project_set_credit(project=project, shares=[Share(teams[t], Decimal(s)) for t, s in split], by=manager)
    assert caught.value.code == code
    assert str(caught.value).strip()
    assert shares(project) == {team.name: Decimal(70), other_team.name: Decimal(30)}


def test_an_empty_split_gives_the_project_back_to_its_team_whole(manager, team, other_team):
    project = ProjectFactory(owner=manager)
    assert shares(project) == {team.name: Decimal(100)}
    project_set_credit(project=project, shares=[Share(team, Decimal(50)), Share(other_team, Decimal(50))], by=manager)
    project_set_credit(project=project, shares=[], by=manager)
    assert shares(project) == {team.name: Decimal(100)}
    assert not ProjectCredit.objects.filter(project=project).exists()
    # History keeps the rows removed.
    assert ProjectCredit.history.filter(project_id=project.pk, history_type="-").count() == 2


def test_only_a_manager_of_the_team_or_an_admin_splits_credit(officer, other_manager, team, other_team):
    project = ProjectFactory(owner=officer)
    split = [Share(team, Decimal(50)), Share(other_team, Decimal(50))]
    with pytest.raises(NotPermitted):
        project_set_credit(project=project, shares=split, by=officer)
    with pytest.raises(NotPermitted):
        project_set_credit(project=project, shares=split, by=other_manager)  # manager of the other team
    secret = ProjectFactory(owner=officer, is_confidential=True)
    with pytest.raises(NotFound):
        project_set_credit(project=secret, shares=split, by=UserFactory(team=other_team))
    assert not ProjectCredit.objects.exists()


def test_the_database_refuses_a_share_out_of_range_or_a_team_twice(officer, team, other_team):
    project = ProjectFactory(owner=officer)
    for share in (Decimal(0), Decimal("-1"), Decimal("100.01")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectCredit.objects.create(project=project, team=team, share=share)
    ProjectCredit.objects.create(project=project, team=team, share=Decimal(40))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectCredit.objects.create(project=project, team=team, share=Decimal(60))


# --- Every write path: web form, API, admin inline ------------------------------------------------


def _formset(*rows) -> dict:
    data = {"credit-TOTAL_FORMS": str(len(rows)), "credit-INITIAL_FORMS": "0"}
    for index, (team_id, share) in enumerate(rows):
        data[f"credit-{index}-team"] = str(team_id) if team_id else ""
        data[f"credit-{index}-share"] = str(share) if share is not None else ""
    return data


def test_a_manager_splits_credit_on_the_web_page(client, manager, team, other_team):
    project = ProjectFactory(owner=manager)
    client.force_login(manager)
    url = reverse("projects:project_credit", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="credit-0-share"' in page.content.decode()
    refused = client.post(url, _formset((team.pk, 70), (other_team.pk, 20), (None, None)))
    assert refused.status_code == 400
    assert "100" in refused.content.decode() and 'data-testid="credit-error"' in refused.content.decode()
    assert not ProjectCredit.objects.exists()
    saved = client.post(url, _formset((team.pk, "62.5"), (other_team.pk, "37.5"), (None, None)))
    assert saved.status_code == 302
    assert shares(project) == {team.name: Decimal("62.5"), other_team.name: Decimal("37.5")}
    detail = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "62.50%" in detail and "37.50%" in detail


def test_an_officer_cannot_open_the_split_page(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(officer)
    assert client.get(reverse("projects:project_credit", args=[project.pk])).status_code == 403
    assert (
        'data-testid="split-credit"'
        not in client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    )


def test_the_api_reads_and_replaces_the_split(client_for, manager, officer, team, other_team):
    project = ProjectFactory(owner=manager)
    url = f"/api/v1/projects/{project.pk}/credit/"
    api = client_for(manager)
    assert api.get(url).json()["shares"] == [{"team": team.pk, "team_name": team.name, "share": "100.00", "note": ""}]
    bad = api.put(url, {"shares": [{"team": team.pk, "share": "90"}]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "credit_shares_not_100"
    good = api.put(
        url,
        {"shares": [{"team": team.pk, "share": "75"}, {"team": other_team.pk, "share": "25", "note": "首谈"}]},
        format="json",
    )
    assert good.status_code == 200
    assert [(row["team"], row["share"], row["note"]) for row in good.json()["shares"]] == [
        (team.pk, "75.00", ""),
        (other_team.pk, "25.00", "首谈"),
    ]
    denied = client_for(officer).put(url, {"shares": []}, format="json")
    assert denied.status_code == 403
    assert shares(project) == {team.name: Decimal(75), other_team.name: Decimal(25)}


def test_the_admin_inline_saves_through_the_service(client, admin_user, officer, team, other_team):
    project = ProjectFactory(owner=officer)
    client.force_login(admin_user)
    data = form_data(client.get(change_url(project)))
    prefix = "credits"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-team": str(team.pk),
            f"{prefix}-0-share": "80",
            f"{prefix}-1-team": str(other_team.pk),
            f"{prefix}-1-share": "10",
        }
    )
    refused = client.post(change_url(project), data)
    assert refused.status_code == 200  # the page again, with the error
    assert not ProjectCredit.objects.exists()
    data[f"{prefix}-1-share"] = "20"
    assert client.post(change_url(project), data).status_code == 302
    assert shares(project) == {team.name: Decimal(80), other_team.name: Decimal(20)}
    assert Stage(project.stage) == Stage.LEAD


def test_the_scorecards_api_gives_the_exact_shares_beside_whole_counts(
    zone,
    admin_user,
    client_for,
    team,
    other_team,
):
    project_set_credit(
        project=zone.projects["P1"], shares=[Share(team, Decimal(60)), Share(other_team, Decimal(40))], by=admin_user
    )
    body = client_for(admin_user).get("/api/v1/reports/scorecards/", {"year": 2024}).json()
    teams = {row["name"]: row for row in body["teams"]["rows"]}
    assert teams["日韩招商组"]["credited_signed"] == 4.6 and teams["日韩招商组"]["signed"] == 5
    assert teams["欧洲招商组"]["credited_signed"] == 2.4 and teams["欧洲招商组"]["signed"] == 2
    [zone_row] = body["zone"]["rows"]
    assert sum(row["credited_signed"] for row in teams.values()) == zone_row["signed"] == 7


def test_a_team_number_with_shares_in_it_links_nowhere(zone, admin_user, team, other_team):
    third = TeamFactory(name="国内招商组")
    project_set_credit(
        project=zone.projects["P3"], shares=[Share(other_team, Decimal(50)), Share(third, Decimal(50))], by=admin_user
    )
    teams = team_rows(admin_user)
    assert teams["日韩招商组"]["links"]["signed"]  # no split touches it: its list is its number
    assert teams["欧洲招商组"]["links"] == {} and teams["国内招商组"]["links"] == {}
