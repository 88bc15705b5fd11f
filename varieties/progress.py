"""Progress bars for long single steps (an expansion, building constraints).

Sweeps have their own bar (:func:`varieties.sweep.engine.run_sweep`); this one
is for the steps of one computation and stays quiet unless standard error is
a terminal, so that scripts and pipes get clean output.
"""

from __future__ import annotations


def progress_bar(total: int, desc: str, unit: str, enabled: bool = True):
    """A tqdm bar on standard error, shown only when ``enabled`` and stderr is a terminal.

    Long steps (an expansion, building constraints) report through it; use it
    as a context manager and call ``update(n)``.

    Examples
    --------
    >>> with progress_bar(3, "demo", "step", enabled=False) as bar:
    ...     bar.update(3)
    """
    import sys

    # tqdm.std, not tqdm.auto: the bar is only ever shown on a terminal, and
    # importing tqdm.auto in a notebook without ipywidgets warns.
    from tqdm.std import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True,
                leave=False, disable=None if enabled else True)


def clear_line() -> None:
    """Erase a bar left on the terminal by a process that was killed mid-way.

    A killed child cannot close its bar, so the caller clears the line before
    printing on it; nothing is written when standard error is not a terminal.
    """
    import sys

    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
