"""Deprecated alias of :mod:`varieties.algebra.variety_report` (kept for one release).

Importing it warns with :class:`DeprecationWarning`; every name of
:mod:`varieties.algebra.variety_report` is the same object here.
"""

from .._moved import moved
from . import variety_report

moved(globals(), variety_report, __name__)
