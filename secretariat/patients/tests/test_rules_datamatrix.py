import re
from datetime import date

import pytest
from django.utils.translation import override
from ppf.datamatrix import DataMatrix

from secretariat.patients.rules.datamatrix import ins_datamatrix_payload, ins_datamatrix_svg
from secretariat.patients.rules.names import InvalidName

GS = "\x1d"
NIR_OID = "1.2.250.1.213.1.4.8"

# french-rules.md §1.8 worked example (synthetic INS from a test suite).
ADA = {
    "matricule": "185057512345673",
    "oid": NIR_OID,
    "birth_first_names": "ADA",
    "birth_name": "LOVELACE",
    "sex": "F",
    "birth_date": date(1815, 12, 10),
    "birthplace_code": "99100",
}
ADA_PAYLOAD = (f"IS010000000000000000000000S1185057512345673S21.2.250.1.213.1.4.8{GS}S3ADA{GS}"
               f"S4LOVELACE{GS}S5FS610-12-1815S799100")


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def test_worked_example():
    payload = ins_datamatrix_payload(**ADA)
    assert payload == ADA_PAYLOAD
    assert len(payload.encode("ascii")) == 104


def test_names_are_written_with_the_insi_rules():
    payload = ins_datamatrix_payload(**{**ADA, "birth_first_names": " Zoé  Anne-Lise ",
                                        "birth_name": "N’Diaye--Lefèvre"})
    assert f"S3ZOE ANNE-LISE{GS}S4N'DIAYE--LEFEVRE{GS}S5F" in payload


def test_matricule_typed_in_groups_is_cleaned():
    assert ins_datamatrix_payload(**{**ADA, "matricule": "1 85 05 75 123 456 73"}) == ADA_PAYLOAD


def test_oid_of_maximum_length_has_no_separator():
    payload = ins_datamatrix_payload(**{**ADA, "oid": "1.2.250.1.213.1.4.10"})
    assert "S21.2.250.1.213.1.4.10S3ADA" in payload


def test_name_of_maximum_length_has_no_separator():
    payload = ins_datamatrix_payload(**{**ADA, "birth_name": "A" * 100})
    assert f"S4{'A' * 100}S5F" in payload


def test_name_one_short_of_the_maximum_has_a_separator():
    payload = ins_datamatrix_payload(**{**ADA, "birth_name": "A" * 99})
    assert f"S4{'A' * 99}{GS}S5F" in payload


@pytest.mark.parametrize(
    ("changes", "expected_end"),
    [
        pytest.param({"sex": "M", "birth_date": date(2001, 2, 3)}, "S5MS603-02-2001S799100",
                     id="male-and-padded-date"),
        pytest.param({"birthplace_code": "2A004"}, "S5FS610-12-1815S72A004", id="corsica"),
        pytest.param({"birthplace_code": "97120"}, "S5FS610-12-1815S797120", id="overseas"),
    ],
)
def test_fixed_blocks(changes, expected_end):
    assert ins_datamatrix_payload(**{**ADA, **changes}).endswith(expected_end)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"sex": "I"}, "sex 'I' cannot be encoded", id="indeterminate-sex"),
        pytest.param({"sex": "f"}, "sex 'f' cannot be encoded", id="lowercase-sex"),
        pytest.param({"matricule": "185057512345674"}, "not a valid INS matricule",
                     id="wrong-key"),
        pytest.param({"matricule": "18505751234567"}, "not a valid INS matricule",
                     id="14-characters"),
        pytest.param({"oid": "1.2.250.1.71.4.2.1"}, "not an INS OID", id="rpps-oid"),
        pytest.param({"birthplace_code": "7505"}, "not a COG place code", id="short-place"),
        pytest.param({"birthplace_code": "2C004"}, "not a COG place code", id="2C-place"),
    ],
)
def test_traits_that_cannot_be_encoded(changes, message):
    with pytest.raises(ValueError, match=message):
        ins_datamatrix_payload(**{**ADA, **changes})


def test_a_name_that_breaks_the_rules_is_refused_with_its_message():
    with pytest.raises(InvalidName) as caught:
        ins_datamatrix_payload(**{**ADA, "birth_name": "Lovelace 2"})
    assert caught.value.message == (
        "“2” cannot be part of a name: type the name as written on the identity document, with "
        "letters, spaces, hyphens and apostrophes only.")


def modules_drawn(svg: str) -> list[list[int]]:
    """Read back the dark modules of the path, inside the one-module quiet zone."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1]) - 2
    grid = [[0] * size for _ in range(size)]
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        for column in range(int(x), int(x) + int(run)):
            grid[int(y) - 1][column - 1] = 1
    return grid


def test_svg_of_the_worked_example():
    svg = ins_datamatrix_svg(ADA_PAYLOAD)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 38 38" '
                          'width="38" height="38" shape-rendering="crispEdges">'
                          '<rect width="38" height="38" fill="#fff"/><path d="M1 1h1v1h-1z')
    assert svg.endswith('" fill="#000"/></svg>')
    assert "style=" not in svg


def test_svg_draws_exactly_the_modules_of_the_symbol():
    grid = modules_drawn(ins_datamatrix_svg(ADA_PAYLOAD))
    assert grid == DataMatrix(ADA_PAYLOAD).matrix
    # ECC200 finder pattern, which also shows the drawing is neither flipped nor transposed:
    # solid left column and bottom row, alternating top row and right column.
    assert [row[0] for row in grid] == [1] * 36
    assert grid[-1] == [1] * 36
    assert grid[0] == [1, 0] * 18
    assert [row[-1] for row in grid] == [0, 1] * 18


def test_svg_depends_on_the_payload():
    other = ins_datamatrix_payload(**{**ADA, "sex": "M"})
    assert ins_datamatrix_svg(other) != ins_datamatrix_svg(ADA_PAYLOAD)
