"""The funds card of the project page and the project's funds page: what each user
sees, recording a month from the form, and queries that do not grow with entries."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import FundsEntry
from tests.factories import project_in_stage
from tests.funds.conftest import MAY, entry
from tests.transfer.conftest import login


def test_the_project_page_shows_funds_against_the_total_investment(client, signed, officer):
    entry(signed, MAY, 100000, kind="loan")
    entry(signed, MAY, 25000)
    login(client, officer)
    page = client.get(f"/projects/{signed.pk}/").content.decode()
    assert 'data-testid="funds-total"' in page
    assert 'data-testid="funds-percent">25.0%' in page  # 12.5亿 of 50亿
    assert 'data-testid="funds-form"' in page


def test_the_card_comes_through_the_side_column_panels_not_a_tag_of_the_projects_template(
    client, signed, officer, settings
):
    entry(signed, MAY, 100)
    login(client, officer)
    page = client.get(f"/projects/{signed.pk}/").content.decode()
    aside = page[page.index("<aside") : page.index("</aside>")]
    assert 'id="funds"' in aside and page.count('id="funds"') == 1
    template = (settings.BASE_DIR / "templates" / "projects" / "project_detail.html").read_text(encoding="utf-8")
    assert "funds" not in template


def test_another_team_sees_the_funds_but_no_form(client, signed, other_officer):
    entry(signed, MAY, 100)
    login(client, other_officer)
    page = client.get(f"/projects/{signed.pk}/").content.decode()
    assert 'data-testid="funds-total"' in page and 'data-testid="funds-form"' not in page
    response = client.post(f"/funds/projects/{signed.pk}/", {"month": "2024-06", "kind": "loan", "amount": "1"})
    assert response.status_code == 403
    assert FundsEntry.objects.count() == 1


def test_a_confidential_projects_funds_page_is_hidden_from_another_team(client, secret, other_officer):
    login(client, other_officer)
    assert client.get(f"/funds/projects/{secret.pk}/").status_code == 404
    saved = entry(secret, MAY, 1)
    assert client.post(f"/funds/entries/{saved.pk}/delete/").status_code == 404


def test_a_lead_has_no_funds_card(client, officer, frozen_today):
    lead = project_in_stage("negotiating", owner=officer)
    login(client, officer)
    assert 'id="funds"' not in client.get(f"/projects/{lead.pk}/").content.decode()


def test_the_form_records_a_month_and_goes_back_to_the_project(client, signed, officer):
    login(client, officer)
    data = {"month": "2024-06", "kind": "paid_in_capital", "amount": "3000", "next": "project"}
    response = client.post(f"/funds/projects/{signed.pk}/", data)
    assert response.status_code == 302 and response["Location"] == f"/projects/{signed.pk}/"
    saved = FundsEntry.objects.get()
    assert (str(saved.month), saved.amount, saved.entered_by) == ("2024-06-01", Decimal(3000), officer)
    # The same month again corrects the figure.
    client.post(f"/funds/projects/{signed.pk}/", {**data, "amount": "3500"})
    assert FundsEntry.objects.get().amount == Decimal(3500)


def test_the_form_shows_a_refusal_and_saves_nothing(client, signed, officer):
    login(client, officer)
    response = client.post(f"/funds/projects/{signed.pk}/", {"month": "2024-09", "kind": "loan", "amount": "1"})
    assert response.status_code == 400
    assert "not begun" in response.content.decode()
    assert not FundsEntry.objects.exists()


def test_the_pages_cost_the_same_queries_for_more_entries(client, signed, officer):
    login(client, officer)
    urls = [f"/projects/{signed.pk}/", f"/funds/projects/{signed.pk}/"]
    entry(signed, MAY, 1)
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    for month in range(1, 5):
        for kind in ("loan", "own_funds", "other"):
            entry(signed, MAY.replace(month=month), month, kind=kind)
    for url, few in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == few, url
