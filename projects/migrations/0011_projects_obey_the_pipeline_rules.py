"""Make every stored project obey the rules the next migration adds as CHECK constraints
(projects.rules), so that adding them cannot fail.

The stage service has kept these rules since the beginning; rows that break one were
written past it (an API edit clearing the signed amount, old data, a raw edit). Each
repair is the least invention the row allows, raises the project's version and leaves a
history row saying what was repaired:

- a negative optional amount becomes unknown (empty);
- a project that has signed without a signed amount gets its total investment (the
  best figure the record has); if that is zero too, the migration stops and names it;
- a hold or drop without a reason gets the note of the stage change that recorded it,
  else "（未记录原因）" (reason not recorded);
- a hold or drop without the stage it left the pipeline at gets it from the stage
  change that recorded it, else the furthest stage with a date, else the lead stage;
  a project in the pipeline loses a leftover one;
- where two stage dates are out of order, the earlier stage's date becomes unknown:
  the later one (what reports count) stands.

Only rows that break a rule are read, so on a sound database this is a few queries.
"""

from decimal import Decimal
from itertools import combinations

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone

PIPELINE = ["lead", "negotiating", "signed", "started", "completed", "producing"]
OPEN = PIPELINE[:-1]
EXITS = ["on_hold", "dropped"]
SIGNED_OR_LATER = PIPELINE[2:]
AMOUNTS = ["fixed_asset_investment", "foreign_capital_usd", "signed_amount", "expected_annual_output"]
REASON_NOT_RECORDED = "（未记录原因）"
PAIRS = [*combinations(PIPELINE, 2), *[(stage, "dropped") for stage in [*PIPELINE, "on_hold"]]]


def _out_of_order(earlier: str, later: str) -> Q:
    return Q(**{f"{later}_on__lt": F(f"{earlier}_on")})


def repair(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    History = apps.get_model("projects", "HistoricalProject")
    StageChange = apps.get_model("projects", "StageChange")
    projects = Project._base_manager
    broken = (
        Q(*[Q(**{f"{name}__lt": 0}) for name in AMOUNTS], _connector=Q.OR)
        | (
            (Q(stage__in=SIGNED_OR_LATER) | Q(stage__in=EXITS, held_stage__in=SIGNED_OR_LATER))
            & (Q(signed_amount__isnull=True) | Q(signed_amount__lte=0))
        )
        | Q(stage__in=EXITS, exit_reason="")
        | (Q(stage__in=EXITS) & ~Q(held_stage__in=OPEN))
        | (~Q(stage__in=EXITS) & ~Q(held_stage=""))
        | Q(*[_out_of_order(a, b) for a, b in PAIRS], _connector=Q.OR)
    )
    tracked = {field.attname for field in History._meta.concrete_fields} - {"history_id"}
    now = timezone.now()
    for project in projects.filter(broken).order_by("pk").iterator():
        repaired = _repair(project, StageChange)
        project.version += 1
        project.save()
        row = {name: getattr(project, name) for name in tracked if hasattr(project, name)}
        row.update(
            history_date=now,
            history_type="~",
            history_user_id=None,
            history_change_reason=("repaired: " + ", ".join(repaired))[:100],
        )
        History.objects.create(**row)


def _repair(project, StageChange) -> list[str]:
    repaired = []
    for name in AMOUNTS:
        value = getattr(project, name)
        if value is not None and value < 0:
            setattr(project, name, None)
            repaired.append(name)
    exits = StageChange.objects.filter(project_id=project.pk, to_stage__in=EXITS).order_by("-changed_at", "-id")
    if project.stage in EXITS:
        if not project.exit_reason.strip():
            note = exits.filter(to_stage=project.stage).exclude(note="").values_list("note", flat=True).first()
            project.exit_reason = (note or REASON_NOT_RECORDED)[:300]
            repaired.append("exit_reason")
        if project.held_stage not in OPEN:
            held = exits.filter(from_stage__in=OPEN).values_list("from_stage", flat=True).first()
            dated = [stage for stage in OPEN if getattr(project, f"{stage}_on")]
            project.held_stage = held or (dated[-1] if dated else "lead")
            repaired.append("held_stage")
    elif project.held_stage:
        project.held_stage = ""
        repaired.append("held_stage")
    signed = project.stage in SIGNED_OR_LATER or (project.stage in EXITS and project.held_stage in SIGNED_OR_LATER)
    if signed and (project.signed_amount is None or project.signed_amount <= 0):
        if not project.total_investment or project.total_investment <= Decimal(0):
            raise RuntimeError(
                f"Project {project.pk} ({project.name}) has signed but has neither a signed amount nor a total "
                "investment: enter its signed amount (e.g. in the Django shell), then migrate again."
            )
        project.signed_amount = project.total_investment
        repaired.append("signed_amount")
    for earlier, later in PAIRS:
        first, then = getattr(project, f"{earlier}_on"), getattr(project, f"{later}_on")
        if first is not None and then is not None and then < first:
            setattr(project, f"{earlier}_on", None)
            repaired.append(f"{earlier}_on")
    return repaired


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_project_last_activity")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop, elidable=True)]
