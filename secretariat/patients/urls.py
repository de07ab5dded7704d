from django.urls import path

from secretariat.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("<int:pk>/", views.patient_detail, name="detail"),
]
