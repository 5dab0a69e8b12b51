from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = _("Problems and asks")

    def ready(self) -> None:
        # The reminder sweep (projects.reminders) learns the problem kind, and the
        # project page, My work and the supervision list learn their problem panels,
        # without projects importing this app.
        from problems import panels, reminders

        reminders.register()
        panels.register()

    def build_demo(self) -> dict[str, int]:
        """The demo zone's departments, problems and aftercare visits."""
        from problems.demo import build_problem_demo

        return build_problem_demo()
