"""Import of patients from a CSV file: upload → columns → check (dry run) → confirm → result.

Thin views: the reading rules are in ``parsing``, the dry run in ``queries``, the writes in
``services``. Every step works as plain HTML forms; the check is a GET (it writes nothing)
whose address carries the column choices, so it can be paged and reloaded.
"""

import math

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.core.access import care_teams_of
from secretariat.interop.imports import parsing, queries, services, storage
from secretariat.interop.imports.forms import ConfirmForm, MappingForm, UploadForm
from secretariat.interop.imports.permissions import require_import_permission
from secretariat.patients import birthplaces
from secretariat.patients.models import Patient
from secretariat.patients.permissions import patients_for

PAGE_SIZE = 200
# Measured on SQLite (test_imports_bench.py): about 1.8 ms to create one patient with its
# history and audit rows, check included; only used to tell the user how long to wait.
SECONDS_PER_CREATED_PATIENT = 0.0025


class _SizeLimit(FileUploadHandler):
    """Stop reading an upload past the size limit: nothing of a too large file is kept."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > parsing.MAX_BYTES:
            self.request.import_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt  # checked by _upload, once the size limit is in place (Django's documented way)
@require_import_permission
@require_http_methods(["GET", "POST"])
def upload(request):
    request.upload_handlers.insert(0, _SizeLimit(request))
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    refusal = ""
    if request.method == "POST":
        if getattr(request, "import_too_large", False):
            form, refusal = UploadForm(), parsing.too_large_message()
        elif form.is_valid():
            sent = form.cleaned_data["file"]
            try:
                if sent.size > parsing.MAX_BYTES:
                    raise parsing.ImportRefused(parsing.too_large_message())
                data = sent.read()
                parsing.load(data)
            except parsing.ImportRefused as error:
                refusal = error.message
            else:
                saved = storage.save(data, name=sent.name, user=request.user)
                return redirect("imports:mapping", saved.token)
    return render(request, "imports/upload.html", {
        "form": form, "refusal": refusal, "fields": parsing.FIELDS,
        "required": parsing.REQUIRED_FIELDS, "active_area": "patients",
    })


def _open(request, token):
    """The upload and its table, or a response sending the user where the upload is now."""
    upload = storage.open_upload(token, user=request.user)
    if upload.is_done():
        return upload, None, redirect("imports:result", token)
    try:
        data = upload.read()
    except FileNotFoundError:
        messages.warning(request, str(services.ImportUnavailable()))
        return upload, None, redirect("imports:upload")
    return upload, (data, parsing.load(data)), None


def _teams(user):
    return care_teams_of(user).order_by("name")


@require_import_permission
@require_GET
def mapping(request, token):
    upload, loaded, elsewhere = _open(request, token)
    if elsewhere:
        return elsewhere
    _data, table = loaded
    form = MappingForm(initial=MappingForm.initial_for(parsing.guess_mapping(table.headers)),
                       headers=table.headers, care_teams=_teams(request.user))
    return _mapping_page(request, upload, table, form)


def _mapping_page(request, upload, table, form):
    columns = [(field, table.samples(column)) for column, field in enumerate(form.column_fields())]
    return render(request, "imports/mapping.html", {
        "upload": upload, "table": table, "form": form, "columns": columns,
        "encoding": parsing.ENCODING_LABELS.get(table.encoding, table.encoding),
        "delimiter": parsing.DELIMITER_LABELS[table.delimiter], "active_area": "patients",
    })


@require_import_permission
@require_GET
def check(request, token):
    upload, loaded, elsewhere = _open(request, token)
    if elsewhere:
        return elsewhere
    data, table = loaded
    form = MappingForm(request.GET, headers=table.headers, care_teams=_teams(request.user))
    if not form.is_valid():
        return _mapping_page(request, upload, table, form)
    mapping_, care_team = form.mapping(), form.cleaned_data["care_team"]
    report = queries.import_report(table, mapping_, user=request.user)
    confirm_form = ConfirmForm(initial={
        **MappingForm.initial_for(mapping_, care_team=care_team),
        "fingerprint": report.fingerprint(data=data, mapping=mapping_, care_team_id=care_team.pk),
    }, headers=table.headers, care_teams=_teams(request.user))
    show = request.GET.get("show") if request.GET.get("show") in queries.STATUSES else ""
    rows = [row for row in report.rows if not show or row.status == show]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    base_query = request.GET.copy()
    for name in ("page", "show"):
        base_query.pop(name, None)
    counts = report.counts()
    return render(request, "imports/check.html", {
        "upload": upload, "counts": counts, "page": page, "rows": [_shown(row) for row in page],
        "show": show, "base_query": base_query.urlencode(), "confirm_form": confirm_form,
        "care_team": care_team,
        "minutes": max(1, math.ceil(counts[queries.TO_CREATE] * SECONDS_PER_CREATED_PATIENT / 60)),
        "active_area": "patients",
    })


def _shown(report: queries.RowReport) -> dict:
    """A row as the check screen shows it: the identity as understood, the outcome, why."""
    row = report.row
    sex = row.cleaned.get("sex")
    code = row.cleaned.get("birthplace_code")
    place = birthplaces.lookup(code) if code else None
    return {
        "number": row.number,
        "status": report.status,
        "birth_name": row.shown("birth_name"),
        "used_name": row.shown("used_name"),
        "first_names": row.shown("birth_first_names"),
        "used_first_name": row.shown("used_first_name"),
        "birth_date": row.shown("birth_date"),
        "sex": Patient.Sex(sex).label if sex else row.values.get("sex", ""),
        "birthplace": f"{place.label} — {code}" if place else row.values.get("birthplace_code", ""),
        "errors": row.errors,
        "same_as_rows": report.same_as_rows,
        "visible_patients": report.visible_patients,
        "hidden_patients": report.hidden_patients,
    }


@require_import_permission
@require_POST
def confirm(request, token):
    upload, loaded, elsewhere = _open(request, token)
    if elsewhere:
        return elsewhere
    _data, table = loaded
    form = ConfirmForm(request.POST, headers=table.headers, care_teams=_teams(request.user))
    if not form.is_valid():
        messages.error(request, _("The confirmation did not match the check: check the file again."))
        return redirect("imports:mapping", token)
    try:
        result = services.import_patients(
            upload, mapping=form.mapping(), care_team=form.cleaned_data["care_team"],
            fingerprint=form.cleaned_data["fingerprint"], acting_user=request.user,
        )
    except services.ImportChanged as changed:
        messages.warning(request, str(changed))
        query = request.POST.copy()
        for name in ("csrfmiddlewaretoken", "fingerprint"):
            query.pop(name, None)
        return redirect(f"{reverse('imports:check', args=[token])}?{query.urlencode()}")
    except services.ImportUnavailable as unavailable:
        messages.warning(request, str(unavailable))
        if upload.is_done():
            return redirect("imports:result", token)
        return redirect("imports:upload")
    messages.success(request, ngettext("%(count)d patient file created.", "%(count)d patient files created.",
                                       len(result.created)) % {"count": len(result.created)})
    return redirect("imports:result", token)


@require_import_permission
@require_GET
def result(request, token):
    upload = storage.open_upload(token, user=request.user)
    outcome = storage.read_result(upload)
    if outcome is None:
        return redirect("imports:mapping", token)
    page = Paginator(outcome["created"], PAGE_SIZE).get_page(request.GET.get("page"))
    patients = patients_for(request.user).in_bulk([pk for _row, pk in page])
    return render(request, "imports/result.html", {
        "upload": upload, "outcome": outcome, "counts": outcome["counts"], "page": page,
        "created": [(row, pk, patients.get(pk)) for row, pk in page], "active_area": "patients",
    })


@require_import_permission
@require_POST
def discard(request, token):
    upload = storage.open_upload(token, user=request.user)
    if upload.is_done():
        return redirect("imports:result", token)
    storage.discard(upload)
    messages.info(request, _("The file was deleted; nothing was imported from it."))
    return redirect("imports:upload")
