"""The three methods every result type has: ``to_dict``, ``to_frame``, ``summary``.

:class:`ResultMixin` supplies them (and ``to_json``) from the dataclass
fields; a result type overrides what it knows better. ``to_dict`` is
JSON-serialisable (:func:`jsonable`), ``to_frame`` a pandas DataFrame (one
row unless the type has natural rows), ``to_json`` the JSON text of
``to_dict`` and ``summary`` one or a few lines of human text.
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """``value`` with numpy, Fraction, tuple, set and other objects made JSON-serialisable.

    Examples
    --------
    >>> jsonable({"a": np.int64(3), "b": (1, Fraction(1, 2)), "c": np.zeros(2)})
    {'a': 3, 'b': [1, '1/2'], 'c': [0.0, 0.0]}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        # JSON has no NaN/inf: null is what a reader can parse.
        return v if math.isfinite(v) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return jsonable(value.to_dict())
    return str(value)


def _flat(value: Any) -> Any:
    """A DataFrame cell: scalars as they are, lists and dicts as JSON text."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


class ResultMixin:
    """Default ``to_dict``/``to_frame``/``to_json``/``summary`` for a result dataclass.

    ``_skip_fields`` names fields left out of :meth:`to_dict` (large or not
    data: expansions, rings, cached matrices).
    """

    _skip_fields: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The result's fields as a JSON-serialisable dict."""
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in self._skip_fields and not f.name.startswith("_")}

    def to_frame(self):
        """A one-row pandas DataFrame of :meth:`to_dict` (lists and dicts as JSON text)."""
        import pandas as pd

        return pd.DataFrame([{k: _flat(v) for k, v in self.to_dict().items()}])

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as JSON text (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.to_dict(), **kwargs)

    def summary(self) -> str:
        """One line: the type and its scalar fields."""
        d = self.to_dict()
        parts = [f"{k}={v}" for k, v in d.items() if not isinstance(v, (list, dict))]
        return f"{type(self).__name__}: " + ", ".join(parts)


def arrays_equal(a: Any, b: Any) -> bool:
    """Equality that compares numpy arrays by value (``np.array_equal``), recursively."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and bool(np.array_equal(a, b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            arrays_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(arrays_equal(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            arrays_equal(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a) if f.compare)
    return bool(a == b)


def dataclass_eq(self, other) -> bool:
    """``__eq__`` for a dataclass holding arrays: every compared field by value."""
    if type(other) is not type(self):
        return NotImplemented
    return arrays_equal(self, other)
