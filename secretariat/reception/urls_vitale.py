"""Routes of the desk: vitale (included by ``urls.py``)."""

urlpatterns: list = []
