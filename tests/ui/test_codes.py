"""Pasted codes in the window's form: the engine's reading, refusals in the user's language."""

import pytest
from ui_fakes import NOW

from stockdesk.ui.job_form import InvalidRequest, JobForm

PASTED = "sh.600000, 600000.SH；000001\n  SH600519 300750.sz、sz.000001"


@pytest.fixture
def form(qtbot):
    form = JobForm(NOW)
    qtbot.addWidget(form)
    form.universeCombo.setCurrentIndex(form.universeCombo.findData("codes"))
    return form


def test_codes_from_excel_wind_or_chat_are_normalised_once_each(form):
    form.codesEdit.setPlainText(PASTED)
    request = form.build_request()
    assert request.universe == "codes"
    assert request.codes == ("sh.600000", "sz.000001", "sh.600519", "sz.300750")


def test_tokens_that_are_not_codes_are_named_as_pasted(form):
    form.codesEdit.setPlainText(f"{PASTED} bogus 12345")
    with pytest.raises(InvalidRequest, match="Not valid stock codes: bogus, 12345"):
        form.build_request()


def test_refusals_are_in_the_users_language(form, chinese):
    form.codesEdit.setPlainText("bogus sh.600000")
    with pytest.raises(InvalidRequest, match="bogus") as refused:
        form.build_request()
    assert "Not valid" not in str(refused.value)


def test_blank_text_asks_for_a_code(form):
    form.codesEdit.setPlainText("  \n ")
    with pytest.raises(InvalidRequest, match="at least one stock code"):
        form.build_request()
