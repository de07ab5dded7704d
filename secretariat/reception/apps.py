from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "secretariat.reception"
    label = "reception"
    verbose_name = _("Welcome desk")

    def ready(self) -> None:
        # Importing registers the audit codes.
        from secretariat.patients.merging import register_attached
        from secretariat.reception import audit, models  # noqa: F401

        # What the desk recorded about a patient follows them through merges and splits.
        for model in (models.Visit, models.PhoneCall, models.Transmission, models.TriageRecord,
                      models.Incident, models.VitaleReading):
            register_attached(model)

        # Urgent messages to colleagues stand out on every page of the application.
        from secretariat.core.shell_notices import register_notice
        from secretariat.reception.queries_transmissions import urgent_notices

        register_notice(urgent_notices)
