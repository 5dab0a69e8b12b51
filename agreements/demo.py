"""The demo zone's investment agreements: the signed projects get what their investors
promised, and the checks of those signed before this year are due, some met, some not
met and some still without figures, so the project pages, the promise check list and
the supervision reminders show real content.

Called by the demo after its pipeline is built (projects.demo); deterministic: it takes
projects in the order of their signing and varies the figures by position.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.models import Agreement, PromiseCheck
from agreements.services import agreement_save, check_record, document_upload
from core.models import User
from projects.models import SIGNED_OR_LATER, Project, Stage

MAX_AGREEMENTS = 30
RECENT = 10
# Investment intensity (万元/亩) of the demo's agreements, by position.
INTENSITIES = [Decimal(value) for value in ("350", "480", "620", "800", "1200")]
# Actual over promised for the due checks, by position: met, not met, figures missing.
OUTCOMES = [Decimal("1.12"), Decimal("0.68"), None, Decimal("1.03"), Decimal("0.85")]
# A one-page PDF, enough for the signed-document list to have a file to offer.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _writer(project: Project, admin: User | None) -> User:
    owner = project.owner
    if owner.is_active and project.team_id and owner.team_id == project.team_id:
        return owner
    return admin or owner


def build_agreement_demo() -> dict[str, int]:
    today = timezone.localdate()
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    signed = Project.objects.filter(
        stage__in=SIGNED_OR_LATER, signed_on__isnull=False, agreement__isnull=True
    ).select_related("owner", "park")
    # The earliest signed (their promises are due) and the latest (not yet due).
    earliest = list(signed.order_by("signed_on", "pk")[: MAX_AGREEMENTS - RECENT])
    recent = [p for p in signed.order_by("-signed_on", "-pk")[:RECENT] if p not in earliest]
    projects = earliest + recent
    made = due = 0
    for number, project in enumerate(projects):
        by = _writer(project, admin)
        investment = project.fixed_asset_investment or (project.total_investment * Decimal("0.7")).quantize(
            Decimal("0.01")
        )
        intensity = INTENSITIES[number % len(INTENSITIES)]
        land = max((investment / intensity).quantize(Decimal("0.1")), Decimal("5"))
        output = (project.expected_annual_output or project.total_investment * Decimal("1.5")).quantize(Decimal("1"))
        landed = project.stage in (Stage.COMPLETED, Stage.PRODUCING, Stage.STARTED)
        signed_before = project.signed_on.year < today.year
        # Projects signed before this year and built: their promises fell due last year.
        due_year = today.year - 1 if signed_before and landed else max(project.signed_on.year, today.year) + 2
        agreement = agreement_save(
            agreement=Agreement(
                project=project,
                signed_on=project.signed_on,
                land_mu=land,
                park=project.park,
                fixed_asset_investment=investment,
                annual_output=output,
                annual_tax=(output * Decimal("0.06")).quantize(Decimal("1")),
                due_year=due_year,
                jobs=project.jobs or 120 + 40 * (number % 5),
                notes="",
            ),
            by=by,
        )
        made += 1
        if number < 3:
            document_upload(
                agreement=agreement, title="投资协议（签署版）", upload=ContentFile(DEMO_PDF, name="协议.pdf"), by=by
            )
        if due_year >= today.year:
            continue
        due += 1
        outcome = OUTCOMES[due % len(OUTCOMES)]
        if outcome is None:
            continue  # figures missing: the check is late
        on = min(today, dt.date(today.year, 3, 20))
        for check in agreement.checks.order_by("kind"):
            # Investment is usually there; output and tax are where promises fall short.
            ratio = max(outcome, Decimal("1")) if check.kind == PromiseCheck.Kind.INVESTMENT else outcome
            actual = (check.promised * ratio).quantize(Decimal("1"))
            check_record(check=check, actual=actual, on=on, note="", by=by)
    return {"agreements": made, "agreements with promises due": due}
