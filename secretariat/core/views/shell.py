"""The shell: home page, global search, directory of practitioners, error pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from secretariat.core.access import (
    access_practitioner,
    care_teams_of,
    practitioners_for,
    require_capability,
)
from secretariat.core.navigation import areas_for
from secretariat.core.roles import Capability
from secretariat.core.search import search_everything


@login_required
@require_GET
def home(request):
    user = request.user
    return render(request, "core/home.html", {
        "areas": [area for area in areas_for(user) if area.key != "desk"],
        "care_teams": care_teams_of(user).prefetch_related("practitioners"),
        "active_area": "desk",
    })


@login_required
@require_GET
def search(request):
    query = request.GET.get("q", "")
    groups = search_everything(request.user, query)
    # The topbar popover asks with htmx and gets the hits alone; a plain GET gets the page.
    template = "core/search.html#results" if request.htmx else "core/search.html"
    return render(request, template, {
        "search_query": query, "groups": groups, "searched": len(query.strip()) >= 2,
    })


@require_capability(Capability.VIEW_DIRECTORY)
@require_GET
def practitioner_list(request):
    practitioners = practitioners_for(request.user).prefetch_related("sites", "services")
    return render(request, "core/practitioner_list.html", {"practitioners": practitioners})


@require_capability(Capability.VIEW_DIRECTORY)
@require_GET
def practitioner_detail(request, pk: int):
    practitioner = access_practitioner(request.user, pk)
    return render(request, "core/practitioner_detail.html", {"practitioner": practitioner})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
