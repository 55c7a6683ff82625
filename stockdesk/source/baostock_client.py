"""The baostock client, imported without pandas.

baostock imports pandas at module level for one method, ``ResultData.get_data()``, which
StockDesk never calls: it reads reply pages itself, since ``get_data()`` calls
``DataFrame.append``, gone since pandas 2 (docs/baostock.md). Importing pandas for nothing costs
every process that talks to the server ~55 MB and ~0.45 s (measured): the job's process
and each of its session workers. So, unless pandas is already loaded, baostock gets a
stand-in for the length of its import; anything else that imports pandas later gets the
real one, and a call into the stand-in fails with a message that says why.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _AbsentPandas(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"pandas.{name}: StockDesk imports baostock without pandas "
            "(only baostock's get_data() would use it)"
        )


def _import_baostock() -> Any:  # baostock ships no type information
    if "pandas" in sys.modules:
        import baostock

        return baostock
    sys.modules["pandas"] = _AbsentPandas("pandas")
    try:
        import baostock
    finally:
        del sys.modules["pandas"]
    return baostock


bs = _import_baostock()
