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


@register.simple_tag
def colon() -> str:
    """The colon after a label: full-width in Chinese (会见：王磊), ": " in English."""
    from django.utils.translation import get_language

    return "：" if (get_language() or "").startswith("zh") else ": "
