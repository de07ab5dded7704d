"""The patient's page for a slot offered by SMS or e-mail (no login: the signed link is the key).

Looking at the page writes nothing (message apps open links to preview them); accepting or
declining is a POST, then the page shows the outcome. A forged, altered or expired link gets
a plain page and nothing is written.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from secretariat.agenda import services_waiting as services
from secretariat.agenda.queries import structure_time_zone


@require_http_methods(["GET", "POST"])
def offer(request, token):
    found = services.read_offer_link(token)
    if found is None:
        return render(request, "agenda/public/offer_invalid.html", status=404)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer == "accept":
            services.accept_offer(found.pk)
        elif answer == "decline":
            services.decline_offer(found.pk)
        else:
            return render(request, "agenda/public/offer_invalid.html", status=400)
        return redirect("agenda_public:offer", token=token)
    tz = structure_time_zone()
    state = services.offer_state(found)
    replaced = found.entry.current_appointment if state == services.Answer.ACCEPTED else None
    return render(request, "agenda/public/offer.html", {
        "offer": found, "state": state, "replaced": replaced, "structure": found.entry.structure,
        "start": found.start.astimezone(tz), "expires_at": found.expires_at.astimezone(tz),
    })
