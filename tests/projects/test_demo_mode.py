import io

import pytest
from django.core.management import CommandError, call_command

from core.models import User


@pytest.mark.django_db
def test_demo_data_is_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="officer").exists()
