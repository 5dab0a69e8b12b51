"""A known zone for the report tests, counted by hand in the comments.

Today is FROZEN_TODAY (15 June 2024, Shanghai). Two teams: 日韩招商组 (the officer
zhang, his colleague li, the manager boss) and 欧洲招商组 (wang). Amounts in 万元;
1亿 = 10,000万.

Signed in 2024 (signed_on):
  P1  zhang  150,000 (15亿, 1B tier)    2024-03-10  major, started 05-01 (planned 04-20)
  P2  li      12,000 (1.2亿, 100M tier) 2024-01-05  major, start planned 05-15 (re-planned
                                                     from 03-01), not started: 31 days late
  P3  wang 1,200,000 (120亿, 10B tier)  2024-02-01
  P4  wang   300,000 (30亿), CONFIDENTIAL 2024-04-01  (from the European mission)
  P5  zhang    5,000 (0.5亿, below)     2024-06-01
  P7  zhang   80,000 (8亿)              2024-02-10, dropped 05-01
  P8  li      30,000 (3亿)              2024-03-01, on hold 05-20
Not signed in 2024: P6 (signed 2023-12-31), P9 (a lead of 2024-02-02, from the
Japan-Korea mission), P10 (major, completed 2024-03-30, planned 03-31), P11 (wang,
confidential, signing planned 2024-01-01 and not signed: 166 days late, red).

So for a manager: 7 signed in 2024 with 177.7亿; the review's new projects leave the
dropped P7 out: 6 projects, of which 5 of 1亿 or more with 169.2亿, one of 100亿 or more.
An officer of the first team does not see P4 nor P11.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from crm.models import Mission, Qualification
from projects.models import Replan, Stage
from tests.factories import MissionFactory, OrganisationFactory, ProjectFactory, VisitFactory

D = dt.date


@dataclass
class Zone:
    projects: dict
    missions: dict
    visits: dict


@pytest.fixture
def zone(frozen_today, officer, colleague, other_officer, manager, reminder_rules):
    investor = OrganisationFactory(owner=officer, name="村田电子（无锡）有限公司")
    p2_investor = OrganisationFactory(owner=colleague, name="盛景微电子有限公司")
    japan = MissionFactory(
        owner=officer,
        title="日韩专题招商",
        region=Mission.Region.JAPAN_KOREA,
        start_date=D(2024, 3, 1),
        end_date=D(2024, 3, 5),
    )
    europe = MissionFactory(
        owner=other_officer,
        title="德国专题招商",
        region=Mission.Region.EUROPE,
        start_date=D(2024, 4, 10),
        end_date=D(2024, 4, 15),
    )
    old_mission = MissionFactory(
        owner=officer,
        title="2023年香港招商",
        region=Mission.Region.HK_MACAU,
        start_date=D(2023, 5, 1),
        end_date=D(2023, 5, 3),
    )

    def project(name, owner, amount, stage, **dates):
        return ProjectFactory(
            name=name,
            owner=owner,
            investor=dates.pop("investor", investor),
            total_investment=Decimal(amount),
            stage=stage,
            **dates,
        )

    p = {}
    p["P1"] = project(
        "P1 村田新工厂",
        officer,
        150000,
        Stage.STARTED,
        lead_on=D(2023, 11, 1),
        signed_on=D(2024, 3, 10),
        started_on=D(2024, 5, 1),
        started_planned=D(2024, 4, 20),
        completed_planned=D(2024, 12, 31),
        is_major=True,
        source_kind="mission",
        source_mission=japan,
    )
    p["P2"] = project(
        "P2 传感器产线",
        colleague,
        12000,
        Stage.SIGNED,
        investor=p2_investor,
        lead_on=D(2023, 10, 1),
        signed_on=D(2024, 1, 5),
        started_planned=D(2024, 5, 15),
        is_major=True,
    )
    p["P3"] = project(
        "P3 百亿基地", other_officer, 1200000, Stage.SIGNED, lead_on=D(2023, 12, 1), signed_on=D(2024, 2, 1)
    )
    p["P4"] = project(
        "P4 绝密项目",
        other_officer,
        300000,
        Stage.SIGNED,
        lead_on=D(2024, 1, 10),
        signed_on=D(2024, 4, 1),
        is_confidential=True,
        source_kind="mission",
        source_mission=europe,
    )
    p["P5"] = project(
        "P5 小项目",
        officer,
        5000,
        Stage.SIGNED,
        lead_on=D(2024, 2, 1),
        negotiating_on=D(2024, 3, 1),
        signed_on=D(2024, 6, 1),
    )
    p["P6"] = project("P6 去年底签约", officer, 20000, Stage.SIGNED, lead_on=D(2023, 6, 1), signed_on=D(2023, 12, 31))
    p["P7"] = project(
        "P7 已终止",
        officer,
        80000,
        Stage.DROPPED,
        lead_on=D(2023, 9, 1),
        signed_on=D(2024, 2, 10),
        dropped_on=D(2024, 5, 1),
        held_stage=Stage.SIGNED,
    )
    p["P8"] = project(
        "P8 暂缓",
        colleague,
        30000,
        Stage.ON_HOLD,
        lead_on=D(2024, 1, 15),
        signed_on=D(2024, 3, 1),
        on_hold_on=D(2024, 5, 20),
        held_stage=Stage.SIGNED,
    )
    p["P9"] = project(
        "P9 线索", officer, 10000, Stage.LEAD, lead_on=D(2024, 2, 2), source_kind="mission", source_mission=japan
    )
    p["P10"] = project(
        "P10 已竣工",
        officer,
        200000,
        Stage.COMPLETED,
        lead_on=D(2023, 1, 1),
        signed_on=D(2023, 6, 1),
        started_on=D(2023, 9, 1),
        completed_on=D(2024, 3, 30),
        completed_planned=D(2024, 3, 31),
        is_major=True,
    )
    p["P11"] = project(
        "P11 绝密逾期",
        other_officer,
        50000,
        Stage.NEGOTIATING,
        lead_on=D(2023, 5, 1),
        negotiating_on=D(2023, 8, 1),
        signed_planned=D(2024, 1, 1),
        is_confidential=True,
    )
    Replan.objects.create(
        project=p["P2"],
        stage=Stage.STARTED,
        old_date=D(2024, 3, 1),
        new_date=D(2024, 5, 15),
        reason="土地指标延后",
        changed_by=colleague,
    )

    org_a, org_b = OrganisationFactory(owner=officer), OrganisationFactory(owner=officer)
    v = {}
    v["V1"] = VisitFactory(
        owner=officer,
        organisation=org_a,
        mission=japan,
        date=D(2024, 3, 2),
        follow_up_on=D(2024, 3, 10),
        follow_up_done_on=D(2024, 3, 9),
    )
    v["V2"] = VisitFactory(
        owner=officer,
        organisation=org_a,
        mission=japan,
        date=D(2024, 3, 3),
        follow_up_on=D(2024, 3, 15),
        follow_up_done_on=D(2024, 3, 20),
    )
    v["V3"] = VisitFactory(owner=officer, organisation=org_b, mission=japan, date=D(2024, 3, 4))
    v["V4"] = VisitFactory(owner=other_officer, organisation=org_b, mission=europe, date=D(2024, 4, 11))
    v["V5"] = VisitFactory(owner=colleague, organisation=p2_investor, date=D(2024, 5, 1))
    v["V6"] = VisitFactory(owner=colleague, organisation=p2_investor, date=D(2024, 6, 1))
    v["V7"] = VisitFactory(owner=officer, organisation=org_a, mission=old_mission, date=D(2023, 5, 2))

    for n, in_zone in enumerate([True, True, True, False]):
        org = OrganisationFactory(owner=officer, is_in_zone=in_zone)
        Qualification.objects.create(organisation=org, kind=Qualification.Kind.HIGH_TECH, year=2023)
        if n == 0:
            Qualification.objects.create(organisation=org, kind=Qualification.Kind.LITTLE_GIANT, year=2023)
    return Zone(p, {"japan": japan, "europe": europe, "old": old_mission}, v)
