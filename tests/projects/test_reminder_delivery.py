"""Delivering reminders: in the app, by e-mail (morning digest, red at once), the
notification pages, the send_reminders command and the tasks, with the clock moved."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from io import StringIO
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory

from config.celery import app as celery_app
from core import notifications
from core.models import EmailDigest, Notification, User
from projects import reminders, tasks
from projects.models import ReminderRule
from tests.factories import UserFactory, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing", "reminder_rules")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNED = dt.date(2024, 6, 30)
BLUE_DAY = dt.date(2024, 7, 1)
RED_DAY = dt.date(2024, 9, 28)


@contextmanager
def at(day: dt.date, hour: int = 10, minute: int = 0):
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people(officer, manager, other_manager):
    """Everyone has an e-mail address (the factories give none)."""
    for user in (officer, manager, other_manager):
        user.email = f"{user.username}@zone.example.cn"
        user.save()
    return officer, manager, other_manager


@pytest.fixture
def late_project(people):
    officer = people[0]
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    with at(dt.date(2024, 6, 1)):
        return project_in_stage("signed", owner=officer, name="村田新工厂", started_planned=PLANNED)


def mail_at_once(user_ids: list[int]) -> int:
    """What the send_immediate_mail tasks do, one per person."""
    return sum(notifications.send_immediate(user_id) for user_id in user_ids)


def mailed_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- Red: at once, once -------------------------------------------------------------------


def test_a_red_alert_is_mailed_at_once_to_each_person_and_only_once(late_project):
    with at(RED_DAY):
        result = reminders.sweep()
        assert mail_at_once(result.mail_now) == 3
        assert mail_at_once(result.mail_now) == 0
        assert notifications.mail_due().immediate == []
    assert mailed_to() == ["boss@zone.example.cn", "chief@zone.example.cn", "zhang@zone.example.cn"]
    message = mail.outbox[0]
    assert message.subject.startswith("[Red alert] Red alert: 村田新工厂: Construction started is 90 days late")
    assert f"http://127.0.0.1:8000/admin/projects/project/{late_project.pk}/change/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<notification-")
    assert set(Notification.objects.values_list("mail", flat=True)) == {"immediate"}
    assert Notification.objects.filter(emailed_at=None).count() == 0


def test_red_alerts_are_not_repeated_in_the_digest(late_project):
    with at(RED_DAY, 7):
        mail_at_once(reminders.sweep().mail_now)
    with at(RED_DAY, 9):
        assert notifications.mail_due().digest_users == []


def test_a_failed_send_gives_the_mail_back_and_the_retry_sends_it_once(late_project, monkeypatch):
    real_send = EmailMessage.send
    failures = iter([True])

    def flaky_send(self, *args, **kwargs):
        if next(failures, False):
            raise SMTPException("451 try again later")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    with at(RED_DAY):
        people = reminders.sweep().mail_now
        with pytest.raises(SMTPException):
            mail_at_once(people)
        assert Notification.objects.exclude(mail_token=None).count() == 0, "the claim was given back"
        assert mail_at_once(people) == 3
    assert len(mail.outbox) == 3


def test_after_an_outage_each_person_gets_one_mail_listing_every_red_alert(people):
    officer = people[0]
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    with at(dt.date(2024, 1, 1)):
        for n in range(3):
            project_in_stage("signed", owner=officer, name=f"迟到项目{n}", started_planned=dt.date(2024, 2, n + 1))
    with at(RED_DAY):
        assert mail_at_once(reminders.sweep().mail_now) == 9
    assert mailed_to() == ["boss@zone.example.cn", "chief@zone.example.cn", "zhang@zone.example.cn"]
    assert mail.outbox[0].subject == "[Red alert] 3 alerts"
    assert all(f"迟到项目{n}" in mail.outbox[0].body for n in range(3))


def test_mail_claimed_by_a_sender_that_died_is_sent_after_the_claim_timeout(late_project, settings):
    with at(RED_DAY, 10):
        reminders.sweep()
        # A worker claimed the mail and was killed before sending it.
        Notification.objects.update(mail_token=uuid.uuid4(), mail_claimed_at=dt.datetime.now(dt.UTC))
    with at(RED_DAY, 10, 10):
        assert notifications.mail_due().immediate == [], "another sender may still be at it"
    with at(RED_DAY, 10, 16):
        due = notifications.mail_due()
        assert len(due.immediate) == 3
        assert mail_at_once(due.immediate) == 3
        assert mail_at_once(due.immediate) == 0
    assert len(mail.outbox) == 3


# --- The morning digest -------------------------------------------------------------------


def test_the_morning_digest_goes_from_0830_once_a_day(late_project, people):
    officer = people[0]
    with at(BLUE_DAY, 0, 5):
        reminders.sweep()  # the night's sweep finds the blue notice
    with at(BLUE_DAY, 8, 29):
        assert notifications.mail_due().digest_users == []
    with at(BLUE_DAY, 8, 30):
        due = notifications.mail_due()
        assert due.digest_users == [officer.pk]
        assert notifications.send_digest(officer.pk, due.day) == 1
        assert notifications.send_digest(officer.pk, due.day) == 0
        assert notifications.mail_due().digest_users == []
    assert mailed_to() == ["zhang@zone.example.cn"]
    assert mail.outbox[0].subject == "Reminders for 2024-07-01 (1)"
    assert "[Blue notice] Blue notice: 村田新工厂: Construction started is 1 day late" in mail.outbox[0].body
    assert EmailDigest.objects.get().size == 1


def test_what_comes_after_the_days_digest_waits_for_the_next_morning(late_project, people):
    officer, manager, _ = people
    day = dt.date(2024, 7, 30)
    with at(day, 7):
        notifications.notify([notifications.Message(recipient=officer, key="earlier", title="早先的提醒")])
    with at(day, 8, 30):
        assert notifications.send_digest(officer.pk, day) == 1
    with at(day, 11):
        reminders.sweep()  # yellow, to the officer and the manager
        assert notifications.mail_due().digest_users == [manager.pk], "the officer had today's digest"
    with at(day + dt.timedelta(days=1), 8, 30):
        assert notifications.mail_due().digest_users == [officer.pk, manager.pk]


def test_a_digest_missed_while_the_workers_were_down_goes_when_they_are_back(late_project, people):
    officer = people[0]
    with at(BLUE_DAY, 15):  # down from midnight to 3 pm
        reminders.sweep()
        due = notifications.mail_due()
        assert due.digest_users == [officer.pk]
        assert notifications.send_digest(officer.pk, due.day) == 1


def test_a_failed_digest_is_given_back_whole(late_project, people, monkeypatch):
    officer = people[0]
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(SMTPException("down")))
    with at(BLUE_DAY, 9):
        reminders.sweep()
        with pytest.raises(SMTPException):
            notifications.send_digest(officer.pk, BLUE_DAY)
        assert not EmailDigest.objects.exists()
        monkeypatch.undo()
        assert notifications.mail_due().digest_users == [officer.pk]
        assert notifications.send_digest(officer.pk, BLUE_DAY) == 1
    assert len(mail.outbox) == 1


# --- Choosing no e-mail -------------------------------------------------------------------


def test_a_person_who_turned_email_off_gets_notifications_but_no_mail(late_project, people):
    officer, manager, other_manager = people
    notifications.user_set_email_reminders(user=officer, enabled=False)
    with at(RED_DAY):
        result = reminders.sweep()
        mail_at_once(result.mail_now)
    assert mailed_to() == ["boss@zone.example.cn", "chief@zone.example.cn"]
    assert Notification.objects.get(recipient=officer).mail == "none"


def test_turning_email_off_stops_mail_already_waiting(late_project, people):
    officer = people[0]
    with at(BLUE_DAY, 7):
        reminders.sweep()
    notifications.user_set_email_reminders(user=officer, enabled=False)
    with at(BLUE_DAY, 9):
        assert notifications.mail_due().digest_users == []
    assert mail.outbox == []


def test_email_turned_off_elsewhere_is_respected_at_sending_time(late_project, people):
    officer = people[0]
    with at(BLUE_DAY, 7):
        reminders.sweep()
    User.objects.filter(pk=officer.pk).update(email_reminders=False)  # e.g. in admin
    with at(BLUE_DAY, 9):
        assert notifications.send_digest(officer.pk, BLUE_DAY) == 0
    assert mail.outbox == []
    assert Notification.objects.get(recipient=officer).mail == "none"


def test_people_without_an_email_address_get_notifications_only(officer, manager):
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    with at(dt.date(2024, 6, 1)):
        project_in_stage("signed", owner=officer, started_planned=PLANNED)
    with at(RED_DAY):
        assert reminders.sweep().mail_now == []
        assert notifications.mail_due().digest_users == []
    assert Notification.objects.filter(recipient=officer).exists()


# --- The tasks ----------------------------------------------------------------------------


@pytest.fixture
def eager_celery():
    """Tasks run in the test process, as the worker would run them."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


def test_the_sweep_task_sends_red_mail_at_once_and_a_retry_sends_nothing(
    late_project, eager_celery, django_capture_on_commit_callbacks
):
    with at(RED_DAY, 7), django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_reminders.apply().get() == 1
    assert len(mail.outbox) == 3
    with at(RED_DAY, 7, 5), django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_reminders.apply().get() == 0
        assert tasks.send_immediate_mail.apply(args=[late_project.owner_id]).get() == 0
    assert len(mail.outbox) == 3


def test_the_digest_task_at_0830_mails_each_person_once(
    late_project, people, eager_celery, django_capture_on_commit_callbacks
):
    with at(dt.date(2024, 7, 30), 3):
        reminders.sweep()  # yellow: officer and manager
    with at(dt.date(2024, 7, 30), 8, 30):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.send_digests.apply().get() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.send_digests.apply().get() == 0
            tasks.sweep_reminders.apply()
    assert mailed_to() == ["boss@zone.example.cn", "zhang@zone.example.cn"]


def test_the_beat_schedule_has_the_sweep_and_the_digest(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reminder-sweep"]["task"] == "projects.tasks.sweep_reminders"
    assert schedule["reminder-digest"]["schedule"].hour == {8}
    assert schedule["reminder-digest"]["schedule"].minute == {30}
    for name in ("sweep_reminders", "send_digests", "send_immediate_mail", "send_digest"):
        task = getattr(tasks, name)
        assert task.acks_late and task.reject_on_worker_lost
        assert (
            getattr(task, "retry_backoff_max", 0)
            <= 600
            < settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
        )


# --- The command --------------------------------------------------------------------------


def test_send_reminders_prints_what_it_sent_and_a_second_run_sends_nothing(late_project):
    out = StringIO()
    with at(RED_DAY):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "[Red alert] Red alert: 村田新工厂: Construction started is 90 days late (planned for 2024-06-30) -> zhang, boss, chief"
    )
    assert lines[1:] == [
        "1 reminders sent, 3 notifications.",
        "E-mail: 3 at once, 0 digests.",
        "0 reminders sent, 0 notifications.",
        "E-mail: 0 at once, 0 digests.",
    ]
    assert len(mail.outbox) == 3


def test_a_dry_run_shows_what_is_due_and_sends_nothing(late_project):
    out = StringIO()
    with at(RED_DAY):
        call_command("send_reminders", "--dry-run", stdout=out)
    assert "1 reminders due, 3 notifications." in out.getvalue()
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- The pages ----------------------------------------------------------------------------


@pytest.fixture
def inbox_of(officer, colleague):
    """Three notifications for the officer (one read), one for a colleague."""
    for n, user in enumerate([officer, officer, officer, colleague]):
        notifications.notify(
            [
                notifications.Message(
                    recipient=user, key=f"test:{n}", title=f"提醒{n}", url=f"/admin/?n={n}", level="yellow"
                )
            ]
        )
    Notification.objects.filter(key="test:0").update(read_at=dt.datetime.now(dt.UTC))
    return officer


def test_the_list_shows_my_notifications_only_newest_first(client, inbox_of):
    client.force_login(inbox_of)
    page = client.get("/notifications/")
    assert page.status_code == 200
    titles = [n.title for n in page.context["page"].object_list]
    assert titles == ["提醒2", "提醒1", "提醒0"]
    assert page.context["unread_count"] == 2
    assert "提醒3" not in page.content.decode()
    assert [n.title for n in client.get("/notifications/?unread=1").context["page"].object_list] == ["提醒2", "提醒1"]


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, inbox_of):
    client.force_login(inbox_of)
    notification = Notification.objects.get(key="test:1", recipient=inbox_of)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == "/admin/?n=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found(client, inbox_of, colleague):
    client.force_login(colleague)
    mine = Notification.objects.get(key="test:1", recipient=inbox_of)
    assert client.get(f"/notifications/{mine.pk}/").status_code == 404
    client.post("/notifications/read", {"id": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_marking_one_and_then_all_read(client, inbox_of):
    client.force_login(inbox_of)
    one = Notification.objects.get(key="test:1", recipient=inbox_of)
    response = client.post("/notifications/read", {"id": [one.pk]}, headers={"accept": "application/json"})
    assert response.json() == {"marked": 1, "unread": 1, "label": "1"}
    assert client.post("/notifications/read").status_code == 302
    assert client.get("/notifications/count").json() == {"unread": 0, "label": ""}


def test_the_bell_counts_unread_notifications(client, inbox_of):
    assert client.get("/notifications/count").status_code == 401
    client.force_login(inbox_of)
    assert client.get("/notifications/count").json() == {"unread": 2, "label": "2"}
    request = RequestFactory().get("/")
    request.user = inbox_of
    from core.notification_views import bell

    html = Template('{% include "core/includes/notification_bell.html" %}').render(
        Context({"user": inbox_of, **bell(request)})
    )
    assert 'href="/notifications/"' in html and ">2</strong>" in html


def test_each_person_can_turn_email_off_and_on(client, officer):
    client.force_login(officer)
    client.post("/notifications/email", {})
    officer.refresh_from_db()
    assert officer.email_reminders is False
    client.post("/notifications/email", {"email_reminders": "on"})
    officer.refresh_from_db()
    assert officer.email_reminders is True


def test_the_pages_need_a_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read").status_code == 302


def test_the_same_notification_is_created_once(officer):
    message = notifications.Message(recipient=officer, key="reminder:1", title="一次", mail_now=True)
    notifications.notify([message])
    notifications.notify([message])
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_a_new_user_gets_email_reminders_unless_they_turn_them_off():
    assert UserFactory().email_reminders is True


# --- Admin pages (projects.admin_reminders and core.admin_notifications) -------------------


def test_an_admin_edits_the_reminder_rules_and_reads_what_was_sent(client, admin_user, late_project):
    from projects.admin_reminders import overdue_level_column

    with at(RED_DAY):
        reminders.sweep()
        assert "Red alert" in overdue_level_column(late_project)
    client.force_login(admin_user)
    assert client.get("/admin/projects/reminderrule/").status_code == 200
    red = ReminderRule.objects.get(kind="milestone_overdue", level="red")
    page = client.get(f"/admin/projects/reminderrule/{red.pk}/change/")
    assert page.status_code == 200
    form = {"kind": red.kind, "days": 60, "level": red.level, "audience": red.audience, "is_active": "on"}
    assert client.post(f"/admin/projects/reminderrule/{red.pk}/change/", form).status_code == 302
    red.refresh_from_db()
    assert red.days == 60 and red.mail_immediately is False
    refused = client.post(
        "/admin/projects/reminderrule/add/",
        {"kind": "mission_starting", "days": 5, "level": "notice", "audience": "owner"},
    )
    assert refused.status_code == 200 and "participants" in refused.content.decode()
    assert client.get("/admin/projects/reminder/").status_code == 200
    assert client.get("/admin/core/notification/").status_code == 200
    assert client.get("/admin/core/emaildigest/").status_code == 200


def test_managers_read_the_reminders_sent_and_officers_do_not(client, late_project, manager, officer):
    with at(RED_DAY):
        reminders.sweep()
    client.force_login(manager)
    page = client.get("/admin/projects/reminder/")
    assert page.status_code == 200 and "村田新工厂" in page.content.decode()
    assert client.get("/admin/projects/reminderrule/").status_code == 403
    client.force_login(officer)
    assert client.get("/admin/projects/reminder/").status_code == 403
    assert client.get("/admin/core/notification/").status_code == 403
