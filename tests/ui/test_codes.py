import pytest

from stockdesk.ui.codes import normalise_code, parse_codes


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("sh.600000", "sh.600000"),
        ("SZ.000001", "sz.000001"),
        ("600000", "sh.600000"),
        ("000001", "sz.000001"),
        ("300750", "sz.300750"),
        ("600000.SH", "sh.600000"),
        ("000001.sz", "sz.000001"),
        ("sh600000", "sh.600000"),
        ("60000", None),
        ("830799", None),
        ("sh.60000a", None),
        ("hello", None),
    ],
)
def test_normalise_code(token, code):
    assert normalise_code(token) == code


def test_parse_codes_splits_dedupes_and_names_invalid_tokens():
    parsed = parse_codes("sh.600000, 600000.SH；000001\n  bogus 12345、300750")
    assert parsed.codes == ("sh.600000", "sz.000001", "sz.300750")
    assert parsed.invalid == ("bogus", "12345")


def test_parse_codes_of_blank_text_is_empty():
    assert parse_codes("  \n ") == parse_codes("")
    assert parse_codes("").codes == ()
