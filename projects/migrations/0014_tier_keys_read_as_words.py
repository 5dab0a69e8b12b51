"""Size tier keys that read as words in every parser ("1e8" was a number to a YAML 1.2
reader): the choices change, and the targets' stored keys move with them."""

from django.db import migrations, models

# Frozen here: a migration must not follow later edits of projects.tiers.
OLD_TO_NEW = {"below_1e8": "below_100m", "1e8": "above_100m", "1e9": "above_1b", "1e10": "above_10b"}


def rename(apps, mapping):
    Target = apps.get_model("projects", "Target")
    for old, new in mapping.items():
        Target.objects.filter(min_tier=old).update(min_tier=new)


def forwards(apps, schema_editor):
    rename(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0013_english_only_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="target",
            name="min_tier",
            field=models.CharField(
                blank=True,
                choices=[
                    ("below_100m", "Below 100M yuan"),
                    ("above_100m", "100M yuan and above"),
                    ("above_1b", "1B yuan and above"),
                    ("above_10b", "10B yuan and above"),
                ],
                help_text="For project metrics: count only projects at or above this size tier.",
                max_length=10,
                verbose_name="lowest tier counted",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
