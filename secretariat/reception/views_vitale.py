"""The carte Vitale screen of a patient: read the card (or the simulation), compare with the file,
copy the coverage the secretary ticks. Works as plain HTML forms (post, redirect, get).

The reading waits in the session (server side) between the read and the copy, so the values
copied are those the reader gave, not values sent back by the browser.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from secretariat.core import audit
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.models import AmoCoverage
from secretariat.patients.permissions import access_patient
from secretariat.reception import services_vitale
from secretariat.reception.models import VitaleReading
from secretariat.reception.vitale import (
    CARDS,
    NONE,
    SIMULATION,
    CardReading,
    Subject,
    VitaleError,
    get_reader,
    reader_kind,
)
from secretariat.reception.vitale.comparison import (
    amc_row_to_update,
    amc_rows,
    amc_values,
    amo_row_to_update,
    amo_rows,
    amo_values,
    best_beneficiary,
    identity_rows,
    spaced_nir,
)

SESSION_KEY = "reception.vitale"
READING_KEPT_FOR = timedelta(minutes=30)


@require_capability(Capability.VIEW_DESK)
@require_http_methods(["GET", "POST"])
def vitale(request, patient_pk: int):
    patient = access_patient(request.user, patient_pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "read":
            return _read(request, patient)
        if action == "apply":
            return _apply(request, patient)
        if action == "close":
            request.session.pop(SESSION_KEY, None)
        return redirect("reception:vitale", patient_pk=patient.pk)
    audit.record("patients.file_viewed", target=patient, patient_id=patient.pk, acting_user=request.user)
    return render(request, "reception/vitale/compare.html", _context(request, patient))


def _read(request, patient):
    card = request.POST.get("card", "")
    try:
        reading = get_reader(card=card, subject=Subject.of_patient(patient)).read()
    except VitaleError as refused:
        messages.error(request, str(refused))
        return redirect("reception:vitale", patient_pk=patient.pk)
    proposed = best_beneficiary(reading, patient, twin_rank=_twin_rank(patient))
    trace = services_vitale.record_reading(patient, reading=reading, beneficiary_index=proposed,
                                           acting_user=request.user)
    request.session[SESSION_KEY] = {"patient": patient.pk, "reading": reading.to_dict(), "trace": trace.pk,
                                    "card": card, "read_at": timezone.now().isoformat()}
    return redirect("reception:vitale", patient_pk=patient.pk)


def _apply(request, patient):
    if not request.user.has_capability(Capability.EDIT_PATIENTS):
        raise PermissionDenied
    pending = _pending(request, patient)
    if pending is None:
        messages.error(request, _("The reading is no longer available: read the card again."))
        return redirect("reception:vitale", patient_pk=patient.pk)
    reading, trace_pk = pending
    try:
        index = int(request.POST.get("beneficiary", ""))
    except ValueError:
        index = -1
    trace = VitaleReading.objects.filter(pk=trace_pk, patient=patient).first()
    try:
        services_vitale.apply_reading(
            patient, reading=reading, beneficiary_index=index, copy_amo=request.POST.get("copy_amo") == "on",
            copy_amc=request.POST.get("copy_amc") == "on", acting_user=request.user, trace=trace)
    except ServiceError as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('reception:vitale', args=[patient.pk])}?beneficiary={index}")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("Coverage copied into the file. The identity was not changed."))
    return redirect("reception:vitale", patient_pk=patient.pk)


def _pending(request, patient) -> tuple[CardReading, int] | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("patient") != patient.pk:
        return None
    # A reading is for the patient at the desk now, not for a copy hours later.
    if datetime.fromisoformat(stored["read_at"]) < timezone.now() - READING_KEPT_FOR:
        return None
    return CardReading.from_dict(stored["reading"]), stored["trace"]


def _twin_rank(patient) -> int | None:
    return AmoCoverage.objects.filter(patient=patient).values_list("twin_rank", flat=True).first()


def _context(request, patient) -> dict:
    kind = reader_kind()
    context = {
        "patient": patient, "active_area": "desk", "reader_kind": kind,
        "has_reader": kind != NONE, "is_simulation": kind == SIMULATION, "cards": CARDS,
        "can_apply": request.user.has_capability(Capability.EDIT_PATIENTS),
        "readings": VitaleReading.objects.filter(patient=patient).select_related("read_by")[:5],
        "desk_url": _url_or_none("reception:desk"),
        "identity_url": _url_or_none("patients:edit", patient.pk),
        "file_url": _url_or_none("patients:administrative", patient.pk),
    }
    pending = _pending(request, patient)
    if pending is None:
        return context
    reading, _trace = pending
    proposed = best_beneficiary(reading, patient, twin_rank=_twin_rank(patient))
    try:
        chosen = int(request.GET.get("beneficiary", ""))
    except ValueError:
        chosen = proposed
    if chosen is None or not 0 <= chosen < len(reading.beneficiaries):
        chosen = proposed if proposed is not None else None
    context.update({
        "reading": reading, "proposed": proposed, "chosen": chosen,
        "card_key": request.session[SESSION_KEY].get("card"),
        "holder_nir": spaced_nir(reading.holder.full_nir),
        "beneficiaries": [
            {"index": index, "beneficiary": beneficiary, "is_proposed": index == proposed,
             "is_chosen": index == chosen}
            for index, beneficiary in enumerate(reading.beneficiaries)],
    })
    if chosen is None:
        return context
    beneficiary = reading.beneficiaries[chosen]
    today = timezone.localdate()
    amo = amo_values(reading, beneficiary, today=today)
    amo_row = amo_row_to_update(patient, reading)
    identity = identity_rows(patient, beneficiary)
    amo_table = amo_rows(amo_row, amo)
    context.update({
        "beneficiary": beneficiary, "identity_rows": identity, "identity_differs": any(r.differs for r in identity),
        "amo_rows": amo_table, "amo_row": amo_row, "amo_differs": any(r.differs for r in amo_table),
        "amo_expired": not beneficiary.amo.is_valid_on(today), "regime_unknown": amo["regime"] is None,
        # The file may hold newer rights (from an attestation) than a card not updated: keep them by default.
        "amo_file_newer": (not beneficiary.amo.is_valid_on(today) and amo_row is not None
                           and amo_row.is_valid_on(today)),
        "today": today,
    })
    if beneficiary.amc is not None:
        amc_row = amc_row_to_update(patient, beneficiary)
        amc_table = amc_rows(amc_row, amc_values(beneficiary))
        context.update({
            "amc_rows": amc_table, "amc_row": amc_row, "amc_differs": any(r.differs for r in amc_table),
            "amc_expired": beneficiary.amc.valid_until is not None and beneficiary.amc.valid_until < today,
        })
        context["amc_file_newer"] = context["amc_expired"] and amc_row is not None and amc_row.is_valid_on(today)
    return context


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
