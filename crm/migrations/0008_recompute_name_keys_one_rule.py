"""The name keys again, under the one name rule (Traditional and Japanese forms to
Simplified, more legal forms): only the rows whose key changes are written."""

from django.db import migrations

import crm.names


def recompute_name_keys(apps, schema_editor):
    Organisation = apps.get_model("crm", "Organisation")
    alias = schema_editor.connection.alias
    key = crm.names.normalise_organisation_name
    rows = (
        Organisation.objects.using(alias).order_by("pk").values_list("pk", "name", "name_en", "name_key", "name_en_key")
    )
    changed = []
    for pk, name, name_en, name_key, name_en_key in rows.iterator(chunk_size=5000):
        new_key, new_en_key = key(name), key(name_en) if name_en else ""
        if (new_key, new_en_key) != (name_key, name_en_key):
            changed.append(Organisation(pk=pk, name_key=new_key, name_en_key=new_en_key))
        if len(changed) >= 2000:
            Organisation.objects.using(alias).bulk_update(changed, ["name_key", "name_en_key"], batch_size=500)
            changed.clear()
    if changed:
        Organisation.objects.using(alias).bulk_update(changed, ["name_key", "name_en_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0007_visit_indexes_for_one_officer"),
    ]

    operations = [
        migrations.RunPython(recompute_name_keys, migrations.RunPython.noop),
    ]
