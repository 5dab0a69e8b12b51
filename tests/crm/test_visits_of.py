import pytest

from crm.selectors import visits_of
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_my_visits_are_those_i_logged_and_those_i_took_part_in(officer, colleague, other_officer):
    logged = VisitFactory(owner=officer)
    joined = VisitFactory(owner=colleague)
    joined.officers.add(officer)
    logged_and_joined = VisitFactory(owner=officer)
    logged_and_joined.officers.add(officer, colleague)
    VisitFactory(owner=other_officer)
    assert set(visits_of(officer)) == {logged, joined, logged_and_joined}
    assert visits_of(officer).count() == 3  # no visit twice
