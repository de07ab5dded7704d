from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "secretariat.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        # Importing registers the audit codes.
        from secretariat.agenda import (
            audit,  # noqa: F401
            audit_feeds,  # noqa: F401
            audit_messages,  # noqa: F401
            audit_online,  # noqa: F401
            audit_waiting,  # noqa: F401
            models,
        )
        from secretariat.agenda.pathway import patient_section
        from secretariat.patients.merging import register_attached
        from secretariat.patients.sections import register_section

        # Appointments and everything booked for a patient follow them through merges and splits.
        for model in (models.Appointment, models.AppointmentSeries, models.ExternalAppointment,
                      models.WaitingListEntry):
            register_attached(model)
        register_section("agenda/_patient_section.html", patient_section)
