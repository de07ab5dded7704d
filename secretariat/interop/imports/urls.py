"""Import of patients from another software's CSV export (mounted at /imports/)."""

from django.urls import path

from secretariat.interop.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<slug:token>/", views.mapping, name="mapping"),
    path("<slug:token>/check/", views.check, name="check"),
    path("<slug:token>/confirm/", views.confirm, name="confirm"),
    path("<slug:token>/result/", views.result, name="result"),
    path("<slug:token>/discard/", views.discard, name="discard"),
]
