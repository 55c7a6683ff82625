"""The style sheet loads and keeps to palette colours, so dark themes stay readable."""

from __future__ import annotations

import re

from stockdesk.ui.resources import resources_dir
from stockdesk.ui.style import apply_style


def test_the_sheet_is_applied_and_uses_no_fixed_colours(qapp):
    before = qapp.styleSheet()
    try:
        apply_style(qapp)
        sheet = qapp.styleSheet()
        assert "#noticeBar" in sheet
        assert sheet == (resources_dir() / "style" / "stockdesk.qss").read_text("utf-8")
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(", sheet)
    finally:
        qapp.setStyleSheet(before)
