"""PyInstaller runtime hook: a stand-in for pandas, which the bundle leaves out (18 MB).

baostock imports pandas at module level for one method, ``ResultData.get_data()``, which
StockDesk never calls: it reads replies row by row (``next()`` / ``get_row_data()``), since
``get_data()`` calls ``DataFrame.append``, gone since pandas 2 (DESIGN.md §7). The import
must still succeed; any use of the stand-in fails with a message that says why.
"""

import sys
import types


class _AbsentPandas(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"pandas.{name}: pandas is not part of the StockDesk bundle "
            "(only baostock's get_data() would use it)"
        )


sys.modules["pandas"] = _AbsentPandas("pandas")
