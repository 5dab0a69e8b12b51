"""The project pages: list, board, detail, create and edit, as officers and managers use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from projects.models import Project, Replan, Stage, StageChange
from projects.selectors import project_url
from tests.factories import (
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    VisitFactory,
    project_in_stage,
)

pytestmark = pytest.mark.django_db


def in_english(user):
    """New strings are not in the Chinese catalogue yet: read the pages in English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def text(response) -> str:
    return response.content.decode()


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_what_the_officer_may_see_with_count_and_total(client, officer, other_officer, secret_project):
    ProjectFactory(name="本组项目", owner=officer, total_investment=Decimal("12000"))
    ProjectFactory(name="他组公开项目", owner=other_officer, total_investment=Decimal("3000"))
    client.force_login(in_english(officer))
    response = client.get(reverse("projects:project_list"))
    page = text(response)
    assert "本组项目" in page and "他组公开项目" in page
    assert "绝密扩产项目" not in page
    assert "2 projects" in page
    assert "CNY 150m" in page  # 1.2亿 + 3,000万, the confidential 20亿 left out
    assert response.context["result"].total == Decimal("15000")


def test_the_totals_are_written_in_yi_in_chinese(client, officer):
    ProjectFactory(owner=officer, total_investment=Decimal("12000"))
    ProjectFactory(owner=officer, total_investment=Decimal("3000"))
    client.force_login(officer)
    assert "1.5亿元" in text(client.get(reverse("projects:project_list")))


def test_filters_narrow_the_list_and_the_totals_follow(client, officer, manager, other_officer, other_team):
    industry, park = IndustryFactory(name="集成电路"), ParkFactory(name="软件园")
    chip = project_in_stage(
        "signed", name="芯片项目", owner=officer, industry=industry, park=park, total_investment=Decimal("120000")
    )
    chip.is_major = True
    chip.capital_origin = Project.CapitalOrigin.FOREIGN
    chip.save()
    ProjectFactory(name="线索项目", owner=officer, total_investment=Decimal("5000"))
    ProjectFactory(name="他组项目", owner=other_officer, total_investment=Decimal("8000"))
    client.force_login(in_english(manager))
    url = reverse("projects:project_list")

    def names(query: str) -> set[str]:
        response = client.get(url + query)
        return {project.name for project in response.context["page"]}

    assert names("") == {"芯片项目", "线索项目", "他组项目"}
    assert names("?stage=signed") == {"芯片项目"}
    assert names("?tier=above_1b") == {"芯片项目"}
    assert names("?tier=1e9") == {"芯片项目"}  # a link bookmarked before the keys changed
    assert names(f"?industry={industry.pk}") == {"芯片项目"}
    assert names(f"?park={park.pk}") == {"芯片项目"}
    assert names(f"?owner={officer.pk}") == {"芯片项目", "线索项目"}
    assert names(f"?team={other_team.pk}") == {"他组项目"}
    assert names("?is_major=true") == {"芯片项目"}
    assert names("?capital_origin=foreign") == {"芯片项目"}
    assert names(f"?signed_year={chip.signed_on.year}") == {"芯片项目"}
    assert names("?q=线索") == {"线索项目"}
    response = client.get(url + "?stage=lead")
    assert response.context["result"].count == 2
    assert response.context["result"].total == Decimal("13000")
    assert "CNY 130m" in text(response)


def test_the_overdue_filter_finds_late_projects(client, officer, reminder_rules):
    today = timezone.localdate()
    ProjectFactory(name="迟到项目", owner=officer, signed_planned=today - dt.timedelta(days=40))
    ProjectFactory(name="准时项目", owner=officer, signed_planned=today + dt.timedelta(days=40))
    client.force_login(officer)
    late = client.get(reverse("projects:project_list") + "?overdue=any").context["page"]
    assert [project.name for project in late] == ["迟到项目"]
    yellow = client.get(reverse("projects:project_list") + "?overdue=yellow").context["page"]
    assert [project.name for project in yellow] == ["迟到项目"]
    on_time = client.get(reverse("projects:project_list") + "?overdue=on_time").context["page"]
    assert [project.name for project in on_time] == ["准时项目"]


def test_the_list_sorts_by_a_column_both_ways(client, officer):
    for name, amount in [("小", "100"), ("大", "90000"), ("中", "5000")]:
        ProjectFactory(name=name, owner=officer, total_investment=Decimal(amount))
    client.force_login(officer)
    url = reverse("projects:project_list")
    up = client.get(url + "?sort=investment").context["page"]
    down = client.get(url + "?sort=-investment").context["page"]
    assert [p.name for p in up] == ["小", "中", "大"]
    assert [p.name for p in down] == ["大", "中", "小"]
    by_stage = client.get(url + "?sort=stage")
    assert by_stage.status_code == 200
    assert client.get(url + "?sort=nonsense").status_code == 200  # unknown sort: the default


def test_the_list_is_paginated_and_keeps_the_filters(client, officer):
    for _ in range(30):
        ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    first = client.get(reverse("projects:project_list") + "?stage=lead")
    assert len(first.context["page"].object_list) == 25
    assert "30 projects" in text(first)
    assert "stage=lead&amp;page=2" in text(first)
    second = client.get(reverse("projects:project_list") + "?stage=lead&page=2")
    assert len(second.context["page"].object_list) == 5


def test_filtering_with_htmx_answers_the_results_only(client, officer):
    ProjectFactory(name="某项目", owner=officer)
    client.force_login(officer)
    response = client.get(
        reverse("projects:project_list") + "?q=某", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="project-results"
    )
    page = text(response)
    assert "某项目" in page
    assert "<html" not in page and 'id="project-results"' in page


# --- The board --------------------------------------------------------------------------


def test_the_board_has_a_column_per_stage_with_count_and_total(client, officer):
    ProjectFactory(name="线索一", owner=officer, total_investment=Decimal("10000"))
    ProjectFactory(name="线索二", owner=officer, total_investment=Decimal("5000"))
    project_in_stage("signed", name="已签约", owner=officer, total_investment=Decimal("200000"))
    client.force_login(in_english(officer))
    response = client.get(reverse("projects:board"))
    columns = {column.stage: column for column in response.context["board"].columns}
    assert list(columns) == ["lead", "negotiating", "signed", "started", "completed", "producing", "on_hold"]
    assert (columns["lead"].n, columns["lead"].total) == (2, Decimal("15000"))
    assert [card.name for card in columns["signed"].cards] == ["已签约"]
    page = text(response)
    assert "CNY 150m" in page and "CNY 2bn" in page
    assert "<script>" not in page and "onclick" not in page


def test_the_board_offers_only_the_moves_the_stage_machine_allows(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(officer)
    board = client.get(reverse("projects:board")).context["board"]
    card = board.columns[0].cards[0]
    assert card.pk == project.pk
    assert [move.stage for move in card.moves] == [Stage.NEGOTIATING, Stage.ON_HOLD, Stage.DROPPED]


def test_other_teams_cards_cannot_be_moved(client, officer, other_officer):
    ProjectFactory(name="他组项目", owner=other_officer)
    client.force_login(officer)
    page = text(client.get(reverse("projects:board")))
    assert "他组项目" in page
    assert "data-move-url" not in page


def _move(client, project, **data):
    values = {
        "from_stage": project.stage,
        "version": project.version,
        "on": timezone.localdate().isoformat(),
        "next": reverse("projects:board"),
    }
    values.update(data)
    return client.post(reverse("projects:project_stage", args=[project.pk]), values, HTTP_HX_REQUEST="true")


def test_signing_without_an_amount_is_refused_next_to_the_field_and_nothing_is_saved(client, officer):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(in_english(officer))
    response = _move(client, project, to_stage="signed")
    assert response.status_code == 200
    form = response.context["form"]
    assert "signed amount" in form.errors["signed_amount"][0]
    assert "<html" not in text(response)  # the form alone, for the dialog
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING and project.signed_on is None
    assert not StageChange.objects.exists()


def test_signing_with_an_amount_moves_the_project_and_returns_to_the_board(client, officer):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(officer)
    response = _move(client, project, to_stage="signed", signed_amount="60000")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("projects:board")
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    assert project.signed_amount == Decimal("60000")
    assert project.signed_on == timezone.localdate()
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("negotiating", "signed", officer)


def test_a_move_the_machine_forbids_shows_its_message(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    response = _move(client, project, to_stage="started")
    assert "one stage at a time" in text(response)
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_moving_to_the_stage_it_is_at_changes_nothing_and_says_so(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    response = _move(client, project, to_stage="lead")
    assert "already at this stage" in response.context["form"].errors["to_stage"][0]
    assert not StageChange.objects.exists()


def test_a_hold_needs_a_reason_and_the_held_project_can_resume_from_the_board(client, officer):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(in_english(officer))
    refused = _move(client, project, to_stage="on_hold")
    assert "put on hold" in refused.context["form"].errors["reason"][0]
    assert _move(client, project, to_stage="on_hold", reason="对方暂停投资计划").status_code == 204
    board = client.get(reverse("projects:board")).context["board"]
    held = {column.stage: column for column in board.columns}["on_hold"].cards
    assert [card.pk for card in held] == [project.pk]
    assert [move.stage for move in held[0].moves] == [Stage.NEGOTIATING, Stage.DROPPED]
    project.refresh_from_db()
    assert _move(client, project, to_stage="negotiating").status_code == 204
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING


def test_a_date_in_the_future_is_refused_next_to_the_date(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _move(client, project, to_stage="negotiating", on=tomorrow.isoformat())
    assert "cannot be in the future" in response.context["form"].errors["on"][0]


def test_a_move_based_on_a_stale_stage_is_refused(client, officer, colleague):
    project = ProjectFactory(owner=officer)
    client.force_login(in_english(officer))
    seen = Project.objects.get(pk=project.pk)
    assert _move(client, project, to_stage="negotiating").status_code == 204
    # A colleague's open dialog still says "lead".
    client.force_login(in_english(colleague))
    response = _move(client, seen, to_stage="on_hold", reason="暂停")
    assert (
        "Someone else changed this project meanwhile: it is now at “Under negotiation”"
        in response.context["form"].non_field_errors()[0]
    )
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING


def test_the_stage_form_opens_as_a_page_without_javascript(client, officer):
    project = ProjectFactory(owner=officer)
    client.force_login(officer)
    response = client.get(reverse("projects:project_stage", args=[project.pk]) + "?to=negotiating")
    assert "<html" in text(response)
    response = client.post(
        reverse("projects:project_stage", args=[project.pk]),
        {"from_stage": "lead", "version": 1, "to_stage": "negotiating", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:project_detail", args=[project.pk])


def test_an_officer_cannot_move_another_teams_project(client, officer, other_officer):
    project = ProjectFactory(owner=other_officer)
    client.force_login(in_english(officer))
    response = _move(client, project, to_stage="negotiating")
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


# --- A project's page -------------------------------------------------------------------


def test_the_page_shows_planned_against_actual_and_how_late(client, officer, reminder_rules):
    today = timezone.localdate()
    project = project_in_stage(
        "signed",
        owner=officer,
        signed_planned=today - dt.timedelta(days=210),  # signed 200 days ago: 10 days late
        started_planned=today - dt.timedelta(days=35),  # not started: 35 days overdue
        completed_planned=today + dt.timedelta(days=100),
    )
    client.force_login(in_english(officer))
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    rows = {row.stage: row for row in response.context["detail"].rows}
    assert (rows["signed"].late_days, rows["signed"].overdue) == (10, False)
    assert (rows["started"].late_days, rows["started"].overdue) == (35, True)
    assert rows["completed"].late_days == 0
    page = text(response)
    assert "reached 10 days late" in page
    assert "35 days late" in page
    assert "Yellow" in page  # the overdue level: a month late


def test_re_planning_a_date_with_a_reason_keeps_the_first_plan_visible(client, officer):
    today = timezone.localdate()
    first = today + dt.timedelta(days=20)
    project = project_in_stage("signed", owner=officer, started_planned=first)
    client.force_login(in_english(officer))
    later = today + dt.timedelta(days=80)
    response = client.post(
        reverse("projects:project_replan", args=[project.pk, "started"]),
        {"started-stage": "started", "started-new_date": later.isoformat(), "started-reason": "环评延后"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.started_planned == later
    replan = Replan.objects.get()
    assert (replan.old_date, replan.new_date, replan.reason) == (first, later, "环评延后")
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert {row.stage: row for row in response.context["detail"].rows}["started"].first_plan == first
    with translation.override("en"):
        assert f"first planned {formats.date_format(first)}" in text(response)
    assert "环评延后" in text(response)


def test_re_planning_without_a_reason_is_refused_and_nothing_moves(client, officer):
    first = timezone.localdate() + dt.timedelta(days=20)
    project = project_in_stage("signed", owner=officer, started_planned=first)
    client.force_login(officer)
    response = client.post(
        reverse("projects:project_replan", args=[project.pk, "started"]),
        {"started-stage": "started", "started-new_date": (first + dt.timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["replan_open"] == "started"
    project.refresh_from_db()
    assert project.started_planned == first
    assert not Replan.objects.exists()


def test_re_planning_before_an_earlier_plan_shows_the_services_message(client, officer):
    today = timezone.localdate()
    project = ProjectFactory(
        owner=officer, signed_planned=today + dt.timedelta(days=30), started_planned=today + dt.timedelta(days=60)
    )
    client.force_login(in_english(officer))
    response = client.post(
        reverse("projects:project_replan", args=[project.pk, "started"]),
        {
            "started-stage": "started",
            "started-new_date": (today + dt.timedelta(days=10)).isoformat(),
            "started-reason": "提前",
        },
    )
    rows = {row.stage: row for row in response.context["detail"].rows}
    assert "cannot be before the planned date" in rows["started"].replan_form.errors["new_date"][0]


def test_the_history_lists_edits_stage_changes_and_re_plans(client, officer):
    today = timezone.localdate()
    client.force_login(in_english(officer))
    project = ProjectFactory(owner=officer, total_investment=Decimal("5000"), signed_planned=today + dt.timedelta(10))
    from projects import services

    project.total_investment = Decimal("8000")
    services.project_save(project=project, by=officer)
    services.project_change_stage(project=project, to_stage="negotiating", on=today, by=officer)
    services.project_replan(
        project=project, stage="signed", new_date=today + dt.timedelta(days=40), reason="对方董事会推迟", by=officer
    )
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    kinds = [entry.kind for entry in response.context["detail"].history]
    assert {"created", "edited", "stage", "replan"} <= set(kinds)
    page = text(response)
    assert "Lead → Under negotiation" in page
    assert "对方董事会推迟" in page
    assert "CNY 50m → CNY 80m" in page or "5000.00 → 8000.00" in page


def test_the_page_offers_no_edit_or_stage_form_to_a_reader(client, officer, other_officer):
    project = ProjectFactory(owner=other_officer)
    client.force_login(officer)
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert response.status_code == 200
    assert 'class="stage-form' not in text(response)
    assert reverse("projects:project_update", args=[project.pk]) not in text(response)
    assert client.get(reverse("projects:project_update", args=[project.pk])).status_code == 403


def test_a_reader_is_refused_the_stage_form_and_the_replan_with_403_and_nothing_changes(client, officer, other_officer):
    """A project of another team, not confidential: readable, so the refusal is 403 (not 404),
    and not a form re-rendered with 200."""
    project = project_in_stage("negotiating", owner=other_officer, signed_planned=timezone.localdate())
    client.force_login(officer)
    stage_url = reverse("projects:project_stage", args=[project.pk])
    assert client.get(stage_url + "?to=signed").status_code == 403
    assert client.get(stage_url, HTTP_HX_REQUEST="true").status_code == 403
    moved = _move(client, project, to_stage="on_hold", reason="对方暂停")
    assert moved.status_code == 403
    replan = client.post(
        reverse("projects:project_replan", args=[project.pk, "signed"]),
        {"signed-stage": "signed", "signed-new_date": "2030-01-01", "signed-reason": "推迟"},
    )
    assert replan.status_code == 403
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING and project.signed_planned == timezone.localdate()
    assert not StageChange.objects.filter(project=project).exists()
    assert not Replan.objects.filter(project=project).exists()


# --- Create and edit --------------------------------------------------------------------


def test_a_project_from_a_visit_starts_with_the_investor_and_source(client, officer):
    mission = MissionFactory(owner=officer)
    visit = VisitFactory(owner=officer, mission=mission, next_step="寄送土地资料")
    client.force_login(officer)
    response = client.get(reverse("projects:project_create") + f"?visit={visit.pk}")
    form = response.context["form"]
    assert form.initial["investor"] == visit.organisation_id
    assert form.initial["source_kind"] == Project.SourceKind.VISIT
    assert form.initial["source_mission"] == mission.pk
    response = client.post(
        reverse("projects:project_create"),
        {
            "name": "村田新工厂",
            "investor": visit.organisation_id,
            "kind": "new",
            "capital_origin": "foreign",
            "total_investment": "500000",
            "source_kind": "visit",
            "source_visit": visit.pk,
            "source_mission": mission.pk,
        },
    )
    project = Project.objects.get(name="村田新工厂")
    assert response.status_code == 302 and response["Location"] == project_url(project)
    assert (project.owner, project.team, project.stage) == (officer, officer.team, Stage.LEAD)
    assert (project.source_visit, project.source_mission) == (visit, mission)


def test_the_investor_is_offered_as_its_name_is_typed(client, officer):
    OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment")
    OrganisationFactory(name="博世汽车部件")
    client.force_login(officer)
    page = text(client.get(reverse("projects:investor_options") + "?investor_query=murata"))
    assert "村田（中国）投资有限公司" in page and "博世" not in page


def test_without_javascript_a_whole_name_finds_the_investor_and_a_part_does_not(client, officer):
    investor = OrganisationFactory(name="村田（中国）投资有限公司")
    client.force_login(in_english(officer))
    data = {"name": "村田二期", "kind": "new", "capital_origin": "domestic", "total_investment": "1000"}
    data["source_kind"] = "other"
    vague = client.post(reverse("projects:project_create"), {**data, "investor_query": "村田"})
    assert "Pick the investor from the list" in vague.context["form"].errors["investor"][0]
    assert 'value="村田"' in text(vague)
    whole = client.post(reverse("projects:project_create"), {**data, "investor_query": "村田（中国）投资有限公司"})
    assert whole.status_code == 302
    assert Project.objects.get().investor == investor


def test_the_stages_on_my_work_lead_to_the_list_of_those_projects(client, officer, colleague):
    ProjectFactory(name="我的线索", owner=officer)
    ProjectFactory(name="同事的线索", owner=colleague)
    client.force_login(officer)
    link = f"{reverse('projects:project_list')}?stage=lead&amp;owner={officer.pk}"
    assert link in text(client.get("/"))
    listed = client.get(link.replace("&amp;", "&")).context["page"]
    assert [project.name for project in listed] == ["我的线索"]


def test_the_recent_visits_on_my_work_lead_to_a_new_project(client, officer):
    visit = VisitFactory(owner=officer)
    client.force_login(officer)
    assert f"{reverse('projects:project_create')}?visit={visit.pk}" in text(client.get("/"))


def test_a_refused_create_keeps_what_was_typed_and_says_why(client, officer):
    organisation = OrganisationFactory()
    client.force_login(in_english(officer))
    response = client.post(
        reverse("projects:project_create"),
        {
            "name": "扩产项目",
            "investor": organisation.pk,
            "kind": "new",
            "capital_origin": "domestic",
            "total_investment": "1000",
            "fixed_asset_investment": "5000",
            "source_kind": "other",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "cannot exceed the total investment" in form.errors["fixed_asset_investment"][0]
    assert 'value="扩产项目"' in text(response)
    assert not Project.objects.exists()


def _edit_data(project: Project, **changes) -> dict:
    data = {
        "name": project.name,
        "investor": project.investor_id,
        "kind": project.kind,
        "capital_origin": project.capital_origin,
        "total_investment": str(project.total_investment),
        "source_kind": project.source_kind,
        "version": project.version,
    }
    for stage in ["signed", "started", "completed", "producing"]:
        planned = getattr(project, f"{stage}_planned")
        data[f"{stage}_planned"] = planned.isoformat() if planned else ""
    data.update(changes)
    return data


def test_an_edit_saves_and_raises_the_version(client, officer):
    project = ProjectFactory(owner=officer, total_investment=Decimal("5000"))
    client.force_login(officer)
    response = client.post(
        reverse("projects:project_update", args=[project.pk]), _edit_data(project, total_investment="9000")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.total_investment, project.version) == (Decimal("9000"), 2)


def test_the_second_of_two_editors_is_refused_and_sees_the_newer_values(client, officer, colleague):
    project = ProjectFactory(name="原名", owner=officer, total_investment=Decimal("5000"))
    both_saw = Project.objects.get(pk=project.pk)
    client.force_login(officer)
    first = client.post(
        reverse("projects:project_update", args=[project.pk]), _edit_data(both_saw, total_investment="9000")
    )
    assert first.status_code == 302

    client.force_login(in_english(colleague))
    second = client.post(
        reverse("projects:project_update", args=[project.pk]), _edit_data(both_saw, name="同事改的名字")
    )
    assert second.status_code == 200
    page = text(second)
    assert "Someone else saved this project while you were editing it" in page
    conflict = dict((str(label), (theirs, yours)) for label, theirs, yours in second.context["conflict"])
    assert conflict["Project name"] == ("原名", "同事改的名字")
    assert conflict["Total investment (10k yuan)"] == ("CNY 90m", "CNY 50m")
    assert 'value="同事改的名字"' in page  # the form keeps what was typed
    project.refresh_from_db()
    assert (project.name, project.total_investment, project.version) == ("原名", Decimal("9000"), 2)

    # Having seen the newer values, saving again is deliberate and goes through.
    again = client.post(
        reverse("projects:project_update", args=[project.pk]),
        _edit_data(both_saw, name="同事改的名字", total_investment="9000", version=2),
    )
    assert again.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.total_investment, project.version) == ("同事改的名字", Decimal("9000"), 3)


def test_moving_a_planned_date_in_the_edit_form_needs_a_reason(client, officer):
    today = timezone.localdate()
    project = ProjectFactory(owner=officer, signed_planned=today + dt.timedelta(days=30))
    client.force_login(in_english(officer))
    url = reverse("projects:project_update", args=[project.pk])
    moved = (today + dt.timedelta(days=60)).isoformat()
    refused = client.post(url, _edit_data(project, signed_planned=moved))
    assert "give a reason" in refused.context["form"].errors["signed_planned"][0]
    accepted = client.post(url, _edit_data(project, signed_planned=moved, replan_reason="对方推迟"))
    assert accepted.status_code == 302
    assert Replan.objects.get().reason == "对方推迟"


# --- What a user may not see ------------------------------------------------------------


def test_a_confidential_project_of_another_team_answers_404_everywhere(client, officer, secret_project):
    client.force_login(officer)
    pk = secret_project.pk
    for url in [
        reverse("projects:project_detail", args=[pk]),
        reverse("projects:project_update", args=[pk]),
        reverse("projects:project_stage", args=[pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("projects:project_stage", args=[pk]), {"to_stage": "negotiating"}).status_code == 404
    assert client.post(reverse("projects:project_replan", args=[pk, "started"]), {}).status_code == 404
    for url in [reverse("projects:project_list"), reverse("projects:board")]:
        assert "绝密扩产项目" not in text(client.get(url))


def test_the_projects_manager_sees_the_confidential_project(client, other_manager, secret_project):
    client.force_login(other_manager)
    assert client.get(reverse("projects:project_detail", args=[secret_project.pk])).status_code == 200


def test_project_links_lead_to_the_project_page_and_the_menu_has_projects_and_board(client, officer):
    project = ProjectFactory(owner=officer)
    assert project_url(project) == f"/projects/{project.pk}/"
    client.force_login(officer)
    page = text(client.get("/"))
    assert f'href="{reverse("projects:project_list")}"' in page
    assert f'href="{reverse("projects:board")}"' in page
    assert "admin/projects/project" not in page


def test_no_page_has_inline_scripts_or_handlers(client, officer):
    project = project_in_stage("signed", owner=officer, started_planned=timezone.localdate())
    client.force_login(officer)
    for url in [
        reverse("projects:project_list"),
        reverse("projects:board"),
        reverse("projects:project_detail", args=[project.pk]),
        reverse("projects:project_create"),
        reverse("projects:project_update", args=[project.pk]),
        reverse("projects:project_stage", args=[project.pk]),
        "/",
    ]:
        page = text(client.get(url))
        assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page, url
        for line in page.splitlines():
            if "<script" in line:
                assert "src=" in line, (url, line)
