"""Rule kinds for the promise checks of investment agreements (registered by the
agreements app), and their default rules as data an admin edits afterwards.

Annual figures come in some weeks after the year ends, so a check without figures is
chased from a month after its due date; a promise not met goes to the team's managers
the day its figures are recorded, and to the department's three months later.
"""

from django.db import migrations, models

PROMISE_RULES = [
    # kind, days, level, audience, mail immediately
    ("promise_check_late", 30, "blue", "owner", False),
    ("promise_check_late", 90, "yellow", "team_managers", False),
    ("promise_check_late", 180, "red", "department_managers", True),
    ("promise_not_met", 0, "yellow", "team_managers", False),
    ("promise_not_met", 90, "red", "department_managers", True),
]


def create_promise_rules(apps, schema_editor):
    ReminderRule = apps.get_model("projects", "ReminderRule")
    for kind, days, level, audience, now in PROMISE_RULES:
        ReminderRule.objects.get_or_create(
            kind=kind, days=days, defaults={"level": level, "audience": audience, "mail_immediately": now}
        )


def remove_promise_rules(apps, schema_editor):
    ReminderRule = apps.get_model("projects", "ReminderRule")
    ReminderRule.objects.filter(kind__in=["promise_check_late", "promise_not_met"], reminders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0017_reminder_items"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reminderrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("milestone_coming", "Planned milestone coming"),
                    ("milestone_overdue", "Planned milestone overdue"),
                    ("follow_up_due", "Visit follow-up due"),
                    ("mission_starting", "Mission starting"),
                    ("project_idle", "Project without activity"),
                    ("promise_check_late", "Promise check due, figures missing"),
                    ("promise_not_met", "Promise not met"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(create_promise_rules, remove_promise_rules),
    ]
