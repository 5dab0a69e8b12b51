"""The "problem past its due date" reminder kind (registered by the problems app), and
its default ladder: blue to the officers a day late, yellow to the team's managers a
month late, red to the department's managers (e-mailed at once) three months late.
Rules are data an admin edits afterwards; rules of this kind already there are kept."""

from django.db import migrations, models

DEFAULT_RULES = [
    # days, level, audience, mail immediately
    (1, "blue", "owner", False),
    (30, "yellow", "team_managers", False),
    (90, "red", "department_managers", True),
]


def create_problem_rules(apps, schema_editor):
    ReminderRule = apps.get_model("projects", "ReminderRule")
    if ReminderRule.objects.filter(kind="problem_overdue").exists():
        return
    ReminderRule.objects.bulk_create(
        ReminderRule(kind="problem_overdue", days=days, level=level, audience=audience, mail_immediately=now)
        for days, level, audience, now in DEFAULT_RULES
    )


def remove_problem_rules(apps, schema_editor):
    ReminderRule = apps.get_model("projects", "ReminderRule")
    ReminderRule.objects.filter(kind="problem_overdue", reminders__isnull=True).delete()


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
                    ("problem_overdue", "Problem past its due date"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(create_problem_rules, remove_problem_rules),
    ]
