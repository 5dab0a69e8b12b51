"""Two people change the same project's stage at once (the officer on a phone, the
manager at a desk): exactly one change is applied and recorded.

The threaded tests need PostgreSQL's row locks; SQLite serialises whole transactions,
so there they would prove nothing. The stale-view tests below them run anywhere.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.utils import timezone, translation

from core.errors import DomainError
from projects.models import Project, Stage, StageChange
from projects.services import project_change_stage
from tests.factories import project_in_stage

S = Stage


def run_at_once(project_pk: int, moves: list[tuple[Stage, object]]) -> list[object]:
    """Each move in its own thread and connection, released together; returns what each
    call returned or raised."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[object] = [None] * len(moves)

    def run(index: int, to_stage: Stage, user) -> None:
        try:
            # Each caller loads the project before anyone moves it: both see the same stage.
            project = Project.objects.get(pk=project_pk)
            barrier.wait(timeout=10)
            outcomes[index] = project_change_stage(
                project=project,
                to_stage=to_stage,
                on=timezone.localdate(),
                by=user,
                reason="对方推迟投资决策",
                signed_amount=Decimal("48000"),
                loss_reason="strategy" if to_stage == S.DROPPED else "",
            )
        except Exception as error:  # handed to the test thread, which judges it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, to, user)) for i, (to, user) in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a stage change hung"
    return outcomes


@pytest.fixture
def slow_recording():
    """Hold the winner inside its transaction a moment, so the other caller really waits
    on the row lock rather than arriving after the commit."""

    def pause(**kwargs):
        time.sleep(0.3)

    pre_save.connect(pause, sender=StageChange, dispatch_uid="slow_recording")
    yield
    pre_save.disconnect(sender=StageChange, dispatch_uid="slow_recording")


@pytest.mark.postgres_only
def test_the_same_move_made_twice_at_once_is_recorded_once(
    postgres, transactional_db, fast_password_hashing, slow_recording, officer, colleague
):
    project = project_in_stage(S.NEGOTIATING, owner=officer)

    outcomes = run_at_once(project.pk, [(S.SIGNED, officer), (S.SIGNED, colleague)])

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert errors == []
    assert [outcome.stage for outcome in outcomes] == [S.SIGNED, S.SIGNED]
    row = StageChange.objects.get(project=project)
    assert (row.from_stage, row.to_stage) == (S.NEGOTIATING, S.SIGNED)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on) == (S.SIGNED, timezone.localdate())
    assert stored.history.filter(stage=S.SIGNED).count() == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "start, first, second",
    [
        (S.NEGOTIATING, S.SIGNED, S.ON_HOLD),
        (S.NEGOTIATING, S.SIGNED, S.DROPPED),
        (S.COMPLETED, S.PRODUCING, S.ON_HOLD),
    ],
    ids=lambda s: s.value,
)
def test_of_two_different_moves_at_once_exactly_one_wins(
    start, first, second, postgres, transactional_db, fast_password_hashing, slow_recording, officer, colleague
):
    project = project_in_stage(start, owner=officer)

    with translation.override("en"):
        outcomes = run_at_once(project.pk, [(first, officer), (second, colleague)])

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, DomainError)]
    assert unexpected == []
    winners = [o for o in outcomes if isinstance(o, Project)]
    losers = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(winners) == 1 and len(losers) == 1
    winner = winners[0]
    assert str(losers[0]).strip()

    row = StageChange.objects.get(project=project)
    assert (row.from_stage, row.to_stage) == (start, winner.stage)
    stored = Project.objects.get(pk=project.pk)
    assert stored.stage == winner.stage
    loser_stage = second if winner.stage == first else first
    assert stored.actual_date(loser_stage) is None


# --- A stale view, without threads --------------------------------------------------------


@pytest.mark.django_db
def test_a_move_decided_on_a_stale_view_is_refused_with_a_clear_message(fast_password_hashing, officer, colleague):
    project = project_in_stage(S.NEGOTIATING, owner=officer)
    on_phone = Project.objects.get(pk=project.pk)
    at_desk = Project.objects.get(pk=project.pk)
    today = timezone.localdate()

    project_change_stage(project=at_desk, to_stage=S.SIGNED, on=today, by=colleague, signed_amount=Decimal("9"))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_change_stage(project=on_phone, to_stage=S.ON_HOLD, on=today, by=officer, reason="暂缓")
    assert caught.value.code == "stage_changed_meanwhile"
    assert str(caught.value) == (
        "Someone else changed this project's stage meanwhile: it is now “Signed”. Check it and try again."
    )
    assert Project.objects.get(pk=project.pk).stage == S.SIGNED
    assert StageChange.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_the_same_move_on_a_stale_view_returns_the_project_as_it_is(fast_password_hashing, officer, colleague):
    project = project_in_stage(S.NEGOTIATING, owner=officer)
    on_phone = Project.objects.get(pk=project.pk)
    today = timezone.localdate()
    project_change_stage(project=project, to_stage=S.SIGNED, on=today, by=colleague, signed_amount=Decimal("9"))

    result = project_change_stage(project=on_phone, to_stage=S.SIGNED, on=today, by=officer)
    assert result.stage == on_phone.stage == S.SIGNED
    assert StageChange.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_after_a_refusal_the_caller_sees_the_current_stage_and_may_try_again(fast_password_hashing, officer, colleague):
    project = project_in_stage(S.NEGOTIATING, owner=officer)
    on_phone = Project.objects.get(pk=project.pk)
    today = timezone.localdate()
    project_change_stage(project=project, to_stage=S.SIGNED, on=today, by=colleague, signed_amount=Decimal("9"))
    with pytest.raises(DomainError):
        project_change_stage(project=on_phone, to_stage=S.ON_HOLD, on=today, by=officer, reason="暂缓")

    on_phone = Project.objects.get(pk=project.pk)  # the page is reloaded
    project_change_stage(project=on_phone, to_stage=S.ON_HOLD, on=today, by=officer, reason="暂缓")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage) == (S.ON_HOLD, S.SIGNED)
