from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "secretariat.patients"
    label = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        # Importing registers the audit codes and the global search provider.
        from secretariat.patients import audit, search  # noqa: F401
        from secretariat.patients.merging import register_attached
        from secretariat.patients.models import (
            Address,
            AdministrativeFile,
            AmcCoverage,
            AmoCoverage,
            ContactPerson,
        )

        # Rows that follow their patient through merges and splits.
        for model in (AdministrativeFile, Address, ContactPerson, AmoCoverage, AmcCoverage):
            register_attached(model)
