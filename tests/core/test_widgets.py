"""Select boxes drawn in Python write the same HTML as Django's templates."""

from __future__ import annotations

import pytest
from django import forms

from core.widgets import quick_selects, render_select
from projects.filters import ProjectFilter
from projects.models import Project
from tests.factories import IndustryFactory, ParkFactory


class Choosy(forms.Form):
    one = forms.ChoiceField(choices=[("", "Any"), ("a", 'A & "B"'), ("b", "<b>")], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("Group", [("y", "Y"), ("z", "Z")])], required=False)
    maybe = forms.NullBooleanField(required=False)


@pytest.mark.parametrize("data", [{}, {"one": "a", "many": ["y", "x"], "maybe": "true"}, {"one": '"><script>'}])
def test_a_select_drawn_in_python_is_the_one_django_draws(data):
    form = Choosy(data or None)
    form.fields["many"].widget.attrs.update({"class": "form-select", "size": 3, "required": True, "disabled": False})
    for field in form:
        django_html = str(field)
        field.field.widget.render = lambda *args, widget=field.field.widget, **kwargs: render_select(
            widget, *args, **kwargs
        )
        assert str(field) == django_html


@pytest.mark.django_db
def test_the_project_filters_are_drawn_the_same(officer):
    IndustryFactory(name="集成电路 & 半导体")
    ParkFactory(name="<高新区>")
    data = {"stage": ["lead", "signed"], "tier": "above_100m", "is_major": "true", "owner": str(officer.pk)}
    plain = ProjectFilter(data, queryset=Project.objects.all()).form
    quick = ProjectFilter(data, queryset=Project.objects.all()).form
    quick_selects(quick)
    assert [str(field) for field in quick] == [str(field) for field in plain]
