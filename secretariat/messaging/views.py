"""The secretariat's screen of messages to patients: what left, what failed and why, and the
buttons to send a failure again or mark it as dealt with."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.forms import MessageFilterForm
from secretariat.messaging.queries import access_message, failed_messages_count, messages_to_review
from secretariat.messaging.services import acknowledge_failure, retry_message

PAGE_SIZE = 50


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def message_list(request):
    form = MessageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = messages_to_review(request.user, status=filters.get("status", ""),
                              channel=filters.get("channel", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/message_list.html", {
        "active_area": "agenda", "form": form, "page": page,
        "failed_count": failed_messages_count(request.user.structure_id, user=request.user),
    })


def _back_to_list(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(reverse("messaging:list"))


@require_capability(Capability.VIEW_AGENDA)
@require_POST
def message_retry(request, pk: int):
    message = access_message(request.user, pk)
    try:
        retry_message(message, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message is being sent again."))
    return _back_to_list(request)


@require_capability(Capability.VIEW_AGENDA)
@require_POST
def message_acknowledge(request, pk: int):
    message = access_message(request.user, pk)
    try:
        acknowledge_failure(message, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The failure is marked as dealt with."))
    return _back_to_list(request)
