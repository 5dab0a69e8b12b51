"""Script in a company name (or any text a user typed) is shown as text, on every page
and in admin; no template lets it through as markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, ProjectFactory, VisitFactory

pytestmark = pytest.mark.django_db

EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def evil_records(officer):
    organisation = OrganisationFactory(name=f"村田{EVIL}", name_en=f"Murata {EVIL}", owner=officer)
    ContactFactory(organisation=organisation, name=f"田中{EVIL}")
    mission = MissionFactory(owner=officer, title=f"日本团组{EVIL}")
    visit = VisitFactory(organisation=organisation, owner=officer, mission=mission, summary=f"谈话{EVIL}")
    project = ProjectFactory(investor=organisation, owner=officer, name=f"新工厂{EVIL}")
    return organisation, mission, visit, project


def test_script_in_names_is_shown_as_text_on_every_page(client, officer, admin_user, evil_records):
    organisation, mission, visit, project = evil_records
    officer_pages = [
        reverse("home"),
        reverse("crm:organisation_list"),
        reverse("crm:organisation_list") + "?q=村田",
        reverse("crm:organisation_detail", args=[organisation.pk]),
        reverse("crm:mission_list"),
        reverse("crm:mission_detail", args=[mission.pk]),
        reverse("crm:visit_create"),
        reverse("crm:organisation_autocomplete") + "?q=村田",
        reverse("admin:crm_organisation_changelist"),
        reverse("admin:crm_organisation_change", args=[organisation.pk]),
        reverse("admin:crm_visit_changelist"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_change", args=[project.pk]),
    ]
    client.force_login(officer)
    shown = 0
    for url in officer_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>window.__xss" not in html, url
        assert 'onerror="window.__xss' not in html, url
        shown += "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    # The names do appear (escaped) on the pages, or the test proves nothing.
    assert shown >= 8


def test_script_in_a_search_is_shown_as_text(client, officer):
    client.force_login(officer)
    html = client.get(reverse("crm:organisation_list"), {"q": EVIL}).content.decode()
    assert "<script>window.__xss" not in html


def test_no_template_marks_text_safe_or_turns_escaping_off():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\|\s*safe\b|autoescape\s+off", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_no_template_has_inline_script_or_event_handlers():
    """What the Content-Security-Policy would block anyway: found here, before a browser."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in match.group(0):
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        for match in re.finditer(r"""\son[a-z]+\s*=\s*["']""", text, flags=re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: handler {match.group(0).strip()}")
        if re.search(r"""(href|src)\s*=\s*["']\s*javascript:""", text, flags=re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
        if re.search(r"\bhx-on", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: hx-on (needs eval)")
    assert offenders == []
