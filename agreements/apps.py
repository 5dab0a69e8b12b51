from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Investment agreements")

    def ready(self) -> None:
        # The promise checks' reminders go through the one sweep of projects.reminders,
        # and the agreement shows on the project's page, the missed checks on My work and
        # the supervision list, through their panels.
        from agreements import panels, reminders

        reminders.register_kinds()
        panels.register()

    def build_demo(self) -> dict[str, int]:
        """The demo zone's agreements; the demo asks every app that has this method."""
        from agreements.demo import build_agreement_demo

        return build_agreement_demo()
