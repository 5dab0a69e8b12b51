from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("First-contact registration")

    def ready(self) -> None:
        # crm and projects write visits and projects without importing claims: their
        # services ask crm.collisions, which claims.services fills in here.
        from claims import services
        from crm import collisions

        collisions.register(
            peek=services.peek,
            record=services.touches_record,
            holder=services.holder,
            register_url=services.register_url,
            snapshot=services.snapshot,
        )

    def build_demo(self) -> dict[str, int]:
        """The demo zone's registrations; the demo asks every app that has this method."""
        from claims.demo import build_claims_demo

        return build_claims_demo()
