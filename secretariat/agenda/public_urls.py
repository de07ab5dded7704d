"""Patient-facing agenda pages (no staff login): online booking and the links in messages."""


app_name = "agenda_public"

urlpatterns: list = [
]
