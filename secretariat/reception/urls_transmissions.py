"""Routes of the desk: transmissions (included by ``urls.py``)."""

urlpatterns: list = []
