"""The desk settings screen (coordinator): how the desk works, and the consulting rooms."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from secretariat.core.access import require_capability
from secretariat.core.models import Practitioner
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.reception.forms_settings import ConsultingRoomsForm, ReceptionSettingsForm
from secretariat.reception.models import ConsultingRoom, ReceptionSettings
from secretariat.reception.permissions import sites_for
from secretariat.reception.services_settings import save_consulting_rooms, save_desk_settings


def _pairs(structure_id: int, sites) -> list[tuple]:
    """Each site with the practitioners who receive there (or who have no site recorded yet)."""
    practitioners = list(Practitioner.objects.filter(structure_id=structure_id, is_active=True)
                         .prefetch_related("sites").order_by("last_name", "first_name"))
    pairs = []
    for site in sites:
        for practitioner in practitioners:
            site_ids = {linked.pk for linked in practitioner.sites.all()}
            if not site_ids or site.pk in site_ids:
                pairs.append((site, practitioner))
    return pairs


@require_capability(Capability.MANAGE_ORGANISATION)
@require_http_methods(["GET", "POST"])
def desk_settings(request):
    structure_id = request.user.structure_id
    settings_row = ReceptionSettings.for_structure(structure_id)
    sites = list(sites_for(request.user).order_by("name"))
    pairs = _pairs(structure_id, sites)
    current = {(room.site_id, room.practitioner_id): room.label for room in
               ConsultingRoom.objects.filter(Q(site__in=sites))}
    section = request.POST.get("section") if request.method == "POST" else None
    settings_form = ReceptionSettingsForm(request.POST if section == "settings" else None, instance=settings_row,
                                          prefix="desk")
    rooms_form = ConsultingRoomsForm(request.POST if section == "rooms" else None, pairs=pairs, current=current,
                                     prefix="rooms")
    try:
        if section == "settings" and settings_form.is_valid():
            save_desk_settings(structure_id, values=settings_form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Desk settings saved."))
            return redirect("reception:settings")
        if section == "rooms" and rooms_form.is_valid():
            save_consulting_rooms(structure_id, rooms=rooms_form.rooms(), acting_user=request.user)
            messages.success(request, _("Consulting rooms saved."))
            return redirect("reception:settings")
    except ServiceError as refused:
        messages.error(request, str(refused))
    try:
        screens_url = reverse("reception:screens")
    except NoReverseMatch:
        screens_url = None
    return render(request, "reception/settings/settings.html", {
        "settings_form": settings_form, "rooms_form": rooms_form, "screens_url": screens_url,
        "active_area": "desk", "section": section,
    }, status=400 if section else 200)
