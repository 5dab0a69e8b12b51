"""Select boxes drawn in Python.

Django draws a select through a template, and each of its options through another
(with a third for the attributes): the hundred industries of a filter cost tens of
milliseconds on every page that offers them. `render_select` writes the same HTML as
Django's templates, from the widget's own context (choices, selection, attributes).
"""

from __future__ import annotations

import functools

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: forms.Select, name, value, attrs=None, renderer=None) -> SafeString:
    """widget.render() of a Select (or SelectMultiple, NullBooleanSelect), without templates."""
    context = widget.get_context(name, value, attrs)["widget"]
    parts = [f'<select name="{conditional_escape(context["name"])}"{_attrs(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # (the option template ends with a line)
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # nosec B308, B703: every value above is escaped


def quick_selects(form: forms.Form) -> None:
    """Draw the form's select boxes with render_select (filters with long choice lists)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.render = functools.partial(render_select, field.widget)
