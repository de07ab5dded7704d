from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "secretariat.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Importing registers the audit codes, the login signal receivers and the task hooks.
        from secretariat.core import audit, signals, tasks  # noqa: F401
