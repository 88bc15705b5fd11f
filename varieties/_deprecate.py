"""Deprecated call forms of the public functions, kept working for one release.

Version 0.2.0 made every argument after ``spec, group, kind`` (and ``X, y``
for :func:`~varieties.learn.train`) keyword-only, renamed ``deadline`` to
``timeout`` and ``p``/``characteristic`` to ``prime``. :func:`deprecated_call`
wraps a function so that the 0.1 forms still work: surplus positional
arguments are bound, in their 0.1 order, to the names listed, and old keyword
names are translated; each emits one :class:`DeprecationWarning` naming the
new form. One helper, so that every function deprecates in the same words.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Callable

from .timelimit import time_left

REMOVED_IN = "0.3.0"


def warn(message: str, stacklevel: int = 3) -> None:
    """A :class:`DeprecationWarning` saying ``message`` and when the old form goes."""
    warnings.warn(f"{message} (deprecated in 0.2.0, removed in {REMOVED_IN})",
                  DeprecationWarning, stacklevel=stacklevel)


# ``deadline=`` (a perf_counter value) -> ``timeout=`` (the seconds left).
deadline_to_timeout = time_left


def deprecated_call(positional: tuple[str, ...] = (),
                    renamed: dict[str, str | tuple[str, Callable]] | None = None):
    """Decorator accepting a function's 0.1 positional arguments and keyword names.

    Parameters
    ----------
    positional : tuple of str
        The names that 0.1 accepted positionally after the ones that stay
        positional, in their 0.1 order (an old name may be listed: it is then
        renamed too).
    renamed : dict
        ``old keyword -> new keyword`` or ``old -> (new, convert)``, where
        ``convert`` maps the old value to the new (``deadline`` -> ``timeout``).

    Examples
    --------
    >>> import warnings
    >>> @deprecated_call(positional=("b",), renamed={"c_old": "c"})
    ... def f(a, *, b=0, c=0):
    ...     return a, b, c
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(1, 2, c_old=3), len(w), w[0].category.__name__
    ((1, 2, 3), 2, 'DeprecationWarning')
    """
    renamed = {old: (new if isinstance(new, tuple) else (new, None))
               for old, new in (renamed or {}).items()}

    def decorate(fn):
        sig = inspect.signature(fn)
        n_pos = sum(1 for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if len(args) > n_pos:
                extra = args[n_pos:]
                if len(extra) > len(positional):
                    raise TypeError(f"{name}() takes at most {n_pos + len(positional)} "
                                    f"positional arguments ({len(args)} given)")
                names = positional[:len(extra)]
                warn(f"passing {', '.join(names)} positionally to {name}() is deprecated; "
                     f"give {'them' if len(names) > 1 else 'it'} as keyword"
                     f"{'s' if len(names) > 1 else ''} ({names[0]}=...)")
                for key, value in zip(names, extra):
                    if key in kwargs:
                        raise TypeError(f"{name}() got multiple values for argument {key!r}")
                    kwargs[key] = value
                args = args[:n_pos]
            for old in [k for k in kwargs if k in renamed]:
                new, convert = renamed[old]
                if new in kwargs:
                    raise TypeError(f"{name}() got both {old!r} (deprecated) and {new!r}; "
                                    f"give only {new!r}")
                warn(f"{name}({old}=...) is deprecated; use {new}=..."
                     + (" (seconds from now)" if convert is deadline_to_timeout else ""))
                value = kwargs.pop(old)
                kwargs[new] = convert(value) if convert else value
            return fn(*args, **kwargs)

        return wrapper

    return decorate
