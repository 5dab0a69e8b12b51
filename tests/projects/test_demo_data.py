"""The demo zone (`manage.py seed_demo`): what someone trying the app would notice.

Building the zone takes a few seconds, so it is built once for this module inside a
transaction that is rolled back at the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from core import permissions
from core.models import User
from crm.credit_code import validate_credit_code
from crm.models import Contact, Mission, Organisation, Visit
from projects.models import PIPELINE, PLANNED_STAGES, SIDE_EXITS, Project, Stage, StageChange

pytestmark = pytest.mark.django_db

TEN_BILLION = Decimal(1000000)  # 100亿 in 万元
ONE_HUNDRED_MILLION = Decimal(10000)  # 1亿


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    out = io.StringIO()
    # The same cheap hasher as every test's (conftest), so the logins check out.
    cheap_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), cheap_hashing, transaction.atomic():
        call_command("seed_demo", "--if-empty", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_zone_has_about_the_size_the_issue_asks_for(demo_output):
    assert 280 <= Organisation.objects.count() <= 320
    assert 570 <= Visit.objects.count() <= 630
    assert 75 <= Mission.objects.count() <= 90
    assert 140 <= Project.objects.filter(total_investment__gte=ONE_HUNDRED_MILLION).count() <= 160
    assert Project.objects.filter(total_investment__lt=ONE_HUNDRED_MILLION).exists()
    assert 20 <= Project.objects.filter(is_major=True).count() <= 30


def test_the_command_prints_what_it_loaded_and_the_demo_logins(demo_output):
    assert "Demo zone loaded" in demo_output
    assert settings.DEMO_PASSWORD in demo_output
    for username in ["admin", "manager", "officer"]:
        assert f"  {username} " in demo_output


def test_the_three_demo_accounts_log_in_with_the_demo_password(demo_output, client):
    for username in ["admin", "manager", "officer"]:
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        client.logout()


def test_the_other_people_of_the_bureau_cannot_log_in(demo_output):
    others = User.objects.exclude(username__in=["admin", "manager", "officer"])
    assert others.count() >= 16
    assert not any(user.has_usable_password() for user in others)


def test_the_demo_roles_are_an_admin_a_manager_of_two_teams_and_an_officer(demo_output):
    admin, manager, officer = (User.objects.get(username=name) for name in ["admin", "manager", "officer"])
    assert permissions.is_admin(admin)
    assert permissions.is_manager(manager)
    assert len(permissions.team_ids_of(manager)) == 2
    assert officer.role == User.Role.OFFICER and officer.team is not None
    assert all(user.display_name for user in [admin, manager, officer])


def test_every_stage_has_projects(demo_output):
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)


def test_the_demo_officers_team_has_projects_at_every_stage_some_confidential(demo_output):
    officer = User.objects.get(username="officer")
    own = Project.objects.filter(team=officer.team)
    assert set(own.values_list("stage", flat=True)) == set(Stage.values)
    assert own.filter(is_confidential=True).exists()
    assert own.filter(owner=officer).count() >= len(Stage.values)


def test_confidential_projects_of_other_teams_are_hidden_from_the_officer(demo_output):
    officer = User.objects.get(username="officer")
    hidden = Project.objects.filter(is_confidential=True).exclude(team=officer.team)
    assert hidden.exists()
    visible = permissions.visible_projects(officer, Project.objects.all())
    assert not visible.filter(pk__in=hidden.values("pk")).exists()


def test_exactly_two_projects_reach_100_yi(demo_output):
    assert Project.objects.filter(total_investment__gte=TEN_BILLION).count() == 2


def test_a_5_billion_factory_was_signed_and_started_in_the_same_year(demo_output):
    factory = Project.objects.get(total_investment=Decimal(500000), is_major=True)
    assert factory.signed_on.year == factory.started_on.year
    assert factory.completed_planned > factory.started_on


def test_chinese_organisations_have_valid_unique_credit_codes_and_foreign_ones_none(demo_output):
    chinese = Organisation.objects.filter(country="CN")
    assert chinese.count() > 100
    for organisation in chinese:
        try:
            validate_credit_code(organisation.credit_code)
        except ValidationError as error:  # pragma: no cover - the message says which one
            pytest.fail(f"{organisation.name}: {organisation.credit_code}: {error.messages[0]}")
    assert chinese.values("credit_code").distinct().count() == chinese.count()
    assert not Organisation.objects.exclude(country="CN").exclude(credit_code="").exists()


def test_organisations_of_every_kind_with_one_to_three_contacts(demo_output):
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    per_organisation = Contact.objects.values("organisation").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_organisation) <= {1, 2, 3}
    assert Contact.objects.values("organisation").distinct().count() == Organisation.objects.count()
    assert Organisation.objects.exclude(exchange="").exclude(stock_code="").count() >= 10
    assert Organisation.objects.filter(qualifications__kind="little_giant").exists()


def test_no_actual_date_is_in_the_future(demo_output, today):
    for stage in [*PIPELINE, *SIDE_EXITS]:
        assert not Project.objects.filter(**{f"{stage}_on__gt": today}).exists(), stage
    assert not StageChange.objects.filter(reached_on__gt=today).exists()
    assert not Visit.objects.filter(date__gt=today).exists()
    assert not Visit.objects.filter(follow_up_done_on__gt=today).exists()
    assert not Organisation.objects.filter(listed_on__gt=today).exists()


def test_each_projects_dates_follow_the_pipeline(demo_output):
    for project in Project.objects.all():
        reached = [(s, project.actual_date(s)) for s in PIPELINE if project.actual_date(s)]
        # Reached stages are a prefix of the pipeline, dated in order.
        assert [s for s, _ in reached] == PIPELINE[: len(reached)], project.name
        dates = [d for _, d in reached]
        assert dates == sorted(dates), project.name
        if project.stage in SIDE_EXITS:
            assert project.actual_date(project.stage) >= dates[-1], project.name
            assert project.exit_reason, project.name
        assert project.actual_date(project.stage), project.name
        planned = [project.planned_date(s) for s in PLANNED_STAGES if project.planned_date(s)]
        assert planned == sorted(planned), project.name


def test_every_stage_move_is_recorded_as_a_stage_change(demo_output):
    for project in Project.objects.annotate(moves=Count("stage_changes")):
        reached = sum(1 for s in PIPELINE[1:] if project.actual_date(s))
        assert project.moves >= reached, project.name


def test_history_and_timestamps_read_as_two_years_of_work_not_one_afternoon(demo_output, today):
    now = timezone.now()
    for project in Project.objects.all():
        dates = list(project.history.order_by("history_id").values_list("history_date", flat=True))
        assert dates == sorted(dates), project.name
        assert dates[-1] <= now, project.name
        assert timezone.localdate(project.created_at) == project.lead_on, project.name
    for change in StageChange.objects.all():
        assert timezone.localdate(change.changed_at) == change.reached_on
    for visit in Visit.objects.all()[:50]:
        assert timezone.localdate(visit.created_at) == visit.date
    assert Project.objects.filter(created_at__lt=now - dt.timedelta(days=365)).exists()


def test_some_planned_starts_are_overdue_and_others_were_met(demo_output, today):
    overdue = Project.objects.filter(stage=Stage.SIGNED, started_on=None, started_planned__lt=today)
    assert overdue.exists()
    started = Project.objects.exclude(started_on=None).exclude(started_planned=None)
    on_time = [p for p in started if p.started_on <= p.started_planned]
    late = [p for p in started if p.started_on > p.started_planned]
    assert on_time and late
    assert Project.objects.filter(stage=Stage.NEGOTIATING, signed_planned__gte=today).exists()


def test_some_major_projects_are_late_and_some_are_due_soon(demo_output, today):
    soon = today + dt.timedelta(days=30)
    open_planned = Project.objects.filter(started_on=None).exclude(stage__in=SIDE_EXITS)
    assert open_planned.filter(started_planned__lt=today).exists()
    assert open_planned.filter(started_planned__range=(today, soon)).exists()


def test_signed_projects_carry_planned_dates_and_the_signed_amount(demo_output):
    signed = Project.objects.exclude(signed_on=None)
    assert not signed.filter(signed_amount=None).exists()
    assert not signed.filter(started_planned=None).exists()


def test_foreign_projects_report_foreign_capital(demo_output):
    foreign = Project.objects.exclude(capital_origin=Project.CapitalOrigin.DOMESTIC)
    assert foreign.exists()
    assert not foreign.filter(foreign_capital_usd=None).exists()
    assert not Project.objects.filter(capital_origin=Project.CapitalOrigin.DOMESTIC).exclude(foreign_capital_usd=None)


def test_projects_found_on_a_visit_start_after_it_with_that_organisation(demo_output):
    sourced = Project.objects.exclude(source_visit=None).select_related("source_visit")
    assert sourced.exists()
    assert Project.objects.exclude(source_mission=None).exists()
    for project in sourced:
        assert project.lead_on >= project.source_visit.date, project.name
        assert project.investor_id == project.source_visit.organisation_id, project.name
        assert project.source_mission_id == project.source_visit.mission_id, project.name


def test_most_open_projects_were_followed_up_lately_and_a_few_went_quiet(demo_output, today):
    open_projects = Project.objects.filter(stage__in=PIPELINE[:-1])
    recent = today - dt.timedelta(days=60)
    followed = open_projects.filter(investor__visits__date__gte=recent).distinct().count()
    assert open_projects.count() / 2 < followed < open_projects.count()


def test_visits_during_a_mission_fall_within_its_dates(demo_output):
    for visit in Visit.objects.exclude(mission=None).select_related("mission"):
        assert visit.mission.start_date <= visit.date <= visit.mission.end_date, visit


def test_missions_cover_the_articles_regions_and_some_are_still_ahead(demo_output, today):
    regions = set(Mission.objects.values_list("region", flat=True))
    assert {"japan_korea", "europe", "hk_macau", "middle_east", "domestic"} <= regions
    assert Mission.objects.filter(start_date__gt=today).exists()
    assert Mission.objects.filter(start_date__lt=today - dt.timedelta(days=365)).exists()
    assert not Mission.objects.filter(participants=None).exists()


def test_follow_ups_are_due_soon_overdue_or_done(demo_output, today):
    open_ = Visit.objects.filter(follow_up_done_on=None).exclude(follow_up_on=None)
    assert open_.filter(follow_up_on__range=(today, today + dt.timedelta(days=14))).exists()
    assert open_.filter(follow_up_on__lt=today).exists()
    assert Visit.objects.exclude(follow_up_done_on=None).count() > Visit.objects.count() / 2


def test_running_it_again_with_if_empty_adds_nothing(demo_output):
    counts = [model.objects.count() for model in (Organisation, Visit, Mission, Project, User, StageChange)]
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert [model.objects.count() for model in (Organisation, Visit, Mission, Project, User, StageChange)] == counts
    assert "nothing to do" in out.getvalue()
    assert settings.DEMO_PASSWORD in out.getvalue()


def test_running_it_again_without_the_flag_is_refused(demo_output):
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("username", ["officer", "manager", "admin"])
def test_the_dashboard_and_the_board_stay_light_at_the_demos_size(demo_output, client, username, language):
    """Bytes of HTML, not time: the dashboard was 718 KB (every number a link, every
    split written out and embedded again for the charts), the board 113-149 KB."""
    User.objects.filter(username=username).update(language=language)
    client.force_login(User.objects.get(username=username))
    dashboard = client.get("/reports/")
    board = client.get("/projects/board/")
    assert dashboard.status_code == board.status_code == 200
    assert len(dashboard.content) < 200_000, len(dashboard.content)
    assert len(board.content) < 80_000, len(board.content)
    # The closed splits are not on the page: each loads when it is opened.
    html = dashboard.content.decode()
    assert html.count('hx-trigger="toggle from:closest details once"') == 6
    opened = client.get("/reports/splits/officer/")
    assert opened.status_code == 200 and 'id="table-officer"' in opened.content.decode()
