from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "secretariat.interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from secretariat.interop import audit  # noqa: F401 (registers the import's audit code)
