"""Routes of the desk: queue (included by ``urls.py``)."""

urlpatterns: list = []
