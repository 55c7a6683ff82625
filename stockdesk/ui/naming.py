"""Object names for widgets built in one expression.

Tests and style sheets find the window's widgets by ``objectName``. PySide6 accepts any Qt
property, ``objectName`` included, as a constructor keyword, but its type stubs list only
the properties a class declares itself, so ``QLabel(objectName=...)`` fails type checking;
:func:`named` says the same thing in a form they accept.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

_Object = TypeVar("_Object", bound=QObject)


def named(obj: _Object, name: str) -> _Object:
    """``obj`` with its ``objectName`` set to ``name``."""
    obj.setObjectName(name)
    return obj
