"""Writing thousands of new rows at once (imports): PostgreSQL's COPY, many times faster
than INSERT statements and than Django preparing a bulk INSERT field by field; elsewhere
(SQLite) bulk_create. Like bulk_create, no signals are sent: the services calling these
write the history themselves."""

from __future__ import annotations

import datetime as dt
import enum

from django.db import connection, models


def _plain(value):
    """A value as the database stores it (a stage, not the Stage member)."""
    return value.value if isinstance(value, enum.Enum) else value


def insert_rows(model: type[models.Model], columns: list[str], rows: list[list]) -> None:
    """Insert rows (values in the order of `columns`, attribute names)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500)
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(quote(field.column) for field in fields)
    # Choices may be given as their enum members (Stage.SIGNED): COPY gets their values.
    choices = [index for index, field in enumerate(fields) if field.choices]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            for index in choices:
                row[index] = _plain(row[index])
            copy.write_row(row)


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids from the table's sequence (PostgreSQL), for rows inserted by COPY."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def create_with_history(records: list[models.Model], *, by, now: dt.datetime) -> None:
    """Insert new records as save() would (each field's pre_save: auto_now, name keys),
    giving them their ids, and one history row each ("+", by `by`, at `now`), as
    simple_history's bulk_create_with_history writes it."""
    if not records:
        return
    model = type(records[0])
    history = model.history.model
    if connection.vendor != "postgresql":
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(records, model, batch_size=500, default_user=by, default_date=now)
        return
    fields = model._meta.concrete_fields
    rows = []
    for record, pk in zip(records, new_ids(model, len(records)), strict=True):
        record.pk = pk
        rows.append([field.get_db_prep_save(field.pre_save(record, True), connection) for field in fields])
    insert_rows(model, [field.attname for field in fields], rows)
    for record in records:
        record._state.adding = False
        record._state.db = connection.alias
    tracked = [history._meta.get_field(field.attname) for field in history.tracked_fields]
    columns = [field.attname for field in tracked]
    columns += ["history_date", "history_type", "history_user_id", "history_change_reason"]
    insert_rows(
        history,
        columns,
        [
            [field.get_db_prep_save(getattr(record, field.attname), connection) for field in tracked]
            + [now, "+", by.pk if by else None, ""]
            for record in records
        ],
    )
