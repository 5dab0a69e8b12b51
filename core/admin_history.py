"""A record's history page in words: which field changed, from what to what.

simple_history diffs only editable fields and shows raw values ("None -> 2400.00",
internal choice keys, FK ids). Here every tracked field takes part (the stage and its
dates are not editable but are what a reader looks for), bookkeeping fields are left
out, and values are shown as a reader writes them: choices by their label, related
records by name (in the reader's language), decimals without trailing zeros, dates as
dates, and an empty value as "(empty)".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import ManyToManyField
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from core.i18n import display_name, reads_english

# Fields that change with every save and say nothing about what the user changed.
BOOKKEEPING_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "last_activity_on"})


def format_number(value) -> str:
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=reads_english())


def format_value(field, value) -> str:
    """One side of a change, as a reader would write it."""
    if isinstance(field, ManyToManyField):
        related = get_m2m_reverse_field_name(field)
        names = [display_name(row[related]) if isinstance(row, dict) else display_name(row) for row in value or []]
        return "、".join(names) if names else _("(empty)")
    if value is None or value == "":
        return _("(empty)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | float | int):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return display_name(value)


class HistoryDisplayMixin:
    """For a SimpleHistoryAdmin: the changes column lists every tracked field that changed."""

    object_history_list_template = "admin/record_history_list.html"
    history_skipped_fields: frozenset[str] = BOOKKEEPING_FIELDS

    def changed_fields(self, newer, older) -> list[tuple[str, object, object]]:
        """(field name, old, new) for each tracked field that differs, in the model's order.

        simple_history's diff covers editable fields and many-to-many ones; the
        non-editable ones (stage, its dates, hold reason) are compared here.
        """
        skipped = self.history_skipped_fields
        delta = newer.diff_against(older, foreign_keys_are_objs=True)
        changes = [(c.field, c.old, c.new) for c in delta.changes if c.field not in skipped]
        for field in newer.tracked_fields:
            if field.editable or field.name in skipped:
                continue
            old, new = getattr(older, field.attname, None), getattr(newer, field.attname, None)
            if old != new:
                if field.is_relation:
                    old, new = getattr(older, field.name, None), getattr(newer, field.name, None)
                changes.append((field.name, old, new))
        order = {field.name: i for i, field in enumerate([*self.model._meta.fields, *self.model._meta.many_to_many])}
        return sorted(changes, key=lambda change: order.get(change[0], len(order)))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        newer = None
        for older in historical_records:  # newest first
            if newer is not None:
                newer.history_delta_changes = [self.describe_change(*c) for c in self.changed_fields(newer, older)]
            newer = older

    def describe_change(self, name, old, new) -> dict[str, str]:
        field = self.model._meta.get_field(name)
        return {
            "field": capfirst(str(field.verbose_name)),
            "old": format_value(field, old),
            "new": format_value(field, new),
        }

    def history_version_malformed(self, version_id) -> bool:
        """True for a version id that cannot name a history row ("abc")."""
        try:
            self.model.history.model._meta.pk.to_python(version_id)
        except (ValidationError, ValueError, TypeError):
            return True
        return False
