from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    """The one search box in every page's header and its results page (issue 20)."""

    name = "finder"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"
