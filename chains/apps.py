from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "chains"
    verbose_name = _("Industry chains")

    def build_demo(self) -> dict[str, int]:
        """The demo zone's workbench; the demo asks every app that has this method."""
        from chains.demo import build_chain_demo

        return build_chain_demo()
