"""Deprecated alias of :mod:`varieties.results` (kept for one release).

Importing it warns with :class:`DeprecationWarning`; every name of
:mod:`varieties.results`, private ones included, is the same object here.
"""

from . import results
from ._moved import moved

moved(globals(), results, __name__)
