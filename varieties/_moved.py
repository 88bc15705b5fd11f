"""Old module names kept for one release: re-export a renamed module, and warn.

Examples
--------
>>> import types, warnings
>>> from varieties import results
>>> old = types.ModuleType("old")
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     moved(vars(old), results, "old")
>>> old.load is results.load, w[0].category.__name__
(True, 'DeprecationWarning')
"""

from __future__ import annotations

import warnings
from types import ModuleType


def moved(namespace: dict, module: ModuleType, old: str) -> None:
    """Fill ``namespace`` (an old module's globals) with every name of ``module``; warn.

    Private names too: callers of the old module may have used its helpers.
    The warning points at the importer (the caller of the shim's import).
    """
    namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; "
        f"import {module.__name__} instead",
        DeprecationWarning,
        stacklevel=3,
    )
