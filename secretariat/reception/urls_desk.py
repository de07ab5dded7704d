"""Routes of the desk: desk (included by ``urls.py``)."""

urlpatterns: list = []
