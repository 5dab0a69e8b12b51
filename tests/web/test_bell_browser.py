"""The bell with unread notifications on a phone in English: the brand gives way (an
ellipsis) so the bell, its count and the menu button stay on the first row, and the
bell's accessible name says the count it shows."""

from __future__ import annotations

import pytest

from core import notifications
from core.models import User
from tests.web.test_browser import PHONE, _log_in, _screenshot, chromium_page  # noqa: F401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_bell_with_unread_notifications_keeps_the_header_one_row(
    chromium_page,  # noqa: F811
    live_server,
    client,
    officer,
    language,
):
    User.objects.filter(pk=officer.pk).update(language=language)
    notifications.notify(
        [notifications.Message(recipient=officer, key=f"bell:{i}", title=f"提醒{i}") for i in range(23)]
    )
    _log_in(chromium_page, client, live_server, officer)
    page = chromium_page.new_page()
    page.goto(f"{live_server.url}/")
    tops = page.evaluate(
        """() => ['.navbar-brand', '.notification-bell', '.navbar-toggler']
            .map((selector) => Math.round(document.querySelector(selector).getBoundingClientRect().top))"""
    )
    brand, bell, toggler = tops
    assert abs(bell - toggler) <= 4 and abs(brand - bell) <= 12, tops
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    bell_link = page.locator(".notification-bell")
    assert bell_link.inner_text().strip() == "23"
    assert "23" in bell_link.get_attribute("aria-label")
    _screenshot(page, f"bell-unread-375-{language}.png")
