"""The default reminder rules (issue 4), and the indexes the reminder sweep reads.

Rules are data an admin edits afterwards; this only seeds an empty table.

The two partial indexes complete the ones Project.Meta already has for construction
start and completion (project_start_due, project_completion_due), so every planned
date the sweep watches is found by an index range scan. They are plain SQL (both
SQLite and PostgreSQL understand it) so that the model state stays as it is; moving
them into Project.Meta.indexes later needs a SeparateDatabaseAndState migration.
"""

from django.db import migrations

DEFAULT_RULES = [
    # kind, days, level, audience, mail immediately
    ("milestone_coming", 7, "notice", "owner", False),
    ("milestone_coming", 1, "notice", "owner", False),
    ("milestone_overdue", 1, "blue", "owner", False),
    ("milestone_overdue", 30, "yellow", "team_managers", False),
    ("milestone_overdue", 90, "red", "department_managers", True),
    ("follow_up_due", 0, "notice", "owner", False),
    ("mission_starting", 3, "notice", "participants", False),
    ("project_idle", 60, "notice", "owner", False),
]


def create_default_rules(apps, schema_editor):
    ReminderRule = apps.get_model("projects", "ReminderRule")
    if ReminderRule.objects.exists():
        return
    ReminderRule.objects.bulk_create(
        ReminderRule(kind=kind, days=days, level=level, audience=audience, mail_immediately=now)
        for kind, days, level, audience, now in DEFAULT_RULES
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_reminders"),
    ]

    operations = [
        migrations.RunPython(create_default_rules, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS project_signing_due ON projects_project (signed_planned) "
            "WHERE signed_on IS NULL",
            "DROP INDEX IF EXISTS project_signing_due",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS project_production_due ON projects_project (producing_planned) "
            "WHERE producing_on IS NULL",
            "DROP INDEX IF EXISTS project_production_due",
        ),
    ]
