"""Coordinator screens: users, care teams, API tokens, audit trail, failed tasks.

Thin views: capability, then scope to the coordinator's structure (404 outside it),
parse a form, call a service or a query, render or redirect with a message.
No view here changes or removes an audit row.
"""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.core import audit, queries, two_factor
from secretariat.core.access import require_capability
from secretariat.core.admin_forms import (
    AuditSearchForm,
    CareTeamCreateForm,
    CareTeamPeopleForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from secretariat.core.models import ApiToken, AuditEvent, CareTeam, TaskFailure, User
from secretariat.core.roles import Capability
from secretariat.core.services.accounts import (
    create_care_team,
    create_staff_user,
    reset_two_factor,
    revoke_api_token,
    set_care_team_members,
    set_user_active,
    update_staff_user,
)
from secretariat.core.services.errors import ServiceError
from secretariat.core.services.tasks import acknowledge_task_failure
from secretariat.core.tasks import enqueue_on_commit, send_password_reset_email

PAGE_SIZE = 50
AREA = {"active_area": "admin"}


def _in_structure(user, queryset, **lookups):
    """The object of the user's structure, or 404 whether it exists elsewhere or not at all."""
    if user.structure_id is None:
        raise Http404
    return get_object_or_404(queryset, **lookups)


def _account_or_404(user, pk: int) -> User:
    return _in_structure(user, User.objects.all(), pk=pk, structure_id=user.structure_id)


# Home


TILES = [
    ("core:user_list", gettext_lazy("Users"), gettext_lazy("Accounts, roles, two-factor and API tokens"),
     Capability.MANAGE_USERS),
    ("core:care_team_list", gettext_lazy("Care teams"),
     gettext_lazy("Who works for which practitioners"), Capability.MANAGE_USERS),
    ("core:audit_search", gettext_lazy("Audit trail"),
     gettext_lazy("Who did what, who looked at which file"), Capability.VIEW_AUDIT),
    ("core:task_failures", gettext_lazy("Failed tasks"),
     gettext_lazy("Background work that did not go through"), Capability.VIEW_TASK_FAILURES),
    ("core:organisation", gettext_lazy("Organisation"),
     gettext_lazy("Structure, sites and opening hours, services, practitioners"),
     Capability.MANAGE_ORGANISATION),
    ("core:practitioner_list", gettext_lazy("Practitioners"), gettext_lazy("Directory of the structure"),
     Capability.VIEW_DIRECTORY),
]


@require_capability(Capability.MANAGE_USERS)
@require_GET
def admin_home(request):
    tiles = [
        {"url": reverse(url_name), "title": title, "text": text, "url_name": url_name}
        for url_name, title, text, capability in TILES
        if request.user.has_capability(capability)
    ]
    unacknowledged = None
    if request.user.has_capability(Capability.VIEW_TASK_FAILURES):
        unacknowledged = TaskFailure.objects.filter(acknowledged_at__isnull=True).count()
    return render(request, "core/admin/home.html", {
        **AREA, "tiles": tiles, "unacknowledged_failures": unacknowledged,
    })


# Users


@require_capability(Capability.MANAGE_USERS)
@require_GET
def user_list(request):
    form = UserFilterForm(request.GET or None)
    accounts = queries.staff_accounts_for(request.user, **form.filters())
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/admin/user_list.html", {**AREA, "form": form, "page": page})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, structure_id=request.user.structure_id)
    if request.method == "POST" and form.is_valid():
        try:
            account = create_staff_user(**form.cleaned_data, acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _(
                "The account of {person} is created. Send the password e-mail so that they can "
                "choose a password."
            ).format(person=account))
            return redirect("core:user_edit", pk=account.pk)
    return render(request, "core/admin/user_create.html", {**AREA, "form": form})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    account = _account_or_404(request.user, pk)
    form = UserEditForm(request.POST or None, structure_id=request.user.structure_id, initial={
        "first_name": account.first_name, "last_name": account.last_name, "email": account.email,
        "role": account.role, "care_teams": list(account.care_teams.all()),
    })
    if request.method == "POST" and form.is_valid():
        try:
            update_staff_user(account, **form.cleaned_data, acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The account of {person} is saved.").format(person=account))
            return redirect("core:user_edit", pk=account.pk)
    return render(request, "core/admin/user_edit.html", {
        **AREA, "form": form, "account": account, "is_self": account.pk == request.user.pk,
        "has_two_factor": two_factor.has_confirmed_device(account),
        "tokens": account.api_tokens.order_by("-created_at"),
    })


def _set_active(request, pk: int, *, active: bool):
    account = _account_or_404(request.user, pk)
    try:
        set_user_active(account, active=active, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        if active:
            messages.success(request, _("{person} can log in again.").format(person=account))
        else:
            messages.success(request, _(
                "{person} can no longer log in; their API tokens are revoked."
            ).format(person=account))
    return redirect("core:user_edit", pk=account.pk)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_disable(request, pk: int):
    return _set_active(request, pk, active=False)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_enable(request, pk: int):
    return _set_active(request, pk, active=True)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_reset_2fa(request, pk: int):
    account = _account_or_404(request.user, pk)
    try:
        reset_two_factor(account, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _(
            "Two-factor authentication is reset: {person} will set up a new authenticator at the "
            "next login."
        ).format(person=account))
    return redirect("core:user_edit", pk=account.pk)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_send_password_email(request, pk: int):
    account = _account_or_404(request.user, pk)
    if not account.is_active:
        messages.error(request, _("This account is disabled: enable it before sending the e-mail."))
    elif not account.email:
        messages.error(request, _("This account has no e-mail address: add one first."))
    else:
        enqueue_on_commit(send_password_reset_email, account.pk, request.get_host(), request.is_secure())
        messages.success(request, _(
            "A link to choose a password is on its way to {email}."
        ).format(email=account.email))
    return redirect("core:user_edit", pk=account.pk)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def token_revoke(request, pk: int):
    token = _in_structure(
        request.user, ApiToken.objects.select_related("user"),
        pk=pk, user__structure_id=request.user.structure_id,
    )
    revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("The API token {prefix}… is revoked.").format(prefix=token.prefix))
    return redirect("core:user_edit", pk=token.user_id)


# Care teams


@require_capability(Capability.MANAGE_USERS)
@require_GET
def care_team_list(request):
    return render(request, "core/admin/care_team_list.html", {
        **AREA, "teams": queries.care_teams_with_people(request.user),
    })


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def care_team_create(request):
    form = CareTeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = create_care_team(name=form.cleaned_data["name"], acting_user=request.user)
        except ServiceError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("The care team {team} is created: choose its people.").format(team=team))
            return redirect("core:care_team_edit", pk=team.pk)
    return render(request, "core/admin/care_team_create.html", {**AREA, "form": form})


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def care_team_edit(request, pk: int):
    team = _in_structure(request.user, CareTeam.objects.all(), pk=pk, structure_id=request.user.structure_id)
    form = CareTeamPeopleForm(request.POST or None, structure_id=team.structure_id, initial={
        "members": list(team.members.all()), "practitioners": list(team.practitioners.all()),
    })
    if request.method == "POST" and form.is_valid():
        try:
            set_care_team_members(team, **form.cleaned_data, acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The care team {team} is saved.").format(team=team))
            return redirect("core:care_team_list")
    return render(request, "core/admin/care_team_edit.html", {**AREA, "form": form, "team": team})


# Audit trail


@require_capability(Capability.VIEW_AUDIT)
@require_GET
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    if not form.is_bound:
        events = queries.audit_events_for(request.user)
    elif form.is_valid():
        events = queries.audit_events_for(request.user, **form.filters())
    else:
        events = AuditEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": event, "details": queries.readable_details(event.data)} for event in page]
    patient_id = form.cleaned_data.get("patient_id") if form.is_bound and form.is_valid() else None
    return render(request, "core/admin/audit_search.html", {
        **AREA, "form": form, "page": page, "rows": rows, "patient_id": patient_id,
    })


EXPORT_HEADER = ["Date", "Utilisateur", "Action", "Objet", "Poste", "Adresse IP"]


@require_capability(Capability.VIEW_AUDIT)
@require_GET
def audit_patient_export(request, patient_id: int):
    """Every event about one patient in the structure, to answer a patient who asks who
    accessed their file (right of access, RGPD art. 15, applied to health data through
    CSP art. L1111-7; see domain/french-rules.md §4.3)."""
    events = queries.audit_events_for(request.user, patient_id=patient_id).order_by("occurred_at", "id")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-patient-{patient_id}.csv"'
    # The byte-order mark makes Excel read the file as UTF-8 (accents in names and labels).
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    rows = 0
    for event in events.iterator(chunk_size=2000):
        writer.writerow([_spreadsheet_safe(value) for value in (
            timezone.localtime(event.occurred_at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor_label, event.action_label, event.target_label, event.desk,
            event.ip_address or "",
        )])
        rows += 1
    audit.record("core.audit_exported", patient_id=patient_id, data={"rows": rows}, acting_user=request.user)
    return response


def _spreadsheet_safe(value: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (OWASP "CSV injection")."""
    value = str(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# Failed tasks


@require_capability(Capability.VIEW_TASK_FAILURES)
@require_GET
def task_failures(request):
    page = Paginator(queries.task_failures_to_review(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/admin/task_failures.html", {**AREA, "page": page})


@require_capability(Capability.VIEW_TASK_FAILURES)
@require_POST
def task_failure_acknowledge(request, pk: int):
    # Failed tasks carry only ids and no structure: any coordinator may review them.
    failure = get_object_or_404(TaskFailure, pk=pk)
    acknowledge_task_failure(failure, acting_user=request.user)
    messages.success(request, _("The failed task is acknowledged."))
    return redirect("core:task_failures")
