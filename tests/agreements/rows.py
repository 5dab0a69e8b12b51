"""One of each record of the agreements app, for tests that walk every admin page."""

from __future__ import annotations

from django.core.files.base import ContentFile

from agreements.models import AgreementDocument
from agreements.services import check_record
from tests.agreements.helpers import make_agreement, signed_project


def add_agreement_rows(owner) -> None:
    """A producing project's agreement with its checks (one with figures) and a document."""
    agreement = make_agreement(signed_project(owner), owner)
    check = agreement.checks.order_by("kind").first()
    check_record(check=check, actual=check.promised, by=owner)
    document = AgreementDocument(
        agreement=agreement, title="投资协议", original_name="a.pdf", file_type="pdf", size=9, uploaded_by=owner
    )
    document.file.save("a.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    document.save()
