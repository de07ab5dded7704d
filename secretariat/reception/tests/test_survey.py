"""The anonymous satisfaction survey: public form, invitations, results, poster."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from secretariat.agenda.tests.factories import AdministrativeFileFactory
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_survey as services
from secretariat.reception.models import ReceptionSettings, SurveyInvitation, SurveyResponse, Visit
from secretariat.reception.queries_survey import latest_comments, monthly_results

GOOD = {"welcome": "5", "waiting": "3", "information": "4", "overall": "4", "would_recommend": "yes",
        "comment": "Accueil très gentil."}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_url(structure):
    return reverse("survey:form", args=[services.public_key(structure.pk)])


def make_invitation(structure, *, expires_in=timedelta(days=14), visit=None):
    secret = "s3cr3t-" + str(SurveyInvitation.objects.count())
    invitation = SurveyInvitation.objects.create(structure=structure, secret_hash=services.hash_secret(secret),
                                                 visit=visit, expires_at=timezone.now() + expires_in)
    return secret, invitation


def test_public_key_is_unguessable_and_per_structure(personas):
    key = services.public_key(personas.structure.pk)
    assert len(key.split("-")[1]) == 12  # 48 bits: short to type, still unguessable
    assert services.structure_for_key(key) == personas.structure
    assert services.structure_for_key(f"{personas.structure.pk}-{'0' * 12}") is None
    assert services.structure_for_key(services.public_key(personas.other_structure.pk)) == personas.other_structure
    assert services.structure_for_key("nonsense") is None


def test_submit_through_the_qr_code_without_login(client, personas):
    page = client.get(form_url(personas.structure))
    assert page.status_code == 200
    assert 'name="website"' in page.content.decode()  # the honeypot is there
    response = client.post(form_url(personas.structure), GOOD)
    assert response.status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.welcome, answer.waiting, answer.information, answer.overall) == (5, 3, 4, 4)
    assert answer.would_recommend is True
    assert answer.channel == SurveyResponse.Channel.QR_CODE
    assert answer.structure == personas.structure
    assert answer.month == timezone.localdate().replace(day=1)


def test_the_csrf_token_is_required(personas):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(form_url(personas.structure), GOOD).status_code == 403
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", [{"welcome": "0"}, {"waiting": "6"}, {"overall": ""}, {"information": "x"},
                                 {"comment": "x" * 1001}])
def test_invalid_answers_are_refused(client, personas, bad):
    response = client.post(form_url(personas.structure), {**GOOD, **bad})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_service_refuses_scores_out_of_range(personas):
    with pytest.raises(ServiceError):
        services.submit_response(structure_id=personas.structure.pk,
                                 answers={"welcome": 6, "waiting": 1, "information": 1, "overall": 1})
    with pytest.raises(ServiceError):
        services.submit_response(structure_id=personas.structure.pk,
                                 answers={"welcome": True, "waiting": 1, "information": 1, "overall": 1})
    assert not SurveyResponse.objects.exists()


def test_honeypot_stores_nothing(client, personas):
    response = client.post(form_url(personas.structure), {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not SurveyResponse.objects.exists()


def test_rate_limit_per_address(client, personas):
    for _ in range(10):
        assert client.post(form_url(personas.structure), GOOD, REMOTE_ADDR="203.0.113.7").status_code == 302
    assert client.post(form_url(personas.structure), GOOD, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.post(form_url(personas.structure), GOOD, REMOTE_ADDR="203.0.113.8").status_code == 302
    assert SurveyResponse.objects.count() == 11


def test_unknown_key_is_404(client, personas):
    assert client.get(reverse("survey:form", args=["1-abcdef"])).status_code == 404


def test_closed_survey_shows_a_polite_page(client, personas, english):
    settings_row = ReceptionSettings.for_structure(personas.structure.pk)
    settings_row.survey_enabled = False
    settings_row.save()
    page = client.get(form_url(personas.structure))
    assert "The survey is closed for now" in page.content.decode()
    client.post(form_url(personas.structure), GOOD)
    assert not SurveyResponse.objects.exists()


def test_invitation_is_single_use(client, personas, english):
    secret, invitation = make_invitation(personas.structure)
    url = reverse("survey:invitation", args=[secret])
    assert client.get(url).status_code == 200
    assert client.post(url, GOOD).status_code == 302
    answer = SurveyResponse.objects.get()
    assert answer.channel == SurveyResponse.Channel.LINK
    invitation.refresh_from_db()
    assert invitation.is_used is True
    again = client.post(url, GOOD)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    with pytest.raises(ServiceError):
        services.submit_response(structure_id=personas.structure.pk, invitation=invitation,
                                 answers={"welcome": 1, "waiting": 1, "information": 1, "overall": 1})


def test_expired_invitation(client, personas, english):
    secret, _invitation = make_invitation(personas.structure, expires_in=timedelta(seconds=-1))
    url = reverse("survey:invitation", args=[secret])
    page = client.get(url)
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    client.post(url, GOOD)
    assert not SurveyResponse.objects.exists()
    assert client.get(reverse("survey:invitation", args=["unknown-secret"])).status_code == 404


@pytest.fixture
def visit(personas):
    site = SiteFactory(structure=personas.structure)
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    AdministrativeFileFactory(patient=patient, mobile_phone="0611223344", sms_consent=True)
    return Visit.objects.create(structure=personas.structure, site=site, day=timezone.localdate(), ticket=1,
                                patient=patient, is_walk_in=True, arrived_at=timezone.now(),
                                checked_in_by=personas.secretary)


def _send_after_visit(personas, *, on=True):
    settings_row = ReceptionSettings.for_structure(personas.structure.pk)
    settings_row.survey_link_after_visit = on
    settings_row.save()


def test_no_personal_data_stored_and_the_invitation_forgets_its_visit(client, personas, visit):
    _send_after_visit(personas)
    invitation = services.invite_after_visit(visit, personas.secretary)
    message = OutboundMessage.objects.get(purpose=services.PURPOSE)
    secret = message.body.split("/avis/i/")[1].split("/")[0]
    assert services.hash_secret(secret) == invitation.secret_hash
    assert secret not in invitation.secret_hash
    client.post(reverse("survey:invitation", args=[secret]), {**GOOD, "comment": ""}, REMOTE_ADDR="198.51.100.4")
    answer = SurveyResponse.objects.get()
    assert answer.site_id == visit.site_id
    invitation.refresh_from_db()
    assert (invitation.is_used, invitation.visit_id) == (True, None)
    # Nothing in the response points to a person, a visit, a time or an address.
    fields = {field.name for field in SurveyResponse._meta.concrete_fields}
    assert fields == {"id", "structure", "site", "month", "channel", "welcome", "waiting", "information",
                      "overall", "would_recommend", "comment"}
    stored = " ".join(str(value) for value in SurveyResponse.objects.values().get().values())
    assert "198.51.100.4" not in stored
    assert answer.month.day == 1


def test_invite_after_visit_uses_a_consented_channel_only(personas, visit):
    _send_after_visit(personas)
    invitation = services.invite_after_visit(visit, personas.secretary)
    message = OutboundMessage.objects.get(purpose=services.PURPOSE)
    assert (message.channel, message.recipient) == ("sms", "+33611223344")
    assert invitation.visit == visit
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    assert services.invite_after_visit(visit, personas.secretary) is None  # once per visit
    assert OutboundMessage.objects.filter(purpose=services.PURPOSE).count() == 1


def test_invite_after_visit_sends_nothing_without_consent_or_setting(personas, visit):
    assert services.invite_after_visit(visit, personas.secretary) is None  # setting off by default
    _send_after_visit(personas)
    file = visit.patient.administrative_file
    file.sms_consent = False
    file.save()
    visit.patient.email = ""
    visit.patient.save()
    assert services.invite_after_visit(visit, personas.secretary) is None
    assert not SurveyInvitation.objects.exists()
    assert not OutboundMessage.objects.exists()


def _answer(structure, month, overall, recommend=None, comment=""):
    return SurveyResponse.objects.create(structure=structure, month=month, channel="qr", welcome=overall,
                                         waiting=overall, information=overall, overall=overall,
                                         would_recommend=recommend, comment=comment)


def test_monthly_aggregation(personas):
    november, october = date(2026, 11, 1), date(2026, 10, 1)
    _answer(personas.structure, november, 5, True, "Parfait")
    _answer(personas.structure, november, 4, True)
    _answer(personas.structure, november, 3, False)
    _answer(personas.structure, november, 2, None)
    _answer(personas.structure, october, 1, False, "Trop d'attente")
    _answer(personas.structure, date(2025, 10, 1), 5)  # more than 12 months ago
    _answer(personas.other_structure, november, 1, False)
    results = monthly_results(personas.structure.pk, today_month=november)
    assert [row.month for row in results] == [november, october]
    first = results[0]
    assert first.count == 4
    assert first.overall == pytest.approx(3.5)
    assert first.recommend_percent == 67  # 2 of the 3 who answered
    assert (results[1].count, results[1].recommend_percent) == (1, 0)
    assert [row.comment for row in latest_comments(personas.structure.pk)] == ["Parfait", "Trop d'attente"]


def test_results_and_poster_for_desk_staff_only(client, personas):
    _answer(personas.structure, timezone.localdate().replace(day=1), 4, True, "Très bien")
    client.force_login(personas.reception)
    page = client.get(reverse("reception:survey_results"))
    assert page.status_code == 200
    assert "Très bien" in page.content.decode()
    poster = client.get(reverse("reception:survey_poster"))
    assert poster.status_code == 200
    html = poster.content.decode()
    assert "data:image/svg+xml;base64," in html
    assert services.public_key(personas.structure.pk) in html
    client.force_login(personas.accountant)
    assert client.get(reverse("reception:survey_results")).status_code == 403
    client.force_login(personas.other_structure_secretary)
    assert "Très bien" not in client.get(reverse("reception:survey_results")).content.decode()
