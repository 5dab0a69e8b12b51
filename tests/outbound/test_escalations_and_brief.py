"""What goes to the groups: the escalations each reminder sweep finds (one message per
sweep and channel, confidential projects only in their own team's group) and the
morning brief at each channel's time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from outbound import brief, escalations, services
from outbound.models import OutboundMessage
from projects.models import ReminderRule, StageChange
from projects.tasks import sweep_reminders
from tests.factories import VisitFactory, project_in_stage
from tests.outbound.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reminder_rules")]

DAY = dt.date(2024, 6, 14)


@pytest.fixture
def late_projects(officer, other_officer):
    """Projects whose construction start is late: open (yellow), confidential of the
    officer's team (red), confidential of another team (red)."""
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    with time_machine.travel(at(DAY), tick=False):
        return {
            "open": project_in_stage(
                "signed", owner=officer, name="村田新工厂", started_planned=DAY - dt.timedelta(days=35)
            ),
            "ours": project_in_stage(
                "signed",
                owner=officer,
                name="保密芯片项目",
                is_confidential=True,
                started_planned=DAY - dt.timedelta(days=100),
            ),
            "theirs": project_in_stage(
                "signed",
                owner=other_officer,
                name="欧洲保密电池项目",
                is_confidential=True,
                started_planned=DAY - dt.timedelta(days=120),
            ),
        }


def test_a_sweep_posts_its_escalations_once_to_each_group_that_may_see_them(
    robots, channel_for, late_projects, team, other_team
):
    office = channel_for("wecom", name="招商局群")
    ours = channel_for("dingtalk", name="日韩组群", team=team)
    theirs = channel_for("feishu", name="欧洲组群", team=other_team)

    with time_machine.travel(at(DAY), tick=False):
        sweep_reminders()
        services.deliver_due()
        sweep_reminders()  # a second sweep finds nothing new to post
        escalations.escalations_queue()
        services.deliver_due()

    by_channel = {
        name: list(OutboundMessage.objects.filter(channel__name=name).values_list("text", flat=True))
        for name in ("招商局群", "日韩组群", "欧洲组群")
    }
    assert [len(texts) for texts in by_channel.values()] == [1, 1, 1]
    assert "村田新工厂" in by_channel["招商局群"][0]
    assert "保密" not in by_channel["招商局群"][0]
    assert "村田新工厂" in by_channel["日韩组群"][0] and "保密芯片项目" in by_channel["日韩组群"][0]
    assert "欧洲保密电池项目" not in by_channel["日韩组群"][0]
    assert "欧洲保密电池项目" in by_channel["欧洲组群"][0] and "村田新工厂" not in by_channel["欧洲组群"][0]
    # Red before yellow, each linking back to its project.
    team_text = by_channel["日韩组群"][0]
    assert team_text.index("保密芯片项目") < team_text.index("村田新工厂")
    assert f"/projects/{late_projects['open'].pk}/" in team_text
    assert len(robots.received) == 3 and robots.refused == []
    assert {office.pk, ours.pk, theirs.pk} == set(OutboundMessage.objects.values_list("channel", flat=True))


def test_escalations_are_in_the_channel_language(robots, channel_for, late_projects):
    channel_for("wecom", name="office", language="zh-hans")
    with time_machine.travel(at(DAY), tick=False):
        sweep_reminders()
    text = OutboundMessage.objects.get().text
    assert text.startswith("### 督办 1 项") and "已逾期35天" in text


@pytest.fixture
def brief_world(officer, late_projects):
    with time_machine.travel(at(DAY - dt.timedelta(days=1)), tick=False):
        VisitFactory(owner=officer, organisation__name="无锡芯源半导体")
    coming = project_in_stage("signed", owner=officer, name="新能源电池包项目")
    coming.started_planned = DAY + dt.timedelta(days=3)
    coming.save()
    StageChange.objects.create(
        project=coming,
        from_stage="negotiating",
        to_stage="signed",
        reached_on=DAY - dt.timedelta(days=1),
        changed_by=officer,
    )
    return coming


def test_the_morning_brief_goes_once_a_day_at_the_channel_time(robots, channel_for, brief_world, team):
    channel = channel_for("wecom", team=team, brief_at=dt.time(8, 30))

    with time_machine.travel(at(DAY, 8, 0), tick=False):
        assert brief.briefs_queue() == 0
    with time_machine.travel(at(DAY, 8, 35), tick=False):
        assert brief.briefs_queue() == 1
        assert brief.briefs_queue() == 0
        services.deliver_due()
    with time_machine.travel(at(DAY, 16, 0), tick=False):
        assert brief.briefs_queue() == 0

    (text,) = robots.texts()
    assert "Morning brief 2024-06-14" in text
    assert "Red alert 1" in text and "Yellow warning 1" in text
    assert "保密芯片项目" in text  # the team's own confidential project, in the team's group
    assert "欧洲保密电池项目" not in text
    assert "新能源电池包项目" in text and "06-17" in text  # due this week
    assert "无锡芯源半导体" in text and "Visits: 1" in text
    assert "Stage changes: 1" in text
    assert OutboundMessage.objects.get(channel=channel).kind == "brief"


def test_the_office_brief_leaves_out_confidential_projects(robots, channel_for, brief_world):
    channel_for("feishu", brief_at=dt.time(8, 30))
    with time_machine.travel(at(DAY, 9, 0), tick=False):
        brief.briefs_queue()
        services.deliver_due()
    (text,) = robots.texts()
    assert "保密" not in text and "村田新工厂" in text
