from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Funds in place")

    def ready(self) -> None:
        # Targets on funds in place and foreign capital: projects counts them through
        # the functions this app registers (projects cannot import funds).
        # The dashboard and the review's paragraph show what landed, the same way.
        # Its card shows in the project page's side column through the panels.
        from funds import panels
        from funds.report import foreign_capital_counter, funds_in_place_counter, landed_figures
        from projects.models import Target
        from projects.reports import landed
        from projects.reports.selectors.targets import register_metric

        register_metric(Target.Metric.FUNDS_IN_PLACE, funds_in_place_counter)
        register_metric(Target.Metric.FOREIGN_CAPITAL_USED, foreign_capital_counter)
        landed.register(landed_figures)
        panels.register()

    def build_demo(self) -> dict[str, int]:
        """The demo zone's funds entries; the demo asks every app that has this method."""
        from funds.demo import build_funds_demo

        return build_funds_demo()
