"""Routes of the desk: calls (included by ``urls.py``)."""

urlpatterns: list = []
