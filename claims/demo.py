"""The demo zone's registrations (首谈报备): two organisation groups, each a foreign
parent with a subsidiary in China. The Japan and Korea team registered the first
group; an officer of the Europe team then visits its subsidiary, so the collision
waits on the claims page and both managers have it among their notifications. The second group
was registered by the Europe team, touched by the Japan and Korea team, and the
bureau's director shared it 60/40. Written through the services, as people would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from claims.models import Claim, Collision, Decision
from claims.services import claim_register, collision_decide
from core.models import Notification, User
from crm.credit_code import make_credit_code
from crm.models import Contact, Organisation, Visit
from crm.services import contact_save, organisation_save, visit_save

GROUPS = [
    # parent (name, English, country, city), subsidiary (name, English, city, the first
    # 17 characters of its credit code), a contact at each
    (
        ("株式会社光轮精密", "Korin Precision Co., Ltd.", "JP", "京都"),
        ("光轮精密（中国）投资有限公司", "Korin Precision (China)", "上海", "91310115MA1KRN0A1"),
        ("山本健一", "李文"),
    ),
    (
        ("莱茵费尔斯传感器有限公司", "Rheinfels Sensorik GmbH", "DE", "斯图加特"),
        ("莱茵费尔斯传感器（无锡）有限公司", "Rheinfels Sensors (Wuxi)", "无锡", "91320214MA1RHF0B2"),
        ("Markus Weber", "陈立"),
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def build_claims_demo() -> dict[str, int]:
    jk_officer, eu_officer = _user("officer"), _user("zhoumin")
    director = _user("zhoujianhua")
    if not (jk_officer and eu_officer and director):
        return {}
    today = timezone.localdate()
    made = []
    for (name, name_en, country, city), (sub_name, sub_en, sub_city, code), people in GROUPS:
        owner = jk_officer if country == "JP" else eu_officer
        parent = organisation_save(
            organisation=Organisation(name=name, name_en=name_en, country=country, city=city), by=owner
        )
        subsidiary = organisation_save(
            organisation=Organisation(
                name=sub_name,
                name_en=sub_en,
                country="CN",
                city=sub_city,
                parent=parent,
                credit_code=make_credit_code(code),
            ),
            by=owner,
        )
        for organisation, person in zip((parent, subsidiary), people, strict=True):
            contact_save(contact=Contact(organisation=organisation, name=person, title="总经理"), by=owner)
        made.append((parent, subsidiary))

    (korin, korin_china), (rheinfels, rheinfels_wuxi) = made
    # Group 1: the Japan and Korea team met Korin in Kyoto; the Europe team visits its
    # Shanghai subsidiary without knowing: an open collision.
    claim_register(
        organisation=korin,
        team=jk_officer.team,
        first_contact_on=today - dt.timedelta(days=40),
        by=jk_officer,
        note="京都拜访总部，洽谈华东生产基地选址",
    )
    visit_save(
        visit=Visit(
            organisation=korin,
            date=today - dt.timedelta(days=40),
            summary="京都拜访总部，介绍高新区集成电路配套政策",
            intention=Visit.Intention.MEDIUM,
        ),
        by=jk_officer,
    )
    visit_save(
        visit=Visit(
            organisation=korin_china,
            date=today - dt.timedelta(days=3),
            summary="在上海拜访中国区投资公司，对方关注研发中心用地",
            intention=Visit.Intention.HIGH,
        ),
        by=eu_officer,
    )
    # Group 2: the Europe team registered Rheinfels; the Japan and Korea team met its
    # Wuxi company at an exhibition; the director shared the credit.
    claim_register(
        organisation=rheinfels,
        team=eu_officer.team,
        first_contact_on=today - dt.timedelta(days=90),
        by=eu_officer,
        note="斯图加特展会首谈",
    )
    visit_save(
        visit=Visit(
            organisation=rheinfels_wuxi,
            date=today - dt.timedelta(days=20),
            summary="在无锡展会交流扩产计划",
            intention=Visit.Intention.MEDIUM,
        ),
        by=jk_officer,
    )
    shared = Collision.objects.get(claim__organisation=rheinfels, resolved_at=None)
    collision_decide(
        collision=shared,
        outcome="share",
        holder_share=60,
        other_share=40,
        reason="欧洲组首谈总部，日韩组对接无锡子公司扩产，双方共同跟进",
        by=director,
    )
    _date_the_records(made)
    # Listed on the notification page, read: the header's bell of the demo accounts stays
    # as the rest of the demo leaves it (a count in the bell crowds a 375 px header).
    Notification.objects.filter(key__startswith="claim-collision:").update(read_at=timezone.now())
    return {"organisation groups": len(made), "first-contact registrations": 2, "collisions": 2}


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _date_the_records(made) -> None:
    """As the rest of the demo: records read as made on their day, not this afternoon."""
    ids = [organisation.pk for pair in made for organisation in pair]
    for visit in Visit.objects.filter(organisation_id__in=ids):
        Visit.objects.filter(pk=visit.pk).update(created_at=_at(visit.date), updated_at=_at(visit.date))
    for claim in Claim.objects.filter(organisation_id__in=ids):
        Claim.objects.filter(pk=claim.pk).update(registered_at=_at(claim.first_contact_on))
    for collision in Collision.objects.filter(claim__organisation_id__in=ids):
        Collision.objects.filter(pk=collision.pk).update(first_at=_at(collision.last_on))
        if collision.resolved_at:
            decided = _at(collision.last_on + dt.timedelta(days=2))
            Collision.objects.filter(pk=collision.pk).update(resolved_at=decided)
            Decision.objects.filter(collision=collision).update(decided_at=decided)
