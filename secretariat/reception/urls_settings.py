"""Routes of the desk: settings (included by ``urls.py``)."""

urlpatterns: list = []
