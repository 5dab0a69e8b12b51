"""Factories that build a small, valid zone for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from core.models import Department, Team, User
from crm.credit_code import make_credit_code
from crm.models import Contact, Industry, Mission, Organisation, Park, Visit
from projects.models import PIPELINE, SIDE_EXITS, SIGNED_OR_LATER, Project, Stage, actual_field

PASSWORD = "correct-horse-battery-staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = "投资促进局"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"招商{n}组")
    department = factory.SubFactory(DepartmentFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.OFFICER
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry

    name = factory.Sequence(lambda n: f"产业{n}")


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    name = factory.Sequence(lambda n: f"园区{n}")


def credit_code(n: int) -> str:
    """A valid credit code, different for each n."""
    return make_credit_code(f"91320214MA{n:07d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试科技{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Tech {n} Co., Ltd.")
    credit_code = factory.Sequence(credit_code)
    owner = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("owner.team")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    owner = factory.SelfAttribute("organisation.owner")
    team = factory.SelfAttribute("owner.team")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    title = factory.Sequence(lambda n: f"日韩招商团组{n}")
    region = Mission.Region.JAPAN_KOREA
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    end_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    owner = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("owner.team")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    organisation = factory.SubFactory(OrganisationFactory)
    date = factory.LazyFunction(timezone.localdate)
    summary = "介绍园区政策，对方有扩产意向"
    owner = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("owner.team")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"新工厂项目{n}")
    investor = factory.SubFactory(OrganisationFactory)
    total_investment = Decimal("50000")
    owner = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("owner.team")
    # 400 days ago, or the first stage date given if earlier (dates stay in order).
    lead_on = factory.LazyAttribute(
        lambda p: min(
            [timezone.localdate() - dt.timedelta(days=400)]
            + [day for stage in PIPELINE[1:] if (day := getattr(p, actual_field(stage), None))]
        )
    )
    # A project built at a stage obeys the rules the database checks (projects.rules):
    # on hold or dropped, it has a reason and the stage it left at (the furthest one
    # dated, else negotiation); having signed, it has a signed amount.
    stage = Stage.LEAD
    held_stage = factory.LazyAttribute(lambda p: _left_at(p) if p.stage in SIDE_EXITS else "")
    exit_reason = factory.LazyAttribute(lambda p: "对方暂停投资计划" if p.stage in SIDE_EXITS else "")
    # A dropped project was lost for a reason of the list (projects.models.LossReason).
    loss_reason = factory.LazyAttribute(lambda p: "other" if p.stage == Stage.DROPPED else "")
    signed_amount = factory.LazyAttribute(
        lambda p: (
            (p.total_investment or Decimal("1"))
            if p.stage in SIGNED_OR_LATER or (p.stage in SIDE_EXITS and p.held_stage in SIGNED_OR_LATER)
            else None
        )
    )


def _left_at(project) -> str:
    dated = [stage for stage in PIPELINE[:-1] if getattr(project, actual_field(stage), None)]
    return dated[-1] if dated and dated[-1] != Stage.LEAD else Stage.NEGOTIATING


# Days before today on which project_in_stage says each stage was reached.
STAGE_DAYS_AGO = {
    "lead": 400,
    "negotiating": 300,
    "signed": 200,
    "started": 100,
    "completed": 60,
    "producing": 30,
    "on_hold": 20,
    "dropped": 10,
}


def project_in_stage(stage: str, *, held_stage: str = "negotiating", **kwargs) -> Project:
    """A project that has reached `stage` step by step, with a date for each step.

    For on_hold and dropped, `held_stage` is the pipeline stage it left from; a
    dropped project went there straight from `held_stage`. Built directly, without
    the stage service, so tests of that service do not rely on it for set-up.
    """
    stage = Stage(stage)
    last_pipeline_stage = Stage(held_stage) if stage in SIDE_EXITS else stage
    today = timezone.localdate()
    values: dict = {"stage": stage}
    for step in PIPELINE[: PIPELINE.index(last_pipeline_stage) + 1]:
        values[actual_field(step)] = today - dt.timedelta(days=STAGE_DAYS_AGO[step])
    if stage in SIDE_EXITS:
        values[actual_field(stage)] = today - dt.timedelta(days=STAGE_DAYS_AGO[stage])
        values["held_stage"] = last_pipeline_stage
        values["exit_reason"] = "对方暂停投资计划"
    if PIPELINE.index(last_pipeline_stage) >= PIPELINE.index(Stage.SIGNED):
        values["signed_amount"] = Decimal("50000")
    values.update(kwargs)
    return ProjectFactory(**values)
