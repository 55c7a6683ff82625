"""baostock is imported without pandas, and pandas still works for whoever imports it."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import stockdesk.source.baostock_source
print("pandas" in sys.modules)
import pandas
print(pandas.DataFrame({"a": [1, 2]})["a"].sum())
from baostock.data import resultset
try:
    resultset.pd.DataFrame
except AttributeError as error:
    print(error)
"""


def test_the_source_loads_without_pandas_and_pandas_stays_importable() -> None:
    """A fresh interpreter: in this test process pandas may already be loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded_with_source, total, stand_in = done.stdout.splitlines()
    assert loaded_with_source == "False"
    assert total == "3"
    assert "without pandas" in stand_in
