"""The bell counts at most 100 unread notifications and shows more than 99 as "99+";
the notification list pages without counting the whole inbox."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import notifications
from core.models import Notification


def send(user, n: int, *, start: int = 0) -> None:
    notifications.notify(
        [notifications.Message(recipient=user, key=f"bell:{i}", title=f"提醒{i:03d}") for i in range(start, start + n)]
    )


def bell_figure(client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/notifications/").content.decode()
    start = html.index('class="notification-count">') + len('class="notification-count">')
    return html[start : html.index("</strong>", start)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_more_than_99_unread_show_as_99_plus_in_either_language(client, officer, language):
    client.force_login(officer)
    send(officer, 99)
    assert bell_figure(client, language) == "99"
    send(officer, 51, start=99)
    assert bell_figure(client, language) == "99+"
    assert client.get("/notifications/count").json() == {"unread": 100, "label": "99+"}


def test_the_list_says_more_than_99(client, officer):
    client.force_login(officer)
    send(officer, 120)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "More than 99 unread notifications." in client.get("/notifications/").content.decode()


def test_the_count_reads_at_most_100_rows_and_follows_reading(client, officer, colleague):
    send(officer, 150)
    send(colleague, 3, start=500)
    assert notifications.unread_count(officer) == 100
    assert notifications.unread_count(colleague) == 3
    Notification.objects.filter(recipient=officer).exclude(key__in=["bell:1", "bell:2"]).update(read_at=timezone.now())
    assert notifications.unread_count(officer) == 2
    assert notifications.unread_label(2) == "2" and notifications.unread_label(0) == ""
    with CaptureQueriesContext(connection) as context:
        notifications.unread_count(officer)
    assert "LIMIT 100" in context.captured_queries[0]["sql"]


def test_the_list_pages_without_counting_the_inbox(client, officer):
    client.force_login(officer)

    def page(number: int):
        with CaptureQueriesContext(connection) as context:
            response = client.get("/notifications/", {"page": number})
        return response, len(context.captured_queries)

    send(officer, 60)
    _first, few = page(1)
    send(officer, 100, start=60)
    first, many = page(1)
    assert few == many  # the same queries with 60 or 160 notifications
    titles = [n.title for n in first.context["page"].object_list]
    assert titles == [f"提醒{i:03d}" for i in range(159, 109, -1)]  # newest first (created in order)
    third, _n = page(3)
    assert [n.title for n in third.context["page"].object_list][-1] == "提醒010"
    assert third.context["page"].has_next and third.context["page"].has_previous
    last, _n = page(4)
    assert len(last.context["page"].object_list) == 10 and not last.context["page"].has_next
    assert "Older" not in last.content.decode() and "较旧" not in last.content.decode()
    assert page(9)[0].context["page"].object_list == []  # past the end: an empty page, not an error
    assert page("x")[0].context["page"].number == 1
