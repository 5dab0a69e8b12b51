from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Pipeline projects")

    def ready(self) -> None:
        # Organisation and mission pages show projects without crm importing projects:
        # projects.selectors plugs its queries into crm.selectors' hooks on import, and
        # projects.services follows visits through crm.services' hooks.
        from projects import selectors, services  # noqa: F401
