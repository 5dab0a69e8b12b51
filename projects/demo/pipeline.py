"""The pipeline of the demo zone: projects above and below 1亿 at every stage,
moved stage by stage through projects.services, with planned and actual dates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from core.models import User
from crm.models import Industry, Organisation, Visit
from projects.demo.data import (
    BONDED_ZONE,
    CLUSTERS,
    CN,
    DROP_REASONS,
    EU,
    EXHIBITIONS,
    GAPS,
    HM,
    HOLD_REASONS,
    INQUIRIES,
    JK,
    LOST_TO,
    MAJOR_PROJECTS,
    PROGRESS,
    PROGRESS_VISITS,
    RECENT,
    REPLAN_REASONS,
    RESIDENT_OFFICES,
    RESUME_GAP,
    STAGE_COUNTS_LARGE,
    STAGE_COUNTS_SMALL,
)
from projects.demo.zone import Zone, aware, team_of
from projects.models import PIPELINE, PLANNED_STAGES, Project, Replan, Stage, StageChange, planned_field
from projects.services import project_change_stage, project_replan, project_save
from projects.tiers import REPORTING_THRESHOLD

S, K, V = Stage, Organisation.Kind, Visit.Intention


@dataclass
class Slot:
    """A project to build: its final stage and amount, decided before its investor."""

    stage: Stage
    amount: Decimal
    held: Stage | None = None  # the pipeline stage an on-hold or dropped project left from
    team: str | None = None
    owner: User | None = None
    confidential: bool = False
    major: bool = False
    special: str = ""
    resumes: bool = False  # was on hold once, then went on
    dates: dict[Stage, dt.date] = field(default_factory=dict)


class Pipeline:
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.rng = zone.rng
        self.today = zone.today
        self.projects_of: Counter = Counter()
        self.lost_count = 0  # dropped projects that went to another location so far
        self.project_names: set[str] = set()
        self.replan_dates: list[tuple[int, str, dt.datetime]] = []
        # (last history id before a service call, when that call happened in the story)
        self.history_marks: list[tuple[int, dt.datetime]] = []
        self.last_mark: dt.datetime | None = None

    def amount(self, large: bool) -> Decimal:
        """Total investment in 万元: most projects above 1亿 are below 5亿, a few reach 90亿."""
        if not large:
            return Decimal(round(self.rng.uniform(1500, 9500), -2))
        low, high = self.zone.weighted(
            [((10000, 50000), 55), ((50000, 150000), 27), ((150000, 400000), 14), ((400000, 900000), 4)]
        )
        value = self.rng.uniform(low, high)
        return Decimal(round(value, -3 if value >= 100000 else -2))

    def slots(self) -> list[Slot]:
        officer = self.zone.users["officer"]
        # The article's factory: signed in spring and started before summer of one year.
        year = self.today.year if self.today >= dt.date(self.today.year, 6, 1) else self.today.year - 1
        slots = [
            Slot(S.STARTED, Decimal(500000), team=JK, owner=officer, major=True, special="factory",
                 dates={S.SIGNED: dt.date(year, 3, 18), S.STARTED: dt.date(year, 5, 26)}),
            Slot(S.STARTED, Decimal(1200000), team=CN, major=True, special="fab"),
            Slot(S.SIGNED, Decimal(1050000), team=HM, major=True, special="hydrogen",
                 dates={S.SIGNED: self.zone.days_ago(100)}),
            # The demo officer's own pipeline: every stage, two confidential, one late, one due soon.
            Slot(S.LEAD, self.amount(True), team=JK, owner=officer),
            Slot(S.NEGOTIATING, self.amount(True), team=JK, owner=officer, confidential=True, special="due_soon"),
            Slot(S.SIGNED, self.amount(True), team=JK, owner=officer, confidential=True, special="late_start",
                 dates={S.SIGNED: self.zone.days_ago(120)}),
            Slot(S.COMPLETED, self.amount(True), team=JK, owner=officer),
            Slot(S.PRODUCING, self.amount(True), team=JK, owner=officer),
            Slot(S.ON_HOLD, self.amount(True), team=JK, owner=officer, held=S.SIGNED),
            Slot(S.DROPPED, self.amount(True), team=JK, owner=officer, held=S.NEGOTIATING),
        ]  # fmt: skip
        for counts, large in [(STAGE_COUNTS_LARGE, True), (STAGE_COUNTS_SMALL, False)]:
            for stage, count in counts.items():
                taken = sum(1 for s in slots if s.stage == stage) if large else 0
                for _ in range(count - taken):
                    slot = Slot(stage, self.amount(large), confidential=self.rng.random() < 0.12)
                    if stage == S.ON_HOLD:
                        slot.held = self.zone.weighted([(S.NEGOTIATING, 4), (S.SIGNED, 3), (S.STARTED, 2)])
                    elif stage == S.DROPPED:
                        slot.held = self.zone.weighted([(S.LEAD, 2), (S.NEGOTIATING, 4), (S.SIGNED, 1)])
                    elif stage in (S.SIGNED, S.STARTED, S.COMPLETED) and self.rng.random() < 0.1:
                        slot.resumes = True
                    slots.append(slot)
        # Major projects (督办): the biggest of those signed or further along.
        candidates = sorted(
            (s for s in slots if not s.major and s.stage in PIPELINE[2:] and s.amount >= REPORTING_THRESHOLD),
            key=lambda s: -s.amount,
        )
        for slot in candidates[: MAJOR_PROJECTS - sum(s.major for s in slots)]:
            slot.major = True
        return slots

    def path(self, slot: Slot) -> list[tuple[Stage, dt.date]]:
        """The stages a project goes through with their dates, counted back from the last one."""
        rng = self.rng
        furthest = slot.held or slot.stage
        moves: list[Stage] = list(PIPELINE[1 : PIPELINE.index(furthest) + 1])
        if slot.resumes:  # held at some stage once, then resumed there
            at = rng.randrange(len(moves) - 1)
            moves[at + 1 : at + 1] = [S.ON_HOLD, moves[at]]
        if slot.stage == S.ON_HOLD:
            moves.append(S.ON_HOLD)
        elif slot.stage == S.DROPPED:
            moves += [S.ON_HOLD, S.DROPPED] if rng.random() < 0.3 else [S.DROPPED]
        day = slot.dates.get(moves[-1]) if moves else None
        day = day or self.zone.days_ago(rng.randint(0, RECENT[slot.stage]))
        events = []
        for i in range(len(moves) - 1, -1, -1):
            events.append((moves[i], day))
            before = moves[i - 1] if i else S.LEAD
            resuming = before == S.ON_HOLD and moves[i] != S.DROPPED
            gap = RESUME_GAP if resuming else GAPS[moves[i]]
            day = slot.dates.get(before) or day - dt.timedelta(days=rng.randint(*gap))
        events.append((S.LEAD, day))
        return events[::-1]

    def plan(self, slot: Slot, events: list[tuple[Stage, dt.date]]) -> dict[Stage, dt.date]:
        """Planned dates: reached stages mostly on plan, the next ones ahead of the last event."""
        rng = self.rng
        reached = {stage: day for stage, day in events if stage in PIPELINE}
        furthest = max(reached, key=PIPELINE.index)
        last_day = events[-1][1]
        if furthest == S.LEAD:
            if slot.stage == S.LEAD and rng.random() < 0.4:
                return {S.SIGNED: self.zone.days_ahead(rng.randint(30, 240))}
            return {}
        stages = PLANNED_STAGES if furthest != S.NEGOTIATING or slot.major or rng.random() < 0.4 else [S.SIGNED]
        planned: dict[Stage, dt.date] = {}
        previous = None
        for stage in stages:
            if stage in reached:
                on_time = rng.random() < (0.92 if slot.major else 0.75)
                day = reached[stage] + dt.timedelta(days=rng.randint(0, 40) if on_time else -rng.randint(10, 100))
            else:
                day = max(previous or last_day, last_day) + dt.timedelta(days=rng.randint(*GAPS[stage]))
            planned[stage] = max(day, previous) if previous else day
            previous = planned[stage]
        special = {
            "hydrogen": {S.STARTED: self.zone.days_ahead(20)},
            "late_start": {S.STARTED: self.zone.days_ago(40)},
            "due_soon": {S.SIGNED: self.zone.days_ahead(10)},
        }.get(slot.special, {})
        if slot.special == "factory":  # completion planned for April of the next year, as in the article
            special = {S.COMPLETED: dt.date(reached[S.STARTED].year + 1, 4, 20)}
        if slot.special == "late_start":
            special[S.SIGNED] = reached[S.SIGNED]
        planned |= special
        return in_order(planned)

    def first_plan(self, reached: dict[Stage, dt.date], planned: dict[Stage, dt.date]) -> tuple[Stage, dt.date] | None:
        """For a few projects, the earlier plan their start or completion was moved from."""
        stage = self.rng.choice([S.STARTED, S.COMPLETED])
        if stage not in reached or stage not in planned or self.rng.random() >= 0.2:
            return None
        floor = planned.get(PLANNED_STAGES[PLANNED_STAGES.index(stage) - 1], dt.date.min)
        first = max(floor, planned[stage] - dt.timedelta(days=self.rng.randint(30, 90)))
        return (stage, first) if first < planned[stage] else None

    def choose_investor(self, slot: Slot, lead_on: dt.date) -> tuple[Organisation, Visit | None]:
        """The investor, and the visit the lead came from when there was one shortly before."""
        rng = self.rng
        if slot.special in ("factory", "fab"):
            return self.zone.featured[slot.special], None
        if slot.special == "hydrogen":
            return next(o for o in self.zone.organisations if o.name == "海湾绿洲投资公司"), None

        def fits(o: Organisation) -> bool:
            return o.kind in (K.COMPANY, K.INVESTOR) and self.projects_of[o.pk] < 2 and team_of(o) == team

        team = slot.team or self.zone.weighted([(CN, 55), (JK, 18), (EU, 15), (HM, 12)])
        recent = [
            v
            for v in self.zone.visits
            if lead_on - dt.timedelta(days=45) <= v.date <= lead_on
            and v.intention in (V.HIGH, V.MEDIUM)
            and fits(v.organisation)
        ]
        if recent and rng.random() < 0.7:
            visit = rng.choice(recent)
            return visit.organisation, visit
        pool = [o for o in self.zone.organisations if fits(o)]
        return rng.choice([o for o in pool if not self.projects_of[o.pk]] or pool), None

    def build(self) -> None:
        built = [self.build_project(slot) for slot in self.slots()]
        self.add_progress_visits(built)

    def add_progress_visits(self, built: list[tuple[Project, dt.date]]) -> None:
        """Officers keep in touch with the investors of most open projects; a few go quiet."""
        open_projects = [(project, last_day) for project, last_day in built if project.stage in PROGRESS]
        self.rng.shuffle(open_projects)
        for project, last_day in open_projects[:PROGRESS_VISITS]:
            investor = project.investor
            day = max(last_day, self.zone.days_ago(self.rng.randint(0, 55)))
            if project.stage in (S.STARTED, S.COMPLETED):
                kind, where = Visit.Kind.OUTGOING, f"{project.park.name}项目现场"
            elif str(investor.country) == "CN":
                kind, where = Visit.Kind.OUTGOING, investor.city
            else:
                kind, where = Visit.Kind.ONLINE, "视频会议"
            discussed, next_step = self.rng.choice(PROGRESS[project.stage])
            about = (f"跟进{project.name}：{discussed}", next_step)
            self.zone.add_visit(investor, day, kind, [project.owner], where, about=about)

    def build_project(self, slot: Slot) -> tuple[Project, dt.date]:
        rng = self.rng
        events = self.path(slot)
        lead_on = events[0][1]
        investor, visit = self.choose_investor(slot, lead_on)
        self.projects_of[investor.pk] += 1
        country = str(investor.country)
        owner = slot.owner or rng.choice(self.zone.officers[team_of(investor)])
        cluster = self.zone.cluster_of[investor.pk] or self.zone.random_cluster()
        product = rng.choice(CLUSTERS[cluster].products)
        industry = investor.industry
        if industry is None or industry.level == Industry.Level.CLUSTER:
            industry = rng.choice(self.zone.nodes[cluster])
        park = self.zone.parks[rng.choice(CLUSTERS[cluster].parks)]
        kind = Project.Kind.NEW
        if investor.is_in_zone and rng.random() < 0.7:
            kind = Project.Kind.EXPANSION
        elif country != "CN" and rng.random() < 0.15:
            kind = Project.Kind.JOINT_VENTURE
        if slot.special == "factory":
            product, industry = "纳米级陶瓷薄膜电容器新工厂", self.zone.node("新材料", "电子陶瓷")
            park, kind = self.zone.parks[BONDED_ZONE], Project.Kind.NEW
        elif slot.special == "fab":
            product, industry = "12英寸特色工艺晶圆制造", self.zone.node("集成电路", "晶圆制造")
            park, kind = self.zone.parks[BONDED_ZONE], Project.Kind.NEW
        elif slot.special == "hydrogen":
            product, park = "氢能装备与新型储能产业基地", self.zone.parks["未来产业先导区"]
            industry, kind = self.zone.clusters["氢能和新型储能"], Project.Kind.JOINT_VENTURE
        suffix = {Project.Kind.EXPANSION: "增资扩产项目", Project.Kind.JOINT_VENTURE: "合资项目"}.get(kind, "项目")
        name = f"{self.zone.short_name[investor.pk]}{product}{suffix}"
        if name in self.project_names:
            name = name.removesuffix("项目") + "二期项目"
        self.project_names.add(name)
        if country == "CN":
            origin = Project.CapitalOrigin.DOMESTIC
        else:
            origin = Project.CapitalOrigin.HMT if country in ("HK", "MO") else Project.CapitalOrigin.FOREIGN
        amount = slot.amount
        yi = amount / 10000
        project = Project(
            name=name,
            investor=investor,
            industry=industry,
            park=park,
            kind=kind,
            capital_origin=origin,
            description=f"{investor.name}拟在{park.name}投资建设{product}，总投资约{yi:.1f}亿元。",
            total_investment=amount,
            fixed_asset_investment=Decimal(round(float(amount) * rng.uniform(0.5, 0.85), -2)),
            expected_annual_output=Decimal(round(float(amount) * rng.uniform(0.8, 2.0), -2)),
            jobs=max(10, int(float(yi) * rng.randint(15, 60))),
            owner=owner,
            team=owner.team,
            is_major=slot.major,
            is_confidential=slot.confidential,
            lead_on=lead_on,
        )
        if origin != Project.CapitalOrigin.DOMESTIC:
            # Usually the foreign side brings most of the money: reported in 万美元.
            project.foreign_capital_usd = Decimal(round(float(amount) / 7.1 * rng.uniform(0.6, 1.0), -1))
        if visit is not None:
            project.source_visit, project.source_mission = visit, visit.mission
            project.source_kind = Project.SourceKind.MISSION if visit.mission else Project.SourceKind.VISIT
        elif kind == Project.Kind.EXPANSION:
            project.source_kind, project.source_note = Project.SourceKind.EXISTING_INVESTOR, "在区企业增资扩产"
        else:
            self.other_source(project, country)

        reached = {stage: day for stage, day in events if stage in PIPELINE}
        planned = self.plan(slot, events)
        replan = self.first_plan(reached, planned)
        for stage, day in (planned | dict([replan] if replan else [])).items():
            setattr(project, planned_field(stage), day)
        self.last_mark = None
        self.mark_history(aware(lead_on, 9))
        project = project_save(project=project, by=owner)
        for (stage, day), (_previous, previous_day) in zip(events[1:], events, strict=False):
            if replan and stage == replan[0]:
                # Moved a while before the stage was reached, once it was clear the first plan would slip.
                replanned_on = self.zone.between(previous_day, max(previous_day, min(replan[1], day)))
                when = self.mark_history(aware(replanned_on, 12))
                project = project_replan(
                    project=project, stage=stage, new_date=planned[stage], reason=rng.choice(REPLAN_REASONS), by=owner
                )
                self.replan_dates.append((project.pk, stage, when))
                replan = None
            options = {}
            if stage == S.SIGNED:
                options["signed_amount"] = amount
            elif stage == S.ON_HOLD:
                options["reason"] = rng.choice(HOLD_REASONS)
            elif stage == S.DROPPED:
                loss_reason, options["reason"] = rng.choice(DROP_REASONS)
                options["loss_reason"] = loss_reason
                if loss_reason == "other_location":
                    options["lost_to"] = LOST_TO[self.lost_count % len(LOST_TO)]
                    self.lost_count += 1
            self.mark_history(aware(day, 18))
            project = project_change_stage(project=project, to_stage=stage, on=day, by=owner, **options)
        self.zone.stamp(project, aware(lead_on, 9), aware(events[-1][1], 18))
        return project, events[-1][1]

    def mark_history(self, when: dt.datetime) -> dt.datetime:
        """Note that the history rows written from now on belong to the moment `when`
        (kept after the project's previous moment, so its timeline stays in order)."""
        if self.last_mark and when <= self.last_mark:
            when = self.last_mark + dt.timedelta(minutes=1)
        self.last_mark = when
        last = Project.history.aggregate(last=Max("history_id"))["last"] or 0
        self.history_marks.append((last, when))
        return when

    def other_source(self, project: Project, country: str) -> None:
        rng = self.rng
        choices = [
            (Project.SourceKind.CHANNEL, 30),
            (Project.SourceKind.EXHIBITION, 15),
            (Project.SourceKind.INQUIRY, 15),
            (Project.SourceKind.OTHER, 10),
        ]
        if country == "CN":
            choices.append((Project.SourceKind.RESIDENT_OFFICE, 30))
        project.source_kind = source = self.zone.weighted(choices)
        if source == Project.SourceKind.CHANNEL:
            partners = [o for o in self.zone.organisations if o.kind in (K.ASSOCIATION, K.OFFSHORE_CENTRE, K.INVESTOR)]
            # A partner that works the investor's part of the world referred it.
            partners = [o for o in partners if team_of(o) == team_of(project.investor)] or partners
            project.source_note = f"百渠工程：{rng.choice(partners).name}推荐"
        elif source == Project.SourceKind.EXHIBITION:
            project.source_note = rng.choice([expo for expos in EXHIBITIONS.values() for expo, _city, _c in expos])
        elif source == Project.SourceKind.INQUIRY:
            project.source_note = rng.choice(INQUIRIES)
        elif source == Project.SourceKind.RESIDENT_OFFICE:
            project.source_note = rng.choice(RESIDENT_OFFICES)
        else:
            project.source_note = "市投资促进中心转介"

    def apply_timestamps(self) -> None:
        """Date stage changes, re-plans and history rows as they happened, not today.

        The services stamp them with the time of the call; the demo makes two years
        of work in one go, so the dates are set afterwards from the stage dates.
        """
        changes = list(StageChange.objects.all())
        for change in changes:
            change.changed_at = aware(change.reached_on, 18)
        StageChange.objects.bulk_update(changes, ["changed_at"], batch_size=200)
        replans = {(r.project_id, r.stage): r for r in Replan.objects.all()}
        for project_id, stage, when in self.replan_dates:
            replans[(project_id, stage)].changed_at = when
        Replan.objects.bulk_update(list(replans.values()), ["changed_at"], batch_size=200)
        # History rows take the date of the service call that wrote them.
        rows = list(Project.history.order_by("history_id"))
        marks = iter([*self.history_marks[1:], (rows[-1].history_id if rows else 0, None)])
        (_last, when), (boundary, following) = self.history_marks[0], next(marks)
        second = 0  # rows of one call a second apart, in the order they were written
        for row in rows:
            while row.history_id > boundary:
                when, (boundary, following), second = following, next(marks), 0
            row.history_date = min(when + dt.timedelta(seconds=second), timezone.now())
            second += 1
        Project.history.model.objects.bulk_update(rows, ["history_date"], batch_size=200)


def in_order(planned: dict[Stage, dt.date]) -> dict[Stage, dt.date]:
    """Planned dates follow the pipeline: a later stage is never planned before an earlier one."""
    result, previous = {}, None
    for stage in PLANNED_STAGES:
        if stage in planned:
            result[stage] = max(planned[stage], previous) if previous else planned[stage]
            previous = result[stage]
    return result
