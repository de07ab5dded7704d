from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "secretariat.messaging"
    label = "messaging"
    verbose_name = _("Messages to patients")

    def ready(self) -> None:
        # Importing registers the audit codes and the delivery task.
        from secretariat.messaging import audit, tasks  # noqa: F401
        from secretariat.messaging.models import OutboundMessage
        from secretariat.patients.merging import register_attached

        # Messages follow their patient through merges and splits.
        register_attached(OutboundMessage)
