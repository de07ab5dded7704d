"""Private calendar feeds: the staff screen and the public .ics address (no login: the secret
in the address is the key)."""

from django.urls import path

from secretariat.agenda import views_feeds

urlpatterns = [
    path("flux/", views_feeds.feed_list, name="feeds"),
    path("flux/nouveau/", views_feeds.feed_create, name="feed_create"),
    path("flux/<int:pk>/revoquer/", views_feeds.feed_revoke, name="feed_revoke"),
    path("flux/<str:token>.ics", views_feeds.feed_ics, name="feed_ics"),
]
