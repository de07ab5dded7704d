"""Routes of the desk: incidents (included by ``urls.py``)."""

urlpatterns: list = []
