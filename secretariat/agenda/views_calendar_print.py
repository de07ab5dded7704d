"""The printable day list of each practitioner: an HTML page to print, and the same list as
an A4 PDF (WeasyPrint), one practitioner per page."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from secretariat.agenda.queries_calendar import day_sheets
from secretariat.agenda.views_calendar import chips_of, flag_texts, parse_day, select_practitioners
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability


def _context(request) -> dict:
    day = parse_day(request.GET.get("date"))
    selection = select_practitioners(request)
    texts = flag_texts()
    return {
        "day": day,
        "sheets": [(practitioner, [(appointment, chips_of(flags, texts), phone) for appointment, flags, phone in rows])
                   for practitioner, rows in day_sheets(selection.chosen, day)],
        "selection": selection,
        "active_area": "agenda",
        "day_url": f"{reverse('agenda:day')}?{urlencode({'date': day.isoformat()})}",
        "pdf_url": f"{reverse('agenda:day_pdf')}?{urlencode({'date': day.isoformat()})}",
    }


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def day_print(request):
    return render(request, "agenda/calendar/print_day.html", _context(request))


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def day_pdf(request):
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    context = _context(request)
    # The template carries its own styles and fetches nothing (no URL to resolve).
    html = render_to_string("agenda/calendar/print_day_pdf.html", context, request=request)
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"agenda-{context['day']:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
