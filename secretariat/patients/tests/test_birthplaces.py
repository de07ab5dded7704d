"""Places of birth (INSEE COG codes): lookup, search, data pipeline and the country import."""

import csv
import gzip
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from secretariat.patients import birthplaces
from secretariat.patients.birthplaces import (
    COMMUNE,
    COUNTRY,
    Birthplace,
    fold,
    is_known,
    lookup,
    search,
)
from secretariat.patients.birthplaces_build import build


def codes(text, **options):
    return [place.code for place in search(text, **options)]


# --- lookup ----------------------------------------------------------------------------------


def test_lookup_paris():
    paris = lookup("75056")
    assert paris == Birthplace("75056", "Paris", COMMUNE, "75", paris.postal_codes, True)
    assert "75001" in paris.postal_codes
    assert paris.label == "Paris (75)"


def test_lookup_ajaccio_in_any_case_and_with_spaces():
    ajaccio = lookup(" 2a004 ")
    assert (ajaccio.code, ajaccio.name, ajaccio.department, ajaccio.current) == ("2A004", "Ajaccio", "2A", True)
    assert ajaccio.label == "Ajaccio (2A)"


def test_lookup_pointe_a_pitre_overseas_department_has_three_digits():
    place = lookup("97120")
    assert (place.name, place.department, place.postal_codes) == ("Pointe-à-Pitre", "971", ("97110",))
    assert place.label == "Pointe-à-Pitre (971)"


def test_lookup_arrondissement_municipal_is_a_current_birthplace():
    place = lookup("69381")
    assert (place.name, place.department, place.current) == ("Lyon 1er Arrondissement", "69", True)


def test_lookup_country():
    morocco = lookup("99350")
    assert morocco == Birthplace("99350", "Maroc", COUNTRY, "", (), True)
    with translation.override("en"):
        assert morocco.label == "Maroc (country)"
    assert lookup("99109").name == "Allemagne"
    assert lookup("99352").name == "Algérie"


def test_former_country_is_known_but_not_current():
    czechoslovakia = lookup("99115")
    assert (czechoslovakia.name, czechoslovakia.kind, czechoslovakia.current) == ("Tchécoslovaquie", COUNTRY, False)
    with translation.override("en"):
        assert czechoslovakia.label == "Tchécoslovaquie (former country)"


def test_unknown_codes():
    for code in ["00000", "75999", "99999", "", "lyon", "2C004"]:
        assert lookup(code) is None
        assert not is_known(code)
    assert is_known("75056")
    assert is_known("2a004")


def test_france_is_never_a_place_of_birth():
    # Someone born in France has a commune code (french-rules §1.3).
    assert lookup("99100") is None
    assert not is_known("99100")
    assert "99100" not in codes("france")


# --- former communes ---------------------------------------------------------------------------


def test_commune_associee_keeps_its_code_and_name():
    place = lookup("42190")  # Rochetaillée, associated with Saint-Étienne
    assert (place.name, place.department, place.current, place.successor) == ("Rochetaillée", "42", False, "42218")
    with translation.override("en"):
        assert place.label == "Rochetaillée (42, former commune code)"


def test_former_code_without_its_own_entry_is_known_by_the_commune_it_joined():
    # Before 1976 the Corsican codes started with 20: born in Ajaccio in 1970 → 20004.
    place = lookup("20004")
    assert (place.name, place.department, place.current, place.successor) == ("Ajaccio", "2A", False, "2A004")
    assert lookup("69232").successor == "69123"  # absorbed by Lyon in 1963
    assert codes("20004") == ["20004"]


def test_code_shared_by_a_commune_nouvelle_and_its_commune_deleguee():
    # 01015 is Arboys en Bugey today and was Arbignieu's code: lookup gives today's commune,
    # the search finds the commune déléguée by its name.
    assert lookup("01015").name == "Arboys en Bugey"
    assert lookup("01015").current
    arbignieu = search("arbignieu")[0]
    assert (arbignieu.code, arbignieu.current, arbignieu.successor) == ("01015", False, "01015")
    assert [(place.name, place.current) for place in search("01015")] == [
        ("Arboys en Bugey", True),
        ("Arbignieu", False),
    ]


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["st etienne", "saint-étienne", "SAINT ETIENNE", "Saint Étienne", "saintetienne", "st-étienne"]
)
def test_search_saint_etienne_however_typed(text):
    assert codes(text)[0] == "42218"


@pytest.mark.parametrize("text", ["l'hay", "L’Haÿ", "l hay les roses", "lhay", "l'haÿ-les-roses"])
def test_search_apostrophe_hyphen_and_accent_insensitive(text):
    assert codes(text)[0] == "94038"


def test_search_exact_name_then_current_communes_by_population():
    found = search("lyon")
    assert found[0].code == "69123"
    # then the arrondissements and other communes named Lyon…, biggest first
    assert found[1].name.startswith("Lyon ")
    assert found[1].department == "69"
    assert all(any(word.startswith("lyon") for word in fold(place.name).split()) for place in found)


def test_search_exact_names_first_current_before_former_then_prefixes():
    assert codes("rochetaillee") == ["52431", "42190", "69168"]


def test_search_countries_after_communes_but_exact_names_first():
    assert codes("allemagne") == ["99109", "04004", "99141", "99142"]
    assert codes("maroc") == ["99350"]
    assert codes("cote d'ivoire") == ["99326"]


def test_search_territory_by_the_name_of_an_island():
    assert codes("madère") == ["99319"]


def test_search_by_postal_code():
    assert codes("69001") == ["69123", "69381", "69001"]  # Lyon, Lyon 1er, then Affoux (COG 69001)
    assert codes("75116")[0] == "75056"


def test_search_by_department_beside_the_name():
    found = search("lyon 69")
    assert found[0].code == "69123"
    assert {place.department for place in found} == {"69"}
    assert codes("ajaccio 2a") == ["2A004"]
    assert codes("2a004 ajaccio") == ["2A004"]
    assert codes("(69) lyon")[0] == "69123"
    assert codes("saint denis 974")[0] == "97411"
    assert codes("saint denis 93")[0] == "93066"


def test_search_number_beside_a_name_may_be_an_arrondissement():
    assert codes("paris 15") == ["75115"]


def test_search_by_code_and_by_code_prefix():
    assert codes("2A004") == ["2A004"]
    assert codes("75056") == ["75056"]
    assert codes("97120")[0] == "97120"
    assert codes("69")[0] == "69123"
    assert codes("2a")[0] == "2A004"
    countries = search("99", limit=300)
    assert countries[0].name == "Afghanistan"
    assert {place.kind for place in countries} == {COUNTRY}
    assert len(countries) == birthplaces.counts()[COUNTRY]


def test_search_limit_and_nothing_found():
    assert len(search("saint", limit=5)) == 5
    assert len(search("saint")) == 15
    assert search("") == []
    assert search("  - ' ") == []
    assert search("zzqxw") == []
    assert search("lyon", limit=0) == []


def test_search_label_typed_back_finds_the_place():
    assert codes(lookup("69123").label)[0] == "69123"


def test_fold():
    assert fold("L'Haÿ-les-Roses") == "l hay les roses"
    assert fold("  Saint-Étienne ") == "saint etienne"
    assert fold("Œuilly") == "oeuilly"
    assert fold("Côte d’Ivoire") == "cote d ivoire"
    assert fold("Saint-E\u0301tienne") == "saint etienne"  # decomposed accent, as pasted from macOS


def test_counts_and_source():
    counts = birthplaces.counts()
    assert counts[COMMUNE] > 39_000  # 37,590 entries of the 2026 COG + former codes
    assert counts[COUNTRY] >= 200
    assert birthplaces.source().startswith("@etalab/decoupage-administratif 6.0.0")


def test_committed_countries_file():
    rows = birthplaces.read_countries(birthplaces.DATA_DIR / birthplaces.COUNTRIES_FILE)
    codes_in_file = [code for code, _name, _former in rows]
    assert len(codes_in_file) == len(set(codes_in_file))
    assert all(birthplaces.COUNTRY_CODE_RE.match(code) for code in codes_in_file)
    names = {code: name for code, name, _former in rows}
    assert {code: names[code] for code in ["99109", "99131", "99132", "99134", "99139", "99127"]} == {
        "99109": "Allemagne",
        "99131": "Belgique",
        "99132": "Royaume-Uni",
        "99134": "Espagne",
        "99139": "Portugal",
        "99127": "Italie",
    }
    assert {code: names[code] for code in ["99350", "99351", "99352", "99208", "99404", "99341"]} == {
        "99350": "Maroc",
        "99351": "Tunisie",
        "99352": "Algérie",
        "99208": "Turquie",
        "99404": "États-Unis",
        "99341": "Sénégal",
    }


# --- data pipeline and country import ----------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data directory of its own: the real commune file, a copy of countries.csv."""
    real = birthplaces.DATA_DIR
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / birthplaces.COMMUNES_FILE).symlink_to(real / birthplaces.COMMUNES_FILE)
    shutil.copy(real / birthplaces.COUNTRIES_FILE, directory / birthplaces.COUNTRIES_FILE)
    monkeypatch.setattr(birthplaces, "DATA_DIR", directory)
    birthplaces.reload()
    yield directory
    birthplaces.reload()


def test_build_compacts_the_npm_data(tmp_path, monkeypatch):
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@etalab/decoupage-administratif", "version": "9.9.9"}))
    communes = [
        {"code": "42218", "nom": "Saint-Étienne", "departement": "42", "type": "commune-actuelle",
         "population": 173136, "codesPostaux": ["42000", "42100"], "anciensCodes": ["42190", "42292"]},
        {"code": "42190", "nom": "Rochetaillée", "departement": "42", "type": "commune-associee", "chefLieu": "42218"},
    ]
    (package / "data" / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    directory = tmp_path / "data"
    assert build(package, directory / birthplaces.COMMUNES_FILE) == 2
    with gzip.open(directory / birthplaces.COMMUNES_FILE, "rt", encoding="utf-8") as handle:
        assert json.load(handle)["source"].startswith("@etalab/decoupage-administratif 9.9.9")
    (directory / birthplaces.COUNTRIES_FILE).write_text("code,name_fr,former\n99350,Maroc,\n", encoding="utf-8")
    monkeypatch.setattr(birthplaces, "DATA_DIR", directory)
    birthplaces.reload()
    try:
        assert [place.code for place in search("ro")] == ["42190"]
        assert lookup("42292") == Birthplace("42292", "Saint-Étienne", COMMUNE, "42", (), False, "42218")
        assert codes("42100") == ["42218"]
        assert birthplaces.counts() == {COMMUNE: 3, COUNTRY: 1}
    finally:
        birthplaces.reload()


def test_missing_commune_file_says_to_run_setup(tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(birthplaces, "DATA_DIR", tmp_path)
    birthplaces.reload()
    try:
        with pytest.raises(ImproperlyConfigured, match="bin/setup"):
            lookup("75056")
    finally:
        birthplaces.reload()


INSEE_2025 = """\
COG,ACTUAL,CRPAY,ANI,LIBCOG,LIBENR,CODEISO2,CODEISO3,CODENUM3
99100,1,,,France,République française,FR,FRA,250
99350,1,,1956,Maroc,Royaume du Maroc,MA,MAR,504
99319,4,99139,,Territoires portugais de l’océan Atlantique,"Açores, Madère",PT,PRT,620
99391,1,,1968,Eswatini,Royaume d’Eswatini,SZ,SWZ,748
99202,2,,,Yémen du Nord,République arabe du Yémen,,,
,3,99132,,Île de Wight,Île de Wight,,,
"""


def import_countries(path):
    out = StringIO()
    call_command("load_countries", str(path), stdout=out)
    return out.getvalue()


def test_load_countries_imports_the_insee_file(data_dir, tmp_path):
    source = tmp_path / "v_pays_territoire_2025.csv"
    source.write_text(INSEE_2025, encoding="utf-8")
    output = import_countries(source)
    assert "4 codes pays importés (4 libellés)" in output
    written = data_dir / birthplaces.OFFICIAL_COUNTRIES_FILE
    assert "INSEE, Code officiel géographique, pays et territoires étrangers" in written.read_text(encoding="utf-8")
    # the official name replaces the committed one, new codes appear, other codes stay
    assert lookup("99391").name == "Eswatini"
    assert codes("swaziland") == []
    assert lookup("99202") == Birthplace("99202", "Yémen du Nord", COUNTRY, "", (), False)
    assert lookup("99319").name == "Territoires portugais de l’océan Atlantique (Açores, Madère)"
    assert lookup("99109").name == "Allemagne"
    assert not is_known("99100")
    assert lookup("75056").name == "Paris"


def test_load_countries_reads_the_old_tab_separated_windows_file(data_dir, tmp_path):
    source = tmp_path / "pays2018.txt"
    source.write_bytes("COG\tACTUAL\tCAPAY\tCRPAY\tANI\tLIBCOG\tLIBENR\tANCNOM\n"
                       "99352\t1\t\t\t1962\tAlgérie\tRépublique algérienne\t\n".encode("cp1252"))
    import_countries(source)
    assert lookup("99352").name == "Algérie"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name\n99350,Maroc\n", "colonne\\(s\\) COG, LIBCOG absente"),
        ("COG,ACTUAL,LIBCOG\n99350,1,Maroc\n9935,1,Maroc\n", "ligne 3 : code COG « 9935 » invalide"),
        ("COG,ACTUAL,LIBCOG\n75056,1,Paris\n", "ligne 2 : code COG « 75056 » invalide"),
        ("COG,ACTUAL,LIBCOG\n99350,1,\n", "ligne 2 : libellé LIBCOG vide"),
        ("COG,ACTUAL,LIBCOG\n99350,7,Maroc\n", "valeur ACTUAL « 7 » inconnue"),
        ("COG,ACTUAL,LIBCOG\n99100,1,France\n", "aucun code pays"),
        ("", "est vide"),
    ],
)
def test_load_countries_refuses_a_malformed_file_and_keeps_the_previous_list(data_dir, tmp_path, content, message):
    good = tmp_path / "good.csv"
    good.write_text(INSEE_2025, encoding="utf-8")
    import_countries(good)
    before = (data_dir / birthplaces.OFFICIAL_COUNTRIES_FILE).read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        import_countries(bad)
    assert (data_dir / birthplaces.OFFICIAL_COUNTRIES_FILE).read_text(encoding="utf-8") == before
    assert lookup("99391").name == "Eswatini"


def test_load_countries_missing_file(data_dir, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        import_countries(tmp_path / "absent.csv")
    assert not (data_dir / birthplaces.OFFICIAL_COUNTRIES_FILE).exists()


def test_countries_file_round_trip(tmp_path):
    path = tmp_path / "countries.csv"
    rows = [("99443", "Bonaire, Saint-Eustache, Saba", False), ("99115", "Tchécoslovaquie", True)]
    birthplaces.write_countries(path, rows, comments=["test"])
    assert birthplaces.read_countries(path) == rows
    with path.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["# test"]
