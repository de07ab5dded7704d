"""Identity journeys: a phone call creates a provisional file, the desk validates it with an
identity card, a typo still finds the patient, and a second file for the same person is caught.
"""

from datetime import date

from playwright.sync_api import Page

from secretariat.patients.models import Patient

from .conftest import log_in


def fill_identity(page: Page, *, birth_name: str, first_names: str, birth_date: str) -> None:
    page.fill("#id_birth_name", birth_name)
    page.fill("#id_birth_first_names", first_names)
    page.fill("#id_birth_date", birth_date)
    page.check("input[name=sex][value=F]")
    page.fill("#id_birthplace_code", "lyon")
    page.locator("#birthplace-options option[value='69123']").wait_for(state="attached")
    page.fill("#id_birthplace_code", "69123")
    page.locator("#birthplace-chosen", has_text="Lyon").wait_for()


def test_phone_call_then_desk_validation_then_search_with_a_typo(live_server, personas, page) -> None:
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/patients/")
    page.keyboard.press("n")
    page.wait_for_url("**/patients/nouveau/")

    fill_identity(page, birth_name="Lefèvre", first_names="Éloïse Marie", birth_date="14/7/62")
    page.fill("#id_phone", "06 12 34 56 78")
    page.check("input[name=care_teams]")
    page.click(".identity-form button[type=submit]")

    page.wait_for_url("**/patients/*/")
    patient = Patient.objects.get()
    assert page.locator("main h1").inner_text().startswith("LEFEVRE Eloise")
    assert "Identité provisoire" in page.locator("main h1").inner_text()

    # At the desk, with the identity card in hand.
    page.keyboard.press("v")
    page.wait_for_url(f"**/patients/{patient.pk}/identite/valider/")
    page.select_option("#id_document_type", "id_card")
    page.click(".identity-form button[type=submit]")
    page.wait_for_url(f"**/patients/{patient.pk}/")
    assert "Identité validée" in page.locator("main h1").inner_text()
    history = page.locator("section[aria-labelledby=history-title] table tbody tr")
    assert history.count() == 2  # created, then validated

    # Later, on the phone, the name is mistyped.
    page.keyboard.press("/")
    page.keyboard.type("lefevbre")
    hit = page.locator("#search-results a", has_text="LEFEVRE Eloise")
    hit.wait_for()
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/patients/{patient.pk}/")


def test_second_file_for_the_same_person_is_caught_before_it_is_created(live_server, personas,
                                                                         page) -> None:
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/patients/nouveau/")
    fill_identity(page, birth_name="Martin", first_names="Claire", birth_date="01/03/1980")
    page.check("input[name=care_teams]")
    page.click(".identity-form button[type=submit]")
    page.wait_for_url("**/patients/*/")

    page.goto(live_server.url + "/patients/nouveau/")
    fill_identity(page, birth_name="Martin", first_names="Claire", birth_date="03/01/1980")
    page.check("input[name=care_teams]")
    page.click(".identity-form button[type=submit]")

    warning = page.locator(".duplicates")
    warning.wait_for()
    assert "MARTIN Claire" in warning.inner_text()
    assert Patient.objects.count() == 1
    page.fill("#id_duplicate_reason", "Not the same person: other mother's name, checked by phone")
    page.click(".identity-form button[type=submit]")
    page.wait_for_url("**/patients/*/")
    assert Patient.objects.count() == 2


def test_referent_merges_two_records_and_sees_the_merged_file(live_server, personas, page) -> None:
    kept = Patient.objects.create(
        structure=personas.structure, birth_name="DUPONT", birth_first_names="CLAIRE ANNE",
        first_birth_first_name="CLAIRE", birth_date=date(1975, 3, 12), sex="F", birthplace_code="69123")
    double = Patient.objects.create(
        structure=personas.structure, birth_name="DUPOND", birth_first_names="CLAIRE",
        first_birth_first_name="CLAIRE", birth_date=date(1975, 3, 12), sex="F", birthplace_code="69123",
        phone="0612345678")
    kept.care_teams.add(personas.team_a)
    double.care_teams.add(personas.team_b)
    log_in(page, live_server, "carole")

    page.goto(live_server.url + "/patients/doublons/")
    page.click("text=Analyser tous les patients maintenant")
    row = page.locator("tbody tr", has_text="DUPOND")
    row.wait_for()
    row.locator("text=Comparer et fusionner").click()

    page.locator("tr", has_text="Téléphone").locator("input[value=merged]").check()
    page.fill("#id_reason", "Même personne : faute de frappe au téléphone")
    page.click("text=Fusionner les dossiers")
    page.wait_for_url("**/patients/fusions/*/")

    page.goto(live_server.url + f"/patients/{double.pk}/")
    assert page.url.endswith(f"/patients/{kept.pk}/")
    assert "06 12 34 56 78" in page.locator("main").inner_text()
    history = page.locator("table", has_text="Historique").or_(page.locator("section", has_text="Historique"))
    assert "fusionné" in history.first.inner_text().lower()
