from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "secretariat.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        # Importing registers the audit codes.
        from secretariat.agenda import audit  # noqa: F401
        from secretariat.agenda.models import Appointment
        from secretariat.patients.merging import register_attached

        # Appointments follow their patient through merges and splits.
        register_attached(Appointment)
