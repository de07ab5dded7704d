"""Routes of the desk: survey results (included by ``urls.py``)."""

urlpatterns: list = []
