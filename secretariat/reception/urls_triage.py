"""Routes of the desk: triage (included by ``urls.py``)."""

urlpatterns: list = []
