"""Imported by the sweep's forkserver: run each task once on a tiny case.

The modules behind the tasks import much lazily (scipy's graph routines,
sympy's polynomial rings, engines); a forked child would pay for those
imports every time (about 1.5 s against a few milliseconds for the work on
small networks). Doing them once here, before any child is forked, makes each
child start warm. Failures are ignored: a module still missing is simply
not warmed.
"""

from __future__ import annotations


def warm() -> None:
    from .tasks import constraint_row

    for config in ({"spec": "2,q1", "group": "symmetric", "kind": "invariant"},
                   {"spec": "2,q2", "group": "cyclic", "kind": "equivariant"}):
        try:
            constraint_row(config)
        except Exception:  # noqa: BLE001 - warming must never break the sweep
            pass
    try:
        import varieties.algebra  # noqa: F401
    except Exception:  # noqa: BLE001
        pass


warm()
