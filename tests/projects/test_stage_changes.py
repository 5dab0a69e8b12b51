"""The stage machine: every move a user may make, every move refused and what the
user is told, the date rules and the admin's corrections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from core.errors import DomainError, NotPermitted
from projects.models import Project, Stage, StageChange
from projects.services import project_change_stage
from tests.factories import STAGE_DAYS_AGO, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

S = Stage
PIPELINE_IN_ORDER = [S.LEAD, S.NEGOTIATING, S.SIGNED, S.STARTED, S.COMPLETED, S.PRODUCING]
STILL_MOVING = [S.LEAD, S.NEGOTIATING, S.SIGNED, S.STARTED, S.COMPLETED]

# Written out from DOMAIN.md rather than read from projects.models.TRANSITIONS, so a
# wrong entry there fails here. On-hold projects below were held while negotiating.
ALLOWED = {
    (S.LEAD, S.NEGOTIATING),
    (S.NEGOTIATING, S.SIGNED),
    (S.SIGNED, S.STARTED),
    (S.STARTED, S.COMPLETED),
    (S.COMPLETED, S.PRODUCING),
    *((stage, S.ON_HOLD) for stage in STILL_MOVING),
    *((stage, S.DROPPED) for stage in STILL_MOVING),
    (S.ON_HOLD, S.NEGOTIATING),  # resumes where it was held
    (S.ON_HOLD, S.DROPPED),
}
ALL_MOVES = [(a, b) for a in Stage for b in Stage if a != b]
FORBIDDEN = [move for move in ALL_MOVES if move not in ALLOWED]

LABELS_EN = {
    S.LEAD: "Lead",
    S.NEGOTIATING: "Under negotiation",
    S.SIGNED: "Signed",
    S.STARTED: "Construction started",
    S.COMPLETED: "Completed",
    S.PRODUCING: "In production",
    S.ON_HOLD: "On hold",
    S.DROPPED: "Dropped",
}


def move_id(move: tuple[Stage, Stage]) -> str:
    return f"{move[0].value}->{move[1].value}"


def expected_refusal(current: Stage, to: Stage) -> tuple[str, str]:
    """(code, English message) a user gets for a forbidden move, as the issue words it."""
    if current == S.DROPPED:
        return (
            "stage_closed",
            f"This project was dropped; it cannot move to “{LABELS_EN[to]}”. "
            "An admin can correct the stage if the drop was a mistake.",
        )
    if current == S.ON_HOLD:
        return (
            "stage_resume_only",
            "A project on hold resumes at the stage it was held at (“Under negotiation”), or is dropped.",
        )
    if current == S.PRODUCING and to in (S.ON_HOLD, S.DROPPED):
        return (
            "stage_finished",
            "A project in production has finished the pipeline; it cannot be put on hold or dropped.",
        )
    if PIPELINE_IN_ORDER.index(to) < PIPELINE_IN_ORDER.index(current):
        return (
            "stage_backwards",
            f"A project cannot go back from “{LABELS_EN[current]}” to “{LABELS_EN[to]}”. "
            "If a stage was recorded by mistake, an admin can correct it.",
        )
    following = PIPELINE_IN_ORDER[PIPELINE_IN_ORDER.index(current) + 1]
    return (
        "stage_skipped",
        f"A project moves one stage at a time: from “{LABELS_EN[current]}” it goes to "
        f"“{LABELS_EN[following]}” before “{LABELS_EN[to]}”.",
    )


@pytest.fixture
def make_project(frozen_today, officer):
    """A project of the officer's team that has reached `stage` (dates: STAGE_DAYS_AGO)."""

    def make(stage: Stage, **kwargs) -> Project:
        return project_in_stage(stage, owner=officer, **kwargs)

    return make


def change(project: Project, to: Stage, *, by, on: dt.date | None, **kwargs) -> Project:
    if to == S.DROPPED:
        kwargs.setdefault("loss_reason", "strategy")  # a drop names why the project was lost
    return project_change_stage(project=project, to_stage=to, on=on, by=by, **kwargs)


def snapshot(project: Project) -> dict:
    """Everything the stage machine may write, as stored."""
    stored = Project.all_objects.get(pk=project.pk)
    fields = ["stage", "held_stage", "exit_reason", "signed_amount", "updated_at"]
    fields += [f"{stage.value}_on" for stage in Stage]
    return {name: getattr(stored, name) for name in fields}


# --- Every pair of stages -----------------------------------------------------------


def test_the_allowed_moves_are_exactly_those_of_the_issue():
    # 5 forward steps, 5 open stages x 2 side exits, resume and drop from on hold.
    assert len(ALLOWED) == 17
    assert len(ALL_MOVES) == 56


@pytest.mark.parametrize("move", sorted(ALLOWED), ids=move_id)
def test_an_allowed_move_is_made_and_recorded(move, make_project, officer, frozen_today):
    current, to = move
    project = make_project(current)
    result = change(
        project,
        to,
        by=officer,
        on=frozen_today,
        reason="投资方董事会推迟决策",
        signed_amount=Decimal("48000"),
    )

    stored = Project.objects.get(pk=project.pk)
    assert result.stage == stored.stage == to
    row = StageChange.objects.get(project=project)
    assert (row.from_stage, row.to_stage, row.reached_on, row.changed_by) == (current, to, frozen_today, officer)
    assert row.is_correction is False
    if to == S.SIGNED:
        assert stored.signed_amount == Decimal("48000")
    if to in (S.ON_HOLD, S.DROPPED):
        assert stored.exit_reason == "投资方董事会推迟决策"


@pytest.mark.parametrize("move", FORBIDDEN, ids=move_id)
def test_a_forbidden_move_is_refused_with_a_message_saying_what_to_do(move, make_project, officer, frozen_today):
    current, to = move
    project = make_project(current)
    before = snapshot(project)
    code, message = expected_refusal(current, to)

    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, to, by=officer, on=frozen_today, reason="理由", signed_amount=Decimal("1"))
    assert caught.value.code == code
    assert str(caught.value) == message

    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, to, by=officer, on=frozen_today, reason="理由", signed_amount=Decimal("1"))
    assert caught.value.code == code
    assert str(caught.value).strip()

    assert snapshot(project) == before
    assert not StageChange.objects.filter(project=project).exists()


@pytest.mark.parametrize("current", list(Stage), ids=lambda s: s.value)
def test_moving_to_the_current_stage_changes_nothing(current, make_project, officer):
    project = make_project(current)
    before = snapshot(project)
    # Not even a date is needed: there is nothing to record.
    result = change(project, current, by=officer, on=None)
    assert result.stage == current
    assert snapshot(project) == before
    assert not StageChange.objects.exists()


def test_skipping_a_stage_names_the_stage_to_go_through_first(make_project, officer, frozen_today):
    project = make_project(S.SIGNED)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.COMPLETED, by=officer, on=frozen_today)
    assert "Construction started" in str(caught.value)


def test_an_unknown_stage_is_refused(make_project, officer, frozen_today):
    project = make_project(S.LEAD)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, "approved", by=officer, on=frozen_today)
    assert str(caught.value) == "Unknown stage: approved."


def test_a_whole_pipeline_walked_step_by_step_leaves_one_row_per_step(make_project, officer, frozen_today):
    project = make_project(S.LEAD)
    start = frozen_today - dt.timedelta(days=100)
    for days, stage in enumerate(PIPELINE_IN_ORDER[1:], start=1):
        project = change(project, stage, by=officer, on=start + dt.timedelta(days=days), signed_amount=Decimal("9"))
    rows = StageChange.objects.filter(project=project).order_by("id")
    assert [(r.from_stage, r.to_stage) for r in rows] == list(
        zip(PIPELINE_IN_ORDER[:-1], PIPELINE_IN_ORDER[1:], strict=True)
    )
    stored = Project.objects.get(pk=project.pk)
    assert stored.stage == S.PRODUCING
    assert stored.producing_on == start + dt.timedelta(days=5)


def test_the_callers_project_follows_the_change(make_project, officer, frozen_today):
    # Calling the service twice with the same instance is the natural way to write a
    # script; the second call must not mistake it for someone else's change.
    project = make_project(S.LEAD)
    change(project, S.NEGOTIATING, by=officer, on=frozen_today)
    assert project.stage == S.NEGOTIATING
    change(project, S.SIGNED, by=officer, on=frozen_today, signed_amount=Decimal("100"))
    assert Project.objects.get(pk=project.pk).stage == S.SIGNED


# --- Side exits -------------------------------------------------------------------------


@pytest.mark.parametrize("exit_stage, words", [(S.ON_HOLD, "put on hold"), (S.DROPPED, "dropped")])
@pytest.mark.parametrize("current", STILL_MOVING, ids=lambda s: s.value)
def test_a_side_exit_without_a_reason_is_refused(current, exit_stage, words, make_project, officer, frozen_today):
    project = make_project(current)
    before = snapshot(project)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, exit_stage, by=officer, on=frozen_today, reason="   ")
    assert caught.value.field == "reason"
    assert str(caught.value) == f"Say why the project is {words}."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, exit_stage, by=officer, on=frozen_today)
    assert str(caught.value).strip()
    assert snapshot(project) == before


def test_putting_on_hold_remembers_where_the_project_was(make_project, officer, frozen_today):
    project = make_project(S.SIGNED)
    change(project, S.ON_HOLD, by=officer, on=frozen_today, reason="土地指标未落实")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason) == (S.ON_HOLD, S.SIGNED, "土地指标未落实")
    assert stored.on_hold_on == frozen_today


@pytest.mark.parametrize("held", STILL_MOVING, ids=lambda s: s.value)
def test_a_project_on_hold_resumes_only_at_the_stage_it_was_held_at(held, make_project, officer, frozen_today):
    project = make_project(S.ON_HOLD, held_stage=held)
    for other in PIPELINE_IN_ORDER:
        if other == held:
            continue
        with translation.override("en"), pytest.raises(DomainError) as caught:
            change(project, other, by=officer, on=frozen_today, signed_amount=Decimal("1"))
        assert str(caught.value) == (
            f"A project on hold resumes at the stage it was held at (“{LABELS_EN[held]}”), or is dropped."
        )
    change(project, held, by=officer, on=frozen_today)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason) == (held, "", "")


def test_resuming_keeps_the_date_the_stage_was_first_reached(make_project, officer, frozen_today):
    # Signed last year, held, resumed this year: it still counts as signed last year.
    project = make_project(S.ON_HOLD, held_stage=S.SIGNED)
    signed_on = project.signed_on
    change(project, S.SIGNED, by=officer, on=frozen_today)
    stored = Project.objects.get(pk=project.pk)
    assert stored.stage == S.SIGNED
    assert stored.signed_on == signed_on
    resumed = StageChange.objects.get(project=project)
    assert (resumed.from_stage, resumed.to_stage, resumed.reached_on) == (S.ON_HOLD, S.SIGNED, frozen_today)


def test_resuming_before_the_project_was_put_on_hold_is_refused(make_project, officer, frozen_today):
    project = make_project(S.ON_HOLD, held_stage=S.NEGOTIATING)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.NEGOTIATING, by=officer, on=project.on_hold_on - dt.timedelta(days=1))
    assert caught.value.code == "date_before_previous"
    assert "On hold" in str(caught.value)


def test_a_project_on_hold_can_be_dropped_and_keeps_where_it_left_the_pipeline(make_project, officer, frozen_today):
    project = make_project(S.ON_HOLD, held_stage=S.STARTED)
    change(project, S.DROPPED, by=officer, on=frozen_today, reason="投资方破产")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason) == (S.DROPPED, S.STARTED, "投资方破产")
    assert stored.dropped_on == frozen_today


# --- Corrections ------------------------------------------------------------------------


def test_an_admin_correction_moves_back_clears_later_dates_and_is_recorded(make_project, admin_user):
    project = make_project(S.STARTED)
    negotiating_on = project.negotiating_on
    result = change(project, S.NEGOTIATING, by=admin_user, on=None, correction=True, note="签约录错了项目")

    stored = Project.objects.get(pk=project.pk)
    assert result.stage == stored.stage == S.NEGOTIATING
    assert stored.negotiating_on == negotiating_on
    assert (stored.signed_on, stored.started_on) == (None, None)
    row = StageChange.objects.get(project=project)
    assert row.is_correction is True
    assert (row.from_stage, row.to_stage, row.changed_by, row.note) == (
        S.STARTED,
        S.NEGOTIATING,
        admin_user,
        "签约录错了项目",
    )
    assert row.reached_on == negotiating_on


def test_after_a_correction_the_project_moves_forward_again_from_the_corrected_stage(
    make_project, admin_user, officer, frozen_today
):
    project = make_project(S.SIGNED)
    change(project, S.NEGOTIATING, by=admin_user, on=None, correction=True, note="未签约")
    change(project, S.SIGNED, by=officer, on=frozen_today)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on) == (S.SIGNED, frozen_today)


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_a_correction_by_anyone_but_an_admin_is_refused(who, make_project, request):
    user = request.getfixturevalue(who)
    project = make_project(S.STARTED)
    before = snapshot(project)
    with translation.override("en"), pytest.raises(NotPermitted) as caught:
        change(project, S.NEGOTIATING, by=user, on=None, correction=True, note="录错了")
    assert str(caught.value) == "Only an admin can move a project back to correct its stage."
    assert snapshot(project) == before
    assert not StageChange.objects.exists()


def test_a_correction_needs_a_note_saying_what_it_puts_right(make_project, admin_user):
    project = make_project(S.SIGNED)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.LEAD, by=admin_user, on=None, correction=True)
    assert str(caught.value) == "Say what the correction puts right."
    assert Project.objects.get(pk=project.pk).stage == S.SIGNED


def test_a_correction_cannot_move_a_project_forward(make_project, admin_user):
    project = make_project(S.NEGOTIATING)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.STARTED, by=admin_user, on=None, correction=True, note="跳过")
    assert caught.value.code == "correction_forward"
    assert Project.objects.get(pk=project.pk).stage == S.NEGOTIATING


def test_a_wrongly_dropped_project_is_brought_back_by_an_admin(make_project, admin_user):
    project = make_project(S.DROPPED, held_stage=S.SIGNED)
    change(project, S.SIGNED, by=admin_user, on=None, correction=True, note="误操作终止")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason, stored.dropped_on) == (S.SIGNED, "", "", None)
    assert StageChange.objects.get(project=project).is_correction is True


def test_a_correction_cannot_take_a_dropped_project_past_where_it_left(make_project, admin_user):
    project = make_project(S.DROPPED, held_stage=S.SIGNED)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.STARTED, by=admin_user, on=None, correction=True, note="误操作")
    assert str(caught.value) == "A correction cannot move the project past “Signed”, where it left the pipeline."
    assert Project.objects.get(pk=project.pk).stage == S.DROPPED


# --- Dates ------------------------------------------------------------------------------


def test_a_stage_reached_tomorrow_is_refused(make_project, officer, frozen_today):
    project = make_project(S.NEGOTIATING)
    before = snapshot(project)
    tomorrow = frozen_today + dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.SIGNED, by=officer, on=tomorrow, signed_amount=Decimal("100"))
    assert caught.value.field == "on"
    assert str(caught.value) == (
        "The date a stage is reached cannot be in the future: 2024-06-16 is after today (2024-06-15)."
    )
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, S.SIGNED, by=officer, on=tomorrow, signed_amount=Decimal("100"))
    assert str(caught.value).strip()
    assert snapshot(project) == before


def test_today_is_the_date_in_shanghai_even_when_utc_is_still_on_yesterday(officer):
    # 01:00 in Shanghai on 15 June is 17:00 UTC on 14 June.
    with time_machine.travel(dt.datetime(2024, 6, 15, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        project = project_in_stage(S.NEGOTIATING, owner=officer)
        change(project, S.SIGNED, by=officer, on=dt.date(2024, 6, 15), signed_amount=Decimal("100"))
    assert Project.objects.get(pk=project.pk).signed_on == dt.date(2024, 6, 15)


def test_tomorrow_in_shanghai_is_refused_late_in_the_evening(officer):
    with time_machine.travel(dt.datetime(2024, 6, 15, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        project = project_in_stage(S.NEGOTIATING, owner=officer)
        with pytest.raises(DomainError) as caught:
            change(project, S.SIGNED, by=officer, on=dt.date(2024, 6, 16), signed_amount=Decimal("100"))
    assert caught.value.code == "date_in_future"


def test_a_stage_cannot_be_reached_before_the_previous_one(make_project, officer, frozen_today):
    project = make_project(S.SIGNED)
    day_before = project.signed_on - dt.timedelta(days=1)
    before = snapshot(project)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.STARTED, by=officer, on=day_before)
    assert caught.value.code == "date_before_previous"
    assert str(caught.value) == (
        f"The project cannot reach “Construction started” on {day_before}: "
        f"it reached “Signed” later, on {project.signed_on}."
    )
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, S.STARTED, by=officer, on=day_before)
    assert str(caught.value).strip()
    assert snapshot(project) == before


def test_start_before_signing_is_refused(make_project, officer, frozen_today):
    project = make_project(S.SIGNED, signed_on=frozen_today - dt.timedelta(days=3))
    with pytest.raises(DomainError):
        change(project, S.STARTED, by=officer, on=frozen_today - dt.timedelta(days=4))
    assert Project.objects.get(pk=project.pk).started_on is None


def test_signed_and_started_on_the_same_day_is_allowed(make_project, officer, frozen_today):
    # The Murata factory: 50亿 yuan, signed and started the same year, completion due in April.
    project = make_project(
        S.NEGOTIATING,
        name="村田电子新工厂项目",
        total_investment=Decimal("500000"),
        negotiating_on=dt.date(2024, 1, 8),
        completed_planned=dt.date(2025, 4, 30),
    )
    day = dt.date(2024, 2, 26)
    change(project, S.SIGNED, by=officer, on=day, signed_amount=Decimal("500000"))
    change(project, S.STARTED, by=officer, on=day)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on, stored.started_on) == (S.STARTED, day, day)
    assert stored.signed_amount == Decimal("500000")


def test_a_stage_needs_a_date(make_project, officer):
    project = make_project(S.LEAD)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.NEGOTIATING, by=officer, on=None)
    assert caught.value.code == "date_required"
    assert str(caught.value) == "Enter the date on which the project reached “Under negotiation”."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, S.NEGOTIATING, by=officer, on=None)
    assert str(caught.value).strip()
    assert Project.objects.get(pk=project.pk).stage == S.LEAD


@pytest.mark.parametrize("amount", [None, Decimal("0"), Decimal("-5")])
def test_signing_without_a_signed_amount_is_refused(amount, make_project, officer, frozen_today):
    project = make_project(S.NEGOTIATING)
    before = snapshot(project)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        change(project, S.SIGNED, by=officer, on=frozen_today, signed_amount=amount)
    assert caught.value.field == "signed_amount"
    assert str(caught.value) == "To record the signing, enter the signed amount (10k yuan) and the signing date."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        change(project, S.SIGNED, by=officer, on=frozen_today, signed_amount=amount)
    assert str(caught.value).strip()
    assert snapshot(project) == before


def test_the_signed_amount_given_when_signing_is_stored(make_project, officer, frozen_today):
    project = make_project(S.NEGOTIATING)
    change(project, S.SIGNED, by=officer, on=frozen_today, signed_amount=Decimal("123456.78"))
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on, stored.signed_amount) == (S.SIGNED, frozen_today, Decimal("123456.78"))


def test_a_signed_amount_entered_earlier_is_enough_to_sign(make_project, officer, frozen_today):
    project = make_project(S.NEGOTIATING, signed_amount=Decimal("30000"))
    change(project, S.SIGNED, by=officer, on=frozen_today)
    assert Project.objects.get(pk=project.pk).signed_amount == Decimal("30000")


def test_the_fixture_dates_leave_room_for_every_move():
    # Guards the tests above: each stage of project_in_stage comes after the previous one.
    days = [STAGE_DAYS_AGO[stage.value] for stage in [*PIPELINE_IN_ORDER, S.ON_HOLD, S.DROPPED]]
    assert days == sorted(days, reverse=True)
