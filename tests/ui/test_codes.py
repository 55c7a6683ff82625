from stockdesk.ui.codes import parse_codes


def test_parse_codes_normalises_dedupes_and_names_invalid_tokens():
    parsed = parse_codes("sh.600000, 600000.SH；000001\n  bogus SH600519 12345、300750.sz")
    assert parsed.codes == ("sh.600000", "sz.000001", "sh.600519", "sz.300750")
    assert parsed.invalid == ("bogus", "12345")


def test_parse_codes_of_blank_text_is_empty():
    assert parse_codes("  \n ").codes == ()
    assert parse_codes("").invalid == ()
