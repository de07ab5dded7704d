"""Reading a CSV export: encodings, delimiters, header guesses, and each row rule (pure, no database)."""

import datetime

import pytest
from django.utils import translation

from secretariat.interop.imports import parsing

TODAY = datetime.date(2026, 3, 1)
MAPPING = ["birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code", "used_name",
           "phone", "email"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def row(*cells, mapping=MAPPING):
    return parsing.parse_row(2, list(cells), mapping, today=TODAY)


def good(**changes):
    cells = dict(zip(MAPPING, ["Lefèvre", "Éloïse Marie", "14/07/1962", "F", "69123", "", "", ""],
                     strict=True))
    cells.update(changes)
    return row(*cells.values())


# --- encodings and delimiters ----------------------------------------------------------------


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_header():
    table = parsing.load("\ufeffNOM;PRÉNOM\nLEFÈVRE;Éloïse\n".encode())
    assert table.encoding == "utf-8-sig"
    assert table.headers == ("NOM", "PRÉNOM")
    assert table.rows == ((2, ("LEFÈVRE", "Éloïse")),)


def test_utf8_without_bom():
    table = parsing.load("NOM;PRENOM\nCŒUR;Zoé\n".encode())
    assert (table.encoding, table.rows[0][1]) == ("utf-8", ("CŒUR", "Zoé"))


def test_windows_1252_export_with_accents_ligature_and_curly_apostrophe():
    data = "NOM;PRENOM\r\nCŒUR;Noël\r\nD’ARC;Jeanne\r\n".encode("cp1252")
    table = parsing.load(data)
    assert table.encoding == "cp1252"
    assert [cells for _number, cells in table.rows] == [("CŒUR", "Noël"), ("D’ARC", "Jeanne")]


def test_latin1_bytes_that_windows_1252_leaves_undefined():
    table = parsing.load(b"NOM;PRENOM\nL\xc9ON\x81;Andr\xe9\n")
    assert table.encoding == "latin-1"
    assert table.rows[0][1] == ("LÉON\x81", "André")


def test_utf16_with_bom_as_excel_unicode_text():
    table = parsing.load("NOM\tPRENOM\nDUPONT\tJean\n".encode("utf-16"))
    assert (table.encoding, table.delimiter, table.rows[0][1]) == ("utf-16", "\t", ("DUPONT", "Jean"))


@pytest.mark.parametrize(("_case", "text", "delimiter"), [
    ("semicolon", "NOM;PRENOM;DDN\nDUPONT;Jean;01/02/1980\n", ";"),
    ("comma", "NOM,PRENOM,DDN\nDUPONT,Jean,01/02/1980\n", ","),
    ("tab", "NOM\tPRENOM\tDDN\nDUPONT\tJean\t01/02/1980\n", "\t"),
    ("commas inside quoted names", 'NOM;PRENOM\n"DUPONT, dit JEAN";Jean\n"A,B,C";Marie\n', ";"),
    ("semicolons inside quotes", 'NOM,PRENOM\n"X;Y",Jean\nDUPONT,Marie\n', ","),
])
def test_delimiter_is_sniffed(_case, text, delimiter):
    assert parsing.load(text.encode()).delimiter == delimiter


def test_quoted_cells_with_line_breaks_and_blank_rows():
    table = parsing.load(b'NOM;NOTE\r\nDUPONT;"deux\r\nlignes"\r\n;\r\n\r\nMARTIN;x\r\n')
    assert [cells[0] for _number, cells in table.rows] == ["DUPONT", "MARTIN"]


def test_a_file_with_a_single_column_is_refused():
    with pytest.raises(parsing.ImportRefused, match="columns could not be found"):
        parsing.load(b"NOM\nDUPONT\n")


def test_a_spreadsheet_is_refused_with_advice():
    with pytest.raises(parsing.ImportRefused, match="save it as CSV"):
        parsing.load(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")


@pytest.mark.parametrize(("_case", "data", "message"), [
    ("empty", b"", "columns could not be found"),
    ("headers only", b"NOM;PRENOM\n", "no patient rows"),
])
def test_empty_files_are_refused(_case, data, message):
    with pytest.raises(parsing.ImportRefused, match=message):
        parsing.load(data)


def test_more_than_5_mb_is_refused():
    data = b"NOM;PRENOM\n" + b"DUPONT;Jean\n" * (parsing.MAX_BYTES // 12 + 1)
    assert len(data) > parsing.MAX_BYTES
    with pytest.raises(parsing.ImportRefused, match="larger than 5 MB.*Nothing was imported"):
        parsing.load(data)


def test_50000_rows_are_accepted_and_one_more_is_refused():
    rows = b"A;B\n" + b"x;y\n" * parsing.MAX_ROWS
    assert len(parsing.load(rows).rows) == parsing.MAX_ROWS
    with pytest.raises(parsing.ImportRefused, match="more than 50,000 rows"):
        parsing.load(rows + b"x;y\n")


def test_too_many_columns_are_refused():
    with pytest.raises(parsing.ImportRefused, match="101 columns"):
        parsing.load((";".join(f"C{n}" for n in range(101)) + "\n" + ";" * 100 + "x\n").encode())


def test_samples_skip_empty_cells():
    table = parsing.load(b"NOM;TEL\nA;\nB;0612345678\nC;\nD;0698765432\n")
    assert table.samples(1) == ["0612345678", "0698765432"]


# --- header guesses and mapping --------------------------------------------------------------


@pytest.mark.parametrize(("_case", "headers", "expected"), [
    ("common export", ["NOM", "PRENOM(S)", "DATE_NAISSANCE", "SEXE", "CODE_INSEE_NAISSANCE", "TEL",
                       "EMAIL"],
     ["birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code", "phone", "email"]),
    ("written out", ["Nom de naissance", "Prénoms", "Date de naissance", "Sexe", "Lieu de naissance",
                     "Nom d'usage", "Prénom usuel", "Mail"],
     ["birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code", "used_name", "",
      "email"]),
    ("short forms", ["NOM_NAISSANCE", "PRENOM", "DDN", "SEXE", "LIEU_NAISSANCE", "NOM_USAGE",
                     "PORTABLE", "COURRIEL"],
     ["birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code", "used_name", "phone",
      "email"]),
    ("plain NOM beside a birth name is the used name", ["NOM", "NOM DE NAISSANCE", "PRENOM"],
     ["used_name", "birth_name", "birth_first_names"]),
    ("mobile preferred to the landline", ["TEL", "PORTABLE"], ["", "phone"]),
    ("list of first names and the first one", ["PRENOM", "PRENOMS"],
     ["first_birth_first_name", "birth_first_names"]),
    ("unknown columns ignored", ["Adresse", "Code postal", "Mutuelle"], ["", "", ""]),
    ("patient prefix", ["nom_patient", "prenom_patient", "ddn_patient"],
     ["birth_name", "birth_first_names", "birth_date"]),
])
def test_header_guesses(_case, headers, expected):
    assert parsing.guess_mapping(headers) == expected


def test_missing_required_mappings_are_named():
    problems = parsing.mapping_problems(["birth_name", "birth_first_names", "", "", "phone"])
    assert problems == ["Choose the column holding: Birth date (required).",
                        "Choose the column holding: Sex (required).",
                        "Choose the column holding: Birthplace (required)."]


def test_a_field_chosen_twice_is_a_problem():
    mapping = [*parsing.REQUIRED_FIELDS, "phone", "phone"]
    assert parsing.mapping_problems(mapping) == ["Phone is chosen for several columns: keep one."]


# --- rows ------------------------------------------------------------------------------------


def test_a_good_row_is_written_as_the_identity_screen_writes_it():
    parsed = good(used_name="Roux", phone="06 12 34 56 78", email="eloise@example.org")
    assert parsed.errors == []
    assert parsed.identity.as_dict() == {
        "birth_name": "LEFEVRE", "birth_first_names": "ELOISE MARIE", "first_birth_first_name": "ELOISE",
        "birth_date": datetime.date(1962, 7, 14), "sex": "F", "birthplace_code": "69123",
        "used_name": "ROUX", "used_first_name": "",
    }
    assert (parsed.cleaned["phone"], parsed.cleaned["email"]) == ("0612345678", "eloise@example.org")


def test_first_birth_first_name_column_is_used_when_mapped():
    mapping = ["birth_name", "birth_first_names", "first_birth_first_name", "birth_date", "sex",
               "birthplace_code"]
    parsed = row("Dupont", "Marie Jeanne", "Jeanne", "1/2/80", "2", "75056", mapping=mapping)
    assert parsed.identity.first_birth_first_name == "JEANNE"
    assert parsed.identity.birth_date == datetime.date(1980, 2, 1)


def test_used_name_equal_to_birth_name_is_not_kept():
    assert good(used_name="lefevre").identity.used_name == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("14/07/1962", datetime.date(1962, 7, 14)), ("14071962", datetime.date(1962, 7, 14)),
    ("1962-07-14", datetime.date(1962, 7, 14)), ("14.07.62", datetime.date(1962, 7, 14)),
    ("14/07/1962 00:00:00", datetime.date(1962, 7, 14)),
    ("1962-07-14T00:00:00", datetime.date(1962, 7, 14)),
])
def test_dates_in_the_typed_forms(text, expected):
    assert good(birth_date=text).identity.birth_date == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("F", "F"), ("f", "F"), ("Femme", "F"), ("féminin", "F"), ("2", "F"),
    ("M", "M"), ("Homme", "M"), ("MASCULIN", "M"), ("1", "M"), ("H", "M"),
    ("I", "I"), ("Indéterminé", "I"),
])
def test_sex_values(text, expected):
    assert good(sex=text).identity.sex == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("69123", "69123"), ("2A004", "2A004"), ("2a004", "2A004"), ("1053", "01053"),
    ("Lyon", "69123"), ("lyon", "69123"), ("Saint-Étienne", "42218"), ("Maroc", "99350"),
])
def test_birthplaces_by_code_or_unambiguous_name(text, expected):
    assert good(birthplace_code=text).identity.birthplace_code == expected


@pytest.mark.parametrize(("_case", "changes", "message"), [
    ("forbidden character in a name", {"birth_name": "DUPONT2"},
     "Birth name: “2” cannot be part of a name"),
    ("formula injection", {"birth_name": "=cmd|' /C calc'!A0"},
     "Birth name: “=”, “|”, “/”, “!”, “0” cannot be part of a name"),
    ("dash typed for a hyphen", {"birth_first_names": "Jean–Pierre"},
     "Birth first names: Replace “–” with a hyphen (-)"),
    ("double hyphen in a first name", {"birth_first_names": "Jean--Pierre"},
     "Birth first names: Type a single hyphen in a first name"),
    ("empty birth name", {"birth_name": ""},
     "Birth name: Type the birth name as written on the identity document."),
    ("used name with a digit", {"used_name": "R0UX"}, "Used name: “0” cannot be part of a name"),
    ("missing date", {"birth_date": ""}, "Birth date: The birth date is missing."),
    ("impossible date", {"birth_date": "31/02/1980"},
     "Birth date: Type an existing date, day first: 14/07/1962 or 14071962."),
    ("date in the future", {"birth_date": "01/01/2030"}, "Birth date: The birth date is in the future"),
    ("date too old", {"birth_date": "01/01/1880"}, "Birth date: The birth date is more than 130 years ago"),
    ("unknown sex", {"sex": "X"}, "Sex: Write F, M or I"),
    ("missing birthplace", {"birthplace_code": ""}, "Birthplace: The birthplace is missing"),
    ("unknown code", {"birthplace_code": "12345"}, "Birthplace: Choose the birthplace in the list"),
    ("unknown place", {"birthplace_code": "Atlantide"},
     "Birthplace: “Atlantide” is not a French commune or a country we know"),
    ("ambiguous place", {"birthplace_code": "Saint-Denis"},
     "Birthplace: Several places are called “Saint-Denis”"),
    ("France as a birthplace", {"birthplace_code": "France"},
     "Birthplace: “France” is not a birthplace"),
    ("phone", {"phone": "12 34"}, "Phone: Type a French phone number"),
    ("phone with a formula", {"phone": "=1+0612345678"}, "Phone: Type a French phone number"),
    ("e-mail", {"email": "not an address"}, "E-mail: Enter a valid email address."),
])
def test_refusal_reasons(_case, changes, message):
    parsed = good(**changes)
    assert parsed.identity is None
    assert len(parsed.errors) == 1
    assert parsed.errors[0].startswith(message)


def test_all_reasons_of_a_row_are_given():
    parsed = row("DUPONT1", "", "31/02/1980", "X", "99999")
    assert [error.split(":")[0] for error in parsed.errors] == [
        "Birth name", "Birth first names", "Birth date", "Sex", "Birthplace"]


def test_missing_cells_count_as_empty_and_extra_filled_cells_refuse_the_row():
    assert good().errors == []
    short = row("DUPONT", "Jean", "01/02/1980", "M")
    assert short.errors == ["Birthplace: The birthplace is missing: give its INSEE (COG) code or the "
                            "name of the commune or country."]
    extra = row("DUPONT", "Jean", "01/02/1980", "M", "69123", "", "", "", "surprise")
    assert extra.errors[0].startswith("This row has more cells than the file has columns")


def test_a_phone_that_lost_its_leading_zero_in_a_spreadsheet():
    assert good(phone="612345678").cleaned["phone"] == "0612345678"
    assert good(phone="+33 6 12 34 56 78").cleaned["phone"] == "0612345678"


def test_shown_values_fall_back_to_the_text_of_the_file():
    parsed = good(birth_name="<b>X</b>", birth_date="31/02/1980")
    assert parsed.shown("birth_name") == "<b>X</b>"
    assert parsed.shown("birth_first_names") == "ELOISE MARIE"
    assert parsed.shown("birth_date") == "31/02/1980"


def test_french_messages_by_default():
    with translation.override("fr"):
        parsed = good(birth_name="DUPONT2")
    assert parsed.errors[0].startswith("Nom de naissance")
