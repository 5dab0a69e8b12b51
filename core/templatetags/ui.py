"""Small helpers for the page templates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ level_class|get_item:project.overdue_level }}"""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def alert_level(value) -> str:
    """The label of an AlertLevel value ("red" -> 红色警报 / Red alert)."""
    from core.models import AlertLevel

    try:
        return AlertLevel(value).label
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def idempotency_field(context):
    """The hidden token that makes a create form's POST count once (core.idempotency)."""
    from django.utils.html import format_html

    from core import idempotency

    request = context["request"]
    return format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FORM_FIELD, idempotency.form_token(request)
    )


@register.filter(name="display_name")
def display_name_filter(obj) -> str:
    """{{ project.industry|display_name }}: the name in the reader's language (core.i18n)."""
    from core.i18n import display_name

    return display_name(obj)


@register.simple_tag
def colon() -> str:
    """The colon after a label: full-width in Chinese (会见：王磊), ": " in English."""
    from django.utils.translation import get_language

    return "：" if (get_language() or "").startswith("zh") else ": "
