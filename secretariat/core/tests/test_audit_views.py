"""The audit trail as coordinators read it: search, per-patient export, and no way to change it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from secretariat.core.models import AuditEvent
from secretariat.core.queries import audit_events_for, readable_details
from secretariat.core.tests.factories import UserFactory

PARIS = ZoneInfo("Europe/Paris")
SEARCH = reverse("core:audit_search")


pytestmark = pytest.mark.usefixtures("english")


def event(structure, *, at, action="core.user_changed", actor="alice", patient_id=None, **fields):
    return AuditEvent.objects.create(
        action=action, occurred_at=at, actor_label=actor, structure_id=structure.pk,
        patient_id=patient_id, **fields,
    )


@pytest.fixture
def trail(personas):
    """Three events of structure 1 over two days, one of structure 2 about the same patient number."""
    home, away = personas.structure, personas.other_structure
    return {
        "morning": event(home, at=dt.datetime(2025, 3, 10, 9, 15, tzinfo=PARIS), patient_id=42,
                         target_label="Dossier 42", desk="Accueil 1", ip_address="10.0.0.5"),
        # 23:30 in Paris is already 22:30 UTC: it must stay on the 10th for a French reader.
        "late": event(home, at=dt.datetime(2025, 3, 10, 23, 30, tzinfo=PARIS), actor="bob",
                      action="core.user_disabled", patient_id=7),
        "next_day": event(home, at=dt.datetime(2025, 3, 11, 8, 0, tzinfo=PARIS), patient_id=42,
                          action="core.care_team_changed", actor="carole"),
        "elsewhere": event(away, at=dt.datetime(2025, 3, 10, 10, 0, tzinfo=PARIS), actor="eve",
                           patient_id=42),
    }


def shown(response) -> list[int]:
    return [row["event"].pk for row in response.context["rows"]]


def ids(trail, *names) -> list[int]:
    return [trail[name].pk for name in names]


def test_search_lists_the_structure_events_newest_first(client, personas, trail):
    client.force_login(personas.coordinator)
    response = client.get(SEARCH)
    # The login of force_login is the newest event of structure 1.
    assert shown(response)[1:] == ids(trail, "next_day", "late", "morning")
    assert AuditEvent.objects.get(pk=shown(response)[0]).action == "core.user_logged_in"


def test_the_other_structure_sees_only_its_own_events(client, personas, trail):
    client.force_login(personas.other_structure_coordinator)
    response = client.get(SEARCH, {"patient_id": 42})
    assert shown(response) == ids(trail, "elsewhere")


@pytest.mark.parametrize(
    ("_case", "filters", "expected"),
    [
        ("username, any case", {"username": "BOB"}, ["late"]),
        ("patient", {"patient_id": 42}, ["next_day", "morning"]),
        ("action", {"action": "core.care_team_changed"}, ["next_day"]),
        ("local day, late evening included", {"date_from": "2025-03-10", "date_to": "2025-03-10"},
         ["late", "morning"]),
        ("next day only", {"date_from": "2025-03-11", "date_to": "2025-03-11"}, ["next_day"]),
        ("combined", {"patient_id": 42, "username": "alice"}, ["morning"]),
    ],
)
def test_search_filters(client, personas, trail, _case, filters, expected):
    client.force_login(personas.coordinator)
    response = client.get(SEARCH, filters)
    assert shown(response) == ids(trail, *expected)


def test_invalid_filters_show_errors_and_no_rows(client, personas, trail):
    client.force_login(personas.coordinator)
    response = client.get(SEARCH, {"date_from": "2025-03-11", "date_to": "2025-03-10", "patient_id": "abc"})
    assert shown(response) == []
    assert response.context["form"].errors == {
        "patient_id": ["Enter a whole number."],
        "date_to": ["The end date must be on or after the start date."],
    }


def test_search_pages_by_fifty(client, personas):
    start = dt.datetime(2025, 1, 1, 8, 0, tzinfo=PARIS)
    AuditEvent.objects.bulk_create([
        AuditEvent(action="core.user_changed", occurred_at=start + dt.timedelta(minutes=i),
                   structure_id=personas.structure.pk, actor_label="alice")
        for i in range(51)
    ])
    client.force_login(personas.coordinator)
    first = client.get(SEARCH, {"username": "alice"})
    second = client.get(SEARCH, {"username": "alice", "page": 2})
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 1)
    assert second.context["rows"][0]["event"].occurred_at == start
    assert 'href="?username=alice&amp;page=2"' in first.content.decode()


def test_search_shows_local_time_label_and_readable_changes(client, personas, trail):
    event(personas.structure, at=dt.datetime(2025, 3, 12, 14, 5, tzinfo=PARIS), actor="carole",
          data={"changes": {"role": ["secretary", "coordinator"], "is_active": [True, False]}})
    client.force_login(personas.coordinator)
    body = client.get(SEARCH, {"date_from": "2025-03-12"}).content.decode()
    assert "12/03/2025 14:05:00" in body
    assert "User changed" in body
    assert "role: Medical secretary → Coordinator" in body
    assert "active: yes → no" in body


@translation.override("en")
def test_readable_details_of_each_shape():
    assert readable_details({}) == []
    assert readable_details({"changes": {"email": ["", "a@example.org"], "care_teams": [["A"], ["A", "B"]]}}) == [
        "e-mail: — → a@example.org", "care teams: A → A, B",
    ]
    assert readable_details({"new": {"username": "m.petit", "role": "reception"}}) == [
        "username: m.petit", "role: Reception agent",
    ]
    assert readable_details({"rows": 3, "some_key": None}) == ["rows: 3", "some key: —"]


def test_a_user_without_structure_reads_no_event(personas, trail):
    support = UserFactory(structure=None, role="")
    assert list(audit_events_for(support)) == []


# Export for the patient


def test_export_lists_the_patient_events_of_the_structure_as_excel_csv(client, personas, trail):
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:audit_patient_export", args=[42]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="journal-patient-42.csv"'
    assert response.content.decode("utf-8").split("\r\n") == [
        "\ufeffDate;Utilisateur;Action;Objet;Poste;Adresse IP",
        "10/03/2025 09:15:00;alice;User changed;Dossier 42;Accueil 1;10.0.0.5",
        "11/03/2025 08:00:00;carole;Care team changed;;;",
        "",
    ]


def test_export_is_itself_audited(client, personas, trail):
    client.force_login(personas.coordinator)
    client.get(reverse("core:audit_patient_export", args=[42]))
    exported = AuditEvent.objects.get(action="core.audit_exported")
    assert (exported.patient_id, exported.data, exported.acting_user, exported.structure_id) == (
        42, {"rows": 2}, personas.coordinator, personas.structure.pk
    )


def test_export_neutralises_spreadsheet_formulas(client, personas):
    event(personas.structure, at=dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS), patient_id=9,
          actor="alice", target_label='=HYPERLINK("http://evil.example","x")', desk="+cmd")
    client.force_login(personas.coordinator)
    lines = client.get(reverse("core:audit_patient_export", args=[9])).content.decode().split("\r\n")
    assert lines[1] == "10/03/2025 09:00:00;alice;User changed;\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\";'+cmd;"


# Nothing changes the trail


def test_the_search_page_accepts_no_post(client, personas, trail):
    client.force_login(personas.coordinator)
    response = client.post(SEARCH, {"action": "core.user_changed"})
    assert response.status_code == 405
    assert client.post(reverse("core:audit_patient_export", args=[42])).status_code == 405


@pytest.fixture
def superuser(db):
    return UserFactory(username="support", structure=None, role="", is_staff=True, is_superuser=True)


def test_django_admin_shows_but_cannot_change_an_audit_event(client, superuser, trail):
    target = trail["morning"]
    client.force_login(superuser)
    change_url = reverse("admin:core_auditevent_change", args=[target.pk])
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"action": "core.user_logged_in", "actor_label": "nobody"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.action, target.actor_label) == ("core.user_changed", "alice")


def test_django_admin_cannot_delete_or_add_an_audit_event(client, superuser, trail):
    target = trail["morning"]
    client.force_login(superuser)
    count = AuditEvent.objects.count()
    delete = client.post(reverse("admin:core_auditevent_delete", args=[target.pk]), {"post": "yes"})
    assert delete.status_code == 403
    bulk = client.post(reverse("admin:core_auditevent_changelist"),
                       {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})
    add = client.post(reverse("admin:core_auditevent_add"), {"action": "core.user_changed"})
    assert add.status_code == 403
    assert AuditEvent.objects.filter(pk=target.pk).exists() is True
    assert AuditEvent.objects.count() == count
    # No delete action is offered on the list: the bulk request falls back to the list page.
    assert bulk.status_code == 200
