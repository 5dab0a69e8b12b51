"""The demo zone's departments responsible, problems and aftercare visits (服务走访).

Called by the demo after its pipeline is built (projects.demo asks every app's
build_demo); deterministic: records are picked by their order and dates count from
today, so every state, department and colour shows on `make run`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.models import Visit
from problems import services
from problems.models import Department, Problem
from projects.models import Project, Stage

DEPARTMENTS = [
    # name, English name, usual contact
    ("自然资源和规划局", "Natural Resources and Planning Bureau", "用地科 陈科长"),
    ("住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "建管科 刘科长"),
    ("生态环境局", "Ecology and Environment Bureau", "环评科 周科长"),
    ("国网无锡供电公司", "State Grid Wuxi Power Supply Company", "大客户经理 吴经理"),
    ("发展和改革委员会", "Development and Reform Commission", "能评科 孙科长"),
    ("地方金融监督管理局", "Local Financial Supervision Bureau", "融资服务科 郑科长"),
    ("人才工作领导小组办公室", "Talent Office", "人才服务科 王科长"),
    ("行政审批局", "Administrative Approval Bureau", "项目审批科 赵科长"),
]

# title, kind, department index, details
PROBLEMS = [
    ("二期用地指标不足，扩产厂房无法落地", Problem.Kind.LAND, 0, "企业希望年内摘牌二期用地约40亩。"),
    ("厂房施工许可证办理进度慢", Problem.Kind.PERMITS, 1, "消防设计审查意见尚未出具。"),
    ("新增产线环评批复迟迟未下", Problem.Kind.ENVIRONMENT, 2, "涉及VOCs排放总量指标。"),
    ("二期双回路供电增容", Problem.Kind.ENERGY, 3, "需新增10千伏专线一条，容量8000千伏安。"),
    ("项目能评指标紧张", Problem.Kind.ENERGY, 4, "年综合能耗约1.2万吨标煤。"),
    ("设备采购流动资金贷款", Problem.Kind.FINANCE, 5, "希望对接园区产业基金及银行贷款贴息。"),
    ("研发骨干人才公寓和子女入学", Problem.Kind.TALENT, 6, "约30名外籍及外地研发人员。"),
    ("首台套装备政策申报", Problem.Kind.POLICY, 7, "申请省级首台（套）重大装备认定。"),
    ("厂区门前道路及公交线路", Problem.Kind.OTHER, 1, "员工通勤不便，希望增设公交站点。"),
    ("外籍员工工作许可办理", Problem.Kind.TALENT, 7, "两名日籍技术人员的工作许可即将到期。"),
    ("危废处置单位对接", Problem.Kind.ENVIRONMENT, 2, "年产生危废约200吨。"),
    ("土地出让金分期缴纳", Problem.Kind.LAND, 0, "希望按合同约定分两期缴纳。"),
]

# (days ago raised, days from raising to the due date, status, days ago closed)
# Open ones late by 1..29 (blue), 30..89 (yellow) and 90+ (red) days, or not late yet.
SHAPES = [
    (150, 30, Problem.Status.OPEN, None),  # red: 120 days late
    (90, 40, Problem.Status.IN_PROGRESS, None),  # yellow: 50 days late
    (40, 30, Problem.Status.OPEN, None),  # blue: 10 days late
    (10, 45, Problem.Status.IN_PROGRESS, None),  # not late
    (120, 30, Problem.Status.SOLVED, 70),
    (60, 30, Problem.Status.UNSOLVABLE, 20),
    (5, 30, Problem.Status.OPEN, None),
    (200, 60, Problem.Status.SOLVED, 150),
]

RESOLUTIONS = {
    Problem.Status.SOLVED: "经协调会议商定，责任部门已办结，企业确认满意。",
    Problem.Status.UNSOLVABLE: "现行政策不允许，已向企业解释并提出替代方案。",
}

AFTERCARE_SUMMARIES = [
    "走访企业，了解投产后运营情况，企业反映扩产中遇到的问题。",
    "服务走访：产能利用率约八成，企业提出要素保障方面的诉求。",
    "回访企业，听取对营商环境的意见建议。",
]


def _at(day: dt.date) -> dt.datetime:
    """Ten in the morning of `day`, in the zone's time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _entered_on(visit: Visit | None, problem: Problem | None) -> None:
    """Date the records (and their history) the day they would have been entered, as the
    rest of the demo does, rather than the afternoon the demo was built."""
    if visit is not None:
        when = _at(visit.date)
        Visit.objects.filter(pk=visit.pk).update(created_at=when, updated_at=when)
        Visit.history.filter(id=visit.pk).update(history_date=when)
    if problem is not None:
        problem.refresh_from_db()
        raised, closed = _at(problem.raised_on), _at(problem.closed_on) if problem.closed_on else None
        Problem.objects.filter(pk=problem.pk).update(created_at=raised, updated_at=closed or raised)
        rows = list(Problem.history.filter(id=problem.pk).order_by("history_id").values_list("history_id", flat=True))
        Problem.history.filter(history_id=rows[0]).update(history_date=raised)
        if closed is not None:
            Problem.history.filter(history_id__in=rows[1:]).update(history_date=closed)


def build_problem_demo() -> dict[str, int]:
    today = timezone.localdate()
    departments = []
    for name, name_en, contact in DEPARTMENTS:
        department, _created = Department.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "contact": contact}
        )
        departments.append(department)
    landed = Project.objects.filter(
        stage__in=[Stage.PRODUCING, Stage.COMPLETED, Stage.STARTED, Stage.SIGNED],
        team__isnull=False,
        owner__is_active=True,
    ).select_related("owner", "investor")
    half = len(PROBLEMS) // 2
    # Companies in production first (their problems come from aftercare visits), then
    # projects still being built.
    projects = list(landed.filter(stage=Stage.PRODUCING).order_by("pk")[:half])
    projects += list(landed.exclude(stage=Stage.PRODUCING).order_by("pk")[: len(PROBLEMS) - len(projects)])
    if not projects or Problem.objects.exists():
        return {"problems": Problem.objects.count()}
    visits = 0
    for number, (title, kind, department_index, details) in enumerate(PROBLEMS):
        project = projects[number % len(projects)]
        raised_ago, due_after, status, closed_ago = SHAPES[number % len(SHAPES)]
        raised_on = today - dt.timedelta(days=raised_ago)
        department = departments[department_index]
        problem = Problem(
            project=project,
            title=title,
            kind=kind,
            description=details,
            raised_on=raised_on,
            department=department,
            department_contact=department.contact,
            due_on=raised_on + dt.timedelta(days=due_after),
        )
        if project.stage == Stage.PRODUCING and number % 2 == 0:
            # Heard on an aftercare visit to the company: logged with the visit.
            visit = Visit(
                organisation=project.investor,
                date=raised_on,
                location="企业会议室",
                summary=AFTERCARE_SUMMARIES[number % len(AFTERCARE_SUMMARIES)],
                next_step="协调责任部门，两周内反馈",
            )
            visit, problem = services.aftercare_visit_save(visit=visit, by=project.owner, problem=problem)
            visits += 1
        else:
            visit, problem = None, services.problem_save(problem=problem, by=project.owner)
        if status != Problem.Status.OPEN:
            services.problem_change_status(
                problem=problem,
                to_status=status,
                resolution=RESOLUTIONS.get(status, ""),
                on=today - dt.timedelta(days=closed_ago) if closed_ago is not None else None,
                by=project.owner,
            )
        _entered_on(visit, problem)
    # An aftercare visit that raised nothing: most visits to producing companies.
    for number, project in enumerate(landed.filter(stage=Stage.PRODUCING).order_by("pk")[:3]):
        visit = Visit(
            organisation=project.investor,
            date=today - dt.timedelta(days=7 + number * 11),
            location="企业会议室",
            summary="服务走访：企业生产经营正常，暂无诉求。",
        )
        visit, _none = services.aftercare_visit_save(visit=visit, by=project.owner)
        _entered_on(visit, None)
        visits += 1
    return {
        "departments responsible": len(departments),
        "problems": Problem.objects.count(),
        "aftercare visits": visits,
    }
