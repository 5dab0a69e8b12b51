"""The board and My work stay small however many projects there are: a board column
shows its first cards and loads the next ones on demand ("show more"), with the same
filters and permissions and a fixed number of queries; My work lists a bounded number
of rows, with links to the rest. Rows are counted here, never timed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import selectors
from tests.factories import ProjectFactory, VisitFactory, project_in_stage

pytestmark = pytest.mark.django_db

BOARD = reverse("projects:board")


def more_url(stage: str, query: str = "") -> str:
    return reverse("projects:board_column", args=[stage]) + (f"?{query}" if query else "")


def _projects(owner, n: int, **kwargs) -> None:
    """n projects, the first the biggest (the order of a board column)."""
    for i in range(n):
        ProjectFactory(owner=owner, name=f"项目{i:03d}", total_investment=Decimal(10_000 - i), **kwargs)


def cards(html: str) -> list[str]:
    """The names on the cards of an HTML page or fragment, in order."""
    return re.findall(r'class="board-card-name"[^>]*>([^<]*)</a>', html)


def column(html: str, stage: str) -> str:
    """One column of the board page."""
    return html.split(f'data-stage="{stage}"')[1].split("</section>")[0]


def show_more(html: str) -> str | None:
    """Where the "show more" of a page or fragment loads from (None: it has none)."""
    found = re.search(r'class="[^"]*board-show-more"[^>]*hx-get="([^"]*)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_column_shows_its_first_cards_and_loads_the_next_ones_on_demand(client, officer, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_CARDS", 20)
    _projects(officer, 45)
    client.force_login(officer)
    lead = column(client.get(BOARD).content.decode(), "lead")
    assert cards(lead) == [f"项目{i:03d}" for i in range(20)]
    assert "45" in lead  # the column still counts them all
    url = show_more(lead)
    assert url == more_url("lead", "offset=20")

    second = client.get(url).content.decode()
    assert "<html" not in second
    assert cards(second) == [f"项目{i:03d}" for i in range(20, 40)]
    assert show_more(second) == more_url("lead", "offset=40")

    last = client.get(show_more(second)).content.decode()
    assert cards(last) == [f"项目{i:03d}" for i in range(40, 45)]
    assert show_more(last) is None
    assert "No projects" not in last


def test_a_column_with_few_cards_has_no_show_more(client, officer):
    _projects(officer, 3)
    client.force_login(officer)
    assert show_more(client.get(BOARD).content.decode()) is None


def test_show_more_keeps_the_filters_and_what_the_user_may_see_and_move(
    client, officer, other_officer, secret_project, monkeypatch
):
    monkeypatch.setattr(selectors, "BOARD_CARDS", 2)
    _projects(officer, 3, is_major=True)
    _projects(officer, 3)  # not major: filtered out
    ProjectFactory(owner=other_officer, name="他组重大项目", is_major=True, total_investment=Decimal(1))
    secret_project.is_major = True
    secret_project.save()
    client.force_login(officer)

    lead = column(client.get(BOARD + "?is_major=true").content.decode(), "lead")
    assert cards(lead) == ["项目000", "项目001"]
    url = show_more(lead)
    assert url == more_url("lead", "is_major=true&offset=2")
    rest = client.get(url).content.decode()
    # The officer's own project and another team's open one; never the secret one.
    assert cards(rest) == ["项目002", "他组重大项目"]
    assert secret_project.name not in rest
    # Only the own team's card can be moved, to the stages the machine allows.
    own, other = rest.split('data-project="')[1:3]
    assert 'data-moves="negotiating on_hold dropped"' in own
    assert "data-move-url" not in other and "data-moves" not in other


def test_show_more_runs_the_same_few_queries_however_many_cards(client, officer, manager, reminder_rules):
    def queries(user, url) -> int:
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    url = more_url("lead", "offset=20")
    _projects(officer, 22)
    before = {user.username: queries(user, url) for user in (officer, manager)}
    _projects(officer, 40)
    assert {user.username: queries(user, url) for user in (officer, manager)} == before
    assert max(before.values()) <= 8, before


def test_show_more_stops_at_the_most_cards_a_column_shows(client, officer, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_MAX_CARDS", 30)
    _projects(officer, 45)
    client.force_login(officer)
    last = client.get(more_url("lead", "offset=20")).content.decode()
    assert cards(last) == [f"项目{i:03d}" for i in range(20, 30)]
    assert show_more(last) is None
    assert f"{reverse('projects:project_list')}?stage=lead" in last  # the rest: in the list
    assert cards(client.get(more_url("lead", "offset=30")).content.decode()) == []


def test_show_more_of_an_unknown_column_is_not_found_and_a_bad_offset_starts_over(client, officer):
    _projects(officer, 2)
    client.force_login(officer)
    assert client.get(more_url("dropped")).status_code == 404
    assert client.get(more_url("nonsense")).status_code == 404
    assert cards(client.get(more_url("lead", "offset=-5")).content.decode()) == ["项目000", "项目001"]
    assert cards(client.get(more_url("lead", "offset=" + "9" * 50)).content.decode()) == ["项目000", "项目001"]


def test_the_board_page_has_one_move_menu_for_all_cards(client, officer):
    _projects(officer, 60)
    for stage in ["negotiating", "signed", "started", "completed", "producing", "on_hold"]:
        for _ in range(25):
            project_in_stage(stage, owner=officer)
    client.force_login(officer)
    html = client.get(BOARD).content.decode()
    assert len(cards(html)) == 7 * selectors.BOARD_CARDS
    main = html.split("<main")[1]  # (the header has its own account menu)
    assert main.count('class="dropdown-menu') == 1  # the template the cards' menus are built from
    # Each movable card has a button that opens it (projects in production move no further).
    assert html.count('class="board-card-menu"') == html.count("data-moves=") == 6 * selectors.BOARD_CARDS


# --- My work ------------------------------------------------------------------------------


def test_my_work_lists_the_projects_updated_last_and_links_to_the_rest(client, officer):
    _projects(officer, 40)
    project_in_stage("dropped", owner=officer)
    client.force_login(officer)
    response = client.get("/")
    html = response.content.decode()
    table = html.split('id="projects-by-stage"')[1]
    assert table.count("<tr>") == 1 + selectors.PROJECTS_SHOWN + 1  # the head, the rows, "and N more"
    assert response.context["work"].projects_more == 40 - selectors.PROJECTS_SHOWN
    stages = "&amp;".join(f"stage={stage}" for stage in ["lead", "negotiating", "signed", "started"])
    assert f"{reverse('projects:project_list')}?{stages}" in table
    assert f"owner={officer.pk}" in table


def test_my_work_stays_bounded_with_many_milestones_follow_ups_and_visits(client, officer):
    today = timezone.localdate()
    for i in range(30):
        ProjectFactory(owner=officer, name=f"晚{i}", signed_planned=today - dt.timedelta(days=i + 1))
        ProjectFactory(owner=officer, name=f"快{i}", signed_planned=today + dt.timedelta(days=i % 20))
    for i in range(15):
        VisitFactory(owner=officer, follow_up_on=today + dt.timedelta(days=i % 5))
    client.force_login(officer)
    html = client.get("/").content.decode()

    def rows(section: str, after: str) -> int:
        return html.split(f'id="{section}"')[1].split(f'id="{after}"')[0].count('class="list-group-item milestone')

    assert rows("overdue", "due-soon") == selectors.MILESTONES_SHOWN
    assert rows("due-soon", "follow-ups") == selectors.MILESTONES_SHOWN
    visits = html.split('id="recent-visits"')[1].split('id="projects-by-stage"')[0]
    assert visits.count("new-project-from-visit") == selectors.RECENT_VISITS
    table = html.split('id="projects-by-stage"')[1]
    assert table.count("<tr>") == 1 + selectors.PROJECTS_SHOWN + 1


def test_an_officer_sees_the_latest_visits_logged_or_taken_part_in(client, officer, colleague):
    today = timezone.localdate()
    mine = [VisitFactory(owner=officer, date=today - dt.timedelta(days=2 * i)) for i in range(8)]
    joined = [VisitFactory(owner=colleague, date=today - dt.timedelta(days=2 * i + 1)) for i in range(8)]
    for visit in joined:
        visit.officers.add(officer)
    both = VisitFactory(owner=officer, date=today)
    both.officers.add(officer)
    VisitFactory(owner=colleague, date=today)  # the colleague's alone
    client.force_login(officer)
    recent = client.get("/").context["work"].recent_visits
    expected = sorted([*mine, *joined, both], key=lambda visit: (visit.date, visit.pk), reverse=True)
    assert [visit.pk for visit in recent] == [visit.pk for visit in expected[: selectors.RECENT_VISITS]]


def test_an_officer_sees_the_soonest_open_follow_ups_logged_or_taken_part_in(client, officer, colleague):
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=selectors.DUE_SOON_DAYS)
    mine = [VisitFactory(owner=officer, follow_up_on=today + dt.timedelta(days=i % 40 - 10)) for i in range(45)]
    joined = [VisitFactory(owner=colleague, follow_up_on=today + dt.timedelta(days=i - 5)) for i in range(15)]
    for visit in joined:
        visit.officers.add(officer)
    VisitFactory(owner=officer, follow_up_on=today - dt.timedelta(days=30), follow_up_done_on=today)  # done
    VisitFactory(owner=colleague, follow_up_on=today - dt.timedelta(days=30))  # the colleague's alone
    client.force_login(officer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    follow_ups = response.context["work"].follow_ups
    badge = response.content.decode().split('id="follow-ups"')[1].split("</span></div>")[0]
    assert badge.endswith(f"超过 {selectors.FOLLOW_UPS_SHOWN}")  # not the number listed: there are more
    due = sorted((v for v in [*mine, *joined] if v.follow_up_on <= horizon), key=lambda v: (v.follow_up_on, v.pk))
    assert len(due) > selectors.FOLLOW_UPS_SHOWN
    assert [visit.pk for visit in follow_ups] == [visit.pk for visit in due[: selectors.FOLLOW_UPS_SHOWN]]
    # Session and user; the overdue ladder; the milestones; the follow-ups; the latest
    # visits; the stage summary; the projects; the stage dates to complete (a small partial
    # index); the bell; the open problems (their ladder, their rows); the missed promise
    # checks: one each, however many visits.
    assert len(captured) == 13, "\n".join(query["sql"][:120] for query in captured)


def test_the_follow_up_badge_counts_them_when_all_are_listed(client, officer):
    today = timezone.localdate()
    for i in range(3):
        VisitFactory(owner=officer, follow_up_on=today + dt.timedelta(days=i))
    client.force_login(officer)
    html = client.get("/").content.decode()
    badge = html.split('id="follow-ups"')[1].split("</span></div>")[0]
    assert badge.endswith(">3")
