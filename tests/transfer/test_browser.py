"""The import in a real browser (Chromium, headless): upload, answer a near match,
import; the page's own script (static/js/transfer.js) does not get in the way."""

from __future__ import annotations

import pytest
from django.conf import settings

from crm.models import Organisation
from tests.factories import OrganisationFactory
from tests.transfer.conftest import xlsx
from tests.web.test_browser import chromium_page  # noqa: F401 (the fixture)


@pytest.mark.django_db(transaction=True)
def test_an_officer_imports_a_file_and_confirms_a_near_match(live_server, client, officer, chromium_page, tmp_path):  # noqa: F811
    existing = OrganisationFactory(name="华虹半导体有限公司", credit_code="", owner=officer)
    officer.language = "en"
    officer.save()
    client.force_login(officer)
    chromium_page.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    file = tmp_path / "客商.xlsx"
    file.write_bytes(xlsx(["客商名称", "城市"], [["华虹半导体无锡有限公司", "无锡"], ["新洁能科技有限公司", "无锡"]]))
    errors: list[str] = []
    page = chromium_page.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/transfer/import/organisations/")
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"{live_server.url}/transfer/jobs/*/")
    assert "Possible duplicates" in page.content()
    page.locator("select[name=row-2]").select_option(str(existing.pk))
    page.get_by_role("button", name="Import all").click()
    page.get_by_text("2 rows imported.").wait_for()
    assert errors == []
    assert sorted(Organisation.objects.values_list("name", "city")) == [
        ("华虹半导体有限公司", "无锡"),
        ("新洁能科技有限公司", "无锡"),
    ]
