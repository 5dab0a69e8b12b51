"""The one search box (issue 20): organisations keep a list of other names (aliases,
former names), and organisations and contacts a search key (crm.search: the folded names
and their pinyin). The keys of the stored rows are written in batches of 2,000, read in
the order of the primary key (300,000 organisations at scale 1: under a minute), then
PostgreSQL indexes them: one index build, not one update per row."""

from django.db import migrations, models

import crm.search

BATCH = 2000

# The fragments' index over the organisations' search key replaces the one over their
# names and code (migration 0005's functions are kept: the new index uses them).
CREATE_INDEXES = """
CREATE INDEX IF NOT EXISTS organisation_search_key_grams ON crm_organisation
    USING gin (crm_organisation_grams(search_key, '', ''));
CREATE INDEX IF NOT EXISTS contact_search_key_grams ON crm_contact
    USING gin (crm_organisation_grams(search_key, '', ''));
DROP INDEX IF EXISTS organisation_search_grams;
ANALYZE crm_organisation;
ANALYZE crm_contact;
"""

DROP_INDEXES = """
CREATE INDEX IF NOT EXISTS organisation_search_grams ON crm_organisation
    USING gin (crm_organisation_grams(name, name_en, credit_code));
DROP INDEX IF EXISTS organisation_search_key_grams;
DROP INDEX IF EXISTS contact_search_key_grams;
"""


def _fill(model, sources: tuple[str, ...], connection) -> None:
    table = model._meta.db_table
    rows = model.objects.using(connection.alias).order_by("pk").values_list("pk", *sources)
    batch: list[tuple[int, str]] = []

    def write() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} t SET search_key = v.search_key"
                    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, search_key) WHERE t.id = v.id",
                    [[pk for pk, _key in batch], [key for _pk, key in batch]],
                )
        else:
            model.objects.using(connection.alias).bulk_update(
                [model(pk=pk, search_key=key) for pk, key in batch], ["search_key"], batch_size=500
            )
        batch.clear()

    for pk, *values in rows.iterator(chunk_size=BATCH):
        batch.append((pk, crm.search.search_key(*values)))
        if len(batch) >= BATCH:
            write()
    if batch:
        write()


def fill_search_keys(apps, schema_editor):
    connection = schema_editor.connection
    _fill(apps.get_model("crm", "Organisation"), ("name", "name_en", "aliases", "credit_code"), connection)
    _fill(apps.get_model("crm", "Contact"), ("name", "name_en"), connection)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEXES)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0010_seed_exchange_rates"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_key",
            field=crm.search.SearchKeyField(default="", sources=("name", "name_en")),
        ),
        migrations.AddField(
            model_name="historicalorganisation",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Former names, short names and brands it is known by, one a line.",
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Former names, short names and brands it is known by, one a line.",
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="search_key",
            field=crm.search.SearchKeyField(default="", sources=("name", "name_en", "aliases", "credit_code")),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
