from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboundConfig(AppConfig):
    """Group robots (WeCom, DingTalk, Feishu, a plain JSON webhook) and calendar feeds:
    reminders and the morning brief reach people where they already work."""

    name = "outbound"
    verbose_name = _("Group robots and calendars")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outbound import escalations, problem_dates
        from projects.reminder_items import after_sweep

        after_sweep(escalations.after_sweep)
        # Open problems' due dates in the calendar feed, the overdue ones in the brief.
        problem_dates.register()

    def build_demo(self) -> dict[str, int]:
        """The demo's robots and calendar addresses; the demo asks every app that has this."""
        from outbound.demo import build_outbound_demo

        return build_outbound_demo()
