"""Loading the window's translations, and building them from a source checkout.

Source strings are English; Chinese is the default language. The ``.ts`` file is committed,
the compiled ``.qm`` is not: when the ``.qm`` is missing or older than the ``.ts`` (a fresh
checkout, an edited translation) it is compiled on the spot with ``pyside6-lrelease``.
A frozen build ships the ``.qm``; build it before packaging with
``python -m stockdesk.ui.translations``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from stockdesk.ui.resources import resources_dir

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")
"""Languages offered in the menu; ``en`` is the untranslated source text."""
DEFAULT_LANGUAGE = "zh_CN"


def system_language(locale: QLocale | None = None) -> str:
    """The language to start in until the user picks one: the system's, if we have it.

    Every Chinese locale (mainland, Hong Kong, Taiwan, Singapore) gets ``zh_CN``: it is the
    only translation, and closer to those readers than English.
    """
    locale = locale or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def ts_path(language: str) -> Path:
    """The committed translation source for ``language``."""
    return resources_dir() / "translations" / f"stockdesk_{language}.ts"


def qm_path(language: str) -> Path:
    """The compiled translation for ``language``."""
    return ts_path(language).with_suffix(".qm")


def _lrelease() -> str | None:
    beside_python = Path(sys.executable).with_name("pyside6-lrelease")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("pyside6-lrelease")


def build_qm(language: str) -> Path | None:
    """Compile the ``.ts`` of ``language`` if the ``.qm`` is missing or stale.

    Returns the ``.qm`` path, or None when there is neither a usable ``.qm`` nor the tool
    to build one (the window then shows the English source text).
    """
    ts, qm = ts_path(language), qm_path(language)
    if qm.exists() and (not ts.exists() or qm.stat().st_mtime >= ts.stat().st_mtime):
        return qm
    tool = _lrelease()
    if not ts.exists() or tool is None:
        return qm if qm.exists() else None
    result = subprocess.run(
        [tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not qm.exists():
        log.warning("pyside6-lrelease failed for %s: %s", ts, result.stderr.strip())
        return qm if qm.exists() else None
    return qm


class Translations:
    """The translators installed on the application, swapped when the language changes.

    Installing or removing a translator makes Qt send ``LanguageChange`` to every widget,
    whose ``changeEvent`` re-reads its texts, so a switch applies without a restart.
    """

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = "en"

    def install(self, language: str) -> bool:
        """Switch to ``language``; returns False if its translation could not be loaded."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing translations")
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed.clear()
        self.language = "en"
        if language == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English))
            return True
        qm = build_qm(language)
        ours = QTranslator(app)
        if qm is None or not ours.load(str(qm)):
            log.warning("no translation for %s; showing English", language)
            return False
        qt_own = QTranslator(app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        # qtbase, not the qt_ meta-catalogue: that one also names Qt Multimedia's and
        # Qt Declarative's files, which the Essentials wheel lacks, so it never loads.
        if qt_own.load(f"qtbase_{language}", qt_dir):
            app.installTranslator(qt_own)
            self._installed.append(qt_own)
        app.installTranslator(ours)
        self._installed.append(ours)
        QLocale.setDefault(QLocale(language))
        self.language = language
        return True


def main() -> int:
    """Build every ``.qm`` (run before packaging): ``python -m stockdesk.ui.translations``."""
    translated = [language for language in LANGUAGES if language != "en"]
    missing = [language for language in translated if build_qm(language) is None]
    for language in missing:
        print(f"could not build the {language} translation", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
