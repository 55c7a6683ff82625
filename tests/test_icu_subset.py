"""The ICU items the Linux bundle keeps (scripts/icu_subset.py; the build proves the rest).

The rules decide which text a user sees sorted and converted correctly, so a change in
them should be a visible decision here, not a side effect of a regular expression.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "icu_subset", Path(__file__).resolve().parents[1] / "scripts" / "icu_subset.py"
)
assert _SPEC is not None and _SPEC.loader is not None
icu_subset = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(icu_subset)


@pytest.mark.parametrize(
    "item",
    [
        "root.res",
        "zh.res",
        "zh_Hans_CN.res",
        "en_US_POSIX.res",
        "yue_Hant_HK.res",
        "coll/root.res",
        "coll/zh.res",
        "coll/ucadata.icu",
        "coll/pool.res",
        "coll/res_index.res",
        "zone/zh_Hant.res",
        "rbnf/yue.res",
        "brkitr/cjdict.dict",
        "brkitr/thaidict.dict",
        "brkitr/line.brk",
        "supplementalData.res",
        "zoneinfo64.res",
        "metaZones.res",
        "res_index.res",
        "pool.res",
        "nfkc.nrm",
        "uts46.nrm",
        "cnvalias.icu",
        "gb18030.cnv",
        "windows-936-2000.cnv",
        "windows-950-2000.cnv",
        "ibm-1373_P100-2002.cnv",
    ],
)
def test_kept(item: str) -> None:
    assert icu_subset.keep(item)


@pytest.mark.parametrize(
    "item",
    [
        "fr.res",
        "de_CH.res",
        "sr_Latn_BA.res",
        "coll/de.res",
        "coll/de_.res",
        "curr/ja.res",
        "lang/ar_EG.res",
        "unit/ru.res",
        "zone/ko.res",
        "ibm-37_P100-1995.cnv",
        "ebcdic-xml-us.cnv",
        "translit/root.res",
        "translit/el.res",
    ],
)
def test_dropped(item: str) -> None:
    assert not icu_subset.keep(item)
