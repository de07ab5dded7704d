from django.urls import path

from secretariat.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/renvoyer/", views.message_retry, name="retry"),
    path("<int:pk>/traite/", views.message_acknowledge, name="acknowledge"),
]
