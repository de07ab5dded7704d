from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "secretariat.interop"
    verbose_name = "Interoperability"
