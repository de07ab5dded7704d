"""The practitioner calls the next patient from the compact queue; the waiting-room TV (a second
page, no login) shows the ticket and the room within 5 seconds, nothing it downloads carries a
patient's name or birth date, and it reconnects by itself after a network loss.

Visible labels are matched by ids and ticket numbers (the French catalogue may lag behind the
English msgids).
"""

import datetime
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import screens
from secretariat.reception.models import ConsultingRoom, Visit
from secretariat.reception.tests.queue_factories import make_visit, site_of

from .conftest import log_in

TV = {"width": 1920, "height": 1080}


def test_practitioner_calls_next_and_the_tv_shows_the_ticket(live_server, personas, page: Page,
                                                              browser: Browser) -> None:
    site = site_of(personas)
    ConsultingRoom.objects.create(site=site, practitioner=personas.practitioner, label="Cabinet 7")
    now = timezone.now()
    first = make_visit(site=site, practitioner=personas.practitioner, by=personas.reception, ticket=41,
                       start=now - timedelta(minutes=10), arrived_at=now - timedelta(minutes=4),
                       patient=PatientFactory(structure=personas.structure, birth_name="BARTHOLOMEW",
                                              first_birth_first_name="ISAURE", birth_date=datetime.date(1951, 4, 23)))
    make_visit(site=site, practitioner=personas.practitioner, by=personas.reception, ticket=42,
               start=now + timedelta(minutes=20), arrived_at=now - timedelta(minutes=25),
               patient=PatientFactory(structure=personas.structure, birth_name="KOWALCZYK",
                                      first_birth_first_name="EUDOXIE", birth_date=datetime.date(1988, 12, 2)))
    _screen, secret = screens.create_screen(site, label="TV", acting_user=personas.coordinator)

    tv_context = browser.new_context(locale="fr-FR", viewport=TV)
    tv = tv_context.new_page()
    responses = []
    tv.on("response", lambda response: responses.append(response))
    tv.goto(live_server.url + reverse("waiting_screen:show", args=[secret]))
    expect(tv.locator("#ws-calls")).not_to_contain_text("041")

    log_in(page, live_server, personas.practitioner_user.username)
    page.set_viewport_size({"width": 480, "height": 800})
    page.goto(f"{live_server.url}{reverse('reception:my_queue')}?site={site.pk}")
    expect(page.locator("#call-next")).to_contain_text("041")  # the earlier appointment, not the first arrived
    page.locator("#call-next").click()
    expect(page.locator(".q-now")).to_contain_text("041")
    assert Visit.objects.get(pk=first.pk).state == Visit.State.CALLED

    # The TV polls every 2 s: the call shows within 5 s, large, with the room.
    expect(tv.locator("#ws-calls")).to_contain_text("041", timeout=5_000)
    expect(tv.locator("#ws-calls")).to_contain_text("Cabinet 7")
    expect(tv.locator("#ws-flash-ticket")).to_have_text("041")

    texts = [tv.content()]
    for response in responses:
        if response.status == 200:
            texts.append(response.text())
    downloaded = "\n".join(texts).upper()
    assert any("041" in text for text in texts[1:])  # the state JSON was among the responses
    for secret_word in ("BARTHOLOMEW", "ISAURE", "KOWALCZYK", "EUDOXIE", "23/04/1951", "1951-04-23",
                        "02/12/1988", "1988-12-02", "Bartholomew".upper()):
        assert secret_word not in downloaded, secret_word

    # A network loss: the screen says it is reconnecting, then carries on by itself (no reload).
    tv_context.set_offline(True)
    expect(tv.locator("#ws-banner")).to_be_visible(timeout=10_000)
    tv_context.set_offline(False)
    expect(tv.locator("#ws-banner")).to_be_hidden(timeout=20_000)
    expect(tv.locator("#ws-calls")).to_contain_text("041")
    tv_context.close()
