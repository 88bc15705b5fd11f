"""Dimension bounds from random affine slices over ``GF(p)``.

``dim V`` is the largest ``c`` for which ``V`` meets a generic affine
subspace of codimension ``c``. A slice of codimension ``c`` is made by
substituting ``c`` of the variables by random affine combinations of the
others (coefficients uniform in ``GF(p)``), which also removes ``c``
variables. Then

* an **empty** slice (reduced basis ``{1}``) shows ``dim V < c``,
* a **nonempty** slice shows ``dim V >= c``.

Both statements hold for a generic slice and for ``V`` reduced mod ``p``; a
random slice fails to be generic with probability at most about
``deg V / p``, and a prime dividing some hidden denominator could change the
answer, so every bound records its prime and seed, and the report calls them
*modular, probabilistic* certificates. Slicing over ``QQ`` is avoided on
purpose: random rational coefficients blow the computation up (Singular over
``QQ`` timed out on a ``2,q2,q1`` slice that took 0.01 s mod ``p``).

Examples
--------
>>> from varieties.algebra.engines import System
>>> circle = System(("x", "y"), [{(2, 0): 1, (0, 2): 1, (0, 0): 32002}], 32003)
>>> slice_test(circle, 1, engine="sympy", seed=1).empty
False
>>> slice_test(circle, 2, engine="sympy", seed=1).empty
True
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass, field
from typing import Sequence

from .._deprecate import deadline_to_timeout, deprecated_call
from .._result_methods import ResultMixin, jsonable
from ..errors import EngineError
from .engines import DEFAULT_PRIME, System, run_groebner


@dataclass
class SliceResult:
    """One slice test: codimension, prime, seed, engine and the answer."""

    codim: int
    prime: int
    seed: int
    engine: str
    status: str
    empty: bool | None
    seconds: float
    message: str = ""

    def certificate(self) -> str:
        what = "empty" if self.empty else "nonempty"
        return (f"random affine slice of codim {self.codim} over GF({self.prime}), seed "
                f"{self.seed}, engine {self.engine}: {what}")


def _flint_ctx(names, p):
    import flint

    return flint.nmod_mpoly_ctx.get(tuple(names), p, "degrevlex")


def slice_system(system: System, codim: int, seed: int = 0,
                 eliminate: Sequence[int] | None = None,
                 n_weights: int | None = None) -> System:
    """Substitute ``codim`` variables by random affine forms in the remaining weights.

    ``eliminate`` lists the indices of the substituted variables (default: the
    last ``codim`` weights in the system's order, i.e. the first layer's
    quadratic weights, which keeps the variables that matter most to the
    engines); the system must be over ``GF(p)``. ``n_weights`` says that only
    the first ``n_weights`` variables are weights: the forms then involve
    weights only, never an auxiliary variable such as Rabinowitsch's ``t``,
    so that the slice is a linear section of ``V`` minus the excluded locus
    in weight space (a section of the graph of ``t = 1/g`` would have the
    same dimension but other components' degrees).
    """
    p = system.characteristic
    if not p:
        raise EngineError("slices are taken over GF(p); build the system with a prime")
    n = system.nvars
    nw = n if n_weights is None else n_weights
    if codim < 0 or codim > nw:
        raise EngineError(f"slice codimension {codim} is outside 0..{nw}")
    if eliminate is None:
        eliminate = list(range(nw - codim, nw))
    eliminate = list(eliminate)
    if len(eliminate) != codim:
        raise EngineError("eliminate must list exactly codim variables")
    keep = [i for i in range(n) if i not in set(eliminate)]
    rng = random.Random(f"slice:{seed}:{p}:{n}:{codim}")
    names = [system.variables[i] for i in keep]
    if not keep:
        # A point: evaluate at random values.
        vals = [rng.randrange(p) for _ in range(n)]
        polys = []
        for f in system.polys:
            v = sum(c * _mono_val(m, vals, p) for m, c in f.items()) % p
            if v:
                polys.append({(): 1})
        return System((), polys, p)
    ctx = _flint_ctx(names, p)
    gens = ctx.gens()
    images = [None] * n
    for pos, i in enumerate(keep):
        images[i] = gens[pos]
    in_form = [pos for pos, i in enumerate(keep) if i < nw]
    for i in eliminate:
        form = ctx.from_dict({tuple(int(a == b) for b in range(len(keep))): rng.randrange(1, p)
                              for a in in_form}) if in_form else ctx.from_dict({})
        images[i] = form + rng.randrange(p)
    full = _flint_ctx(list(system.variables), p)
    polys = []
    for f in system.polys:
        g = full.from_dict({m: int(c) for m, c in f.items()}).compose(*images, ctx=ctx)
        d = {tuple(int(e) for e in m): int(c) for m, c in g.to_dict().items()}
        if d:
            polys.append(d)
    return System(tuple(names), polys, p)


def _mono_val(m, vals, p):
    out = 1
    for v, e in zip(vals, m):
        if e:
            out = out * pow(v, e, p) % p
    return out


#: Seconds per term of the system that substituting a slice into it costs, at most
#: (about 3e-5 measured on ``3,q3,q3,q1``: 1.6 million terms, 47 s): a slice
#: that could not be built within the time left is not started.
SLICE_SECONDS_PER_TERM = 3e-5


def slice_test(system: System, codim: int, engine: str = "msolve", seed: int = 0,
               timeout: float = 60.0, eliminate: Sequence[int] | None = None,
               n_weights: int | None = None, in_child: bool | None = None) -> SliceResult:
    """Is ``V`` (mod ``p``) met by a random affine subspace of codimension ``codim``?

    Returns a :class:`SliceResult`; ``empty`` is ``None`` when the engine
    timed out or failed, or (status ``timeout``) when substituting the slice
    into a system this large would take longer than ``timeout`` (see
    :data:`SLICE_SECONDS_PER_TERM`). ``n_weights``: see :func:`slice_system`.
    ``in_child``: build and solve the slice in a child process killed at the
    limit (None: when the system has more than :data:`SLICE_CHILD_TERMS` terms).
    """
    start = time.perf_counter()
    terms = sum(len(f) for f in system.polys)
    if terms * SLICE_SECONDS_PER_TERM > timeout:
        return SliceResult(codim, system.characteristic, seed, engine, "timeout", None, 0.0,
                           f"building the slice of {terms} terms would take about "
                           f"{terms * SLICE_SECONDS_PER_TERM:.0f} s, more than the "
                           f"{timeout:g} s left")
    if in_child or (in_child is None and terms > SLICE_CHILD_TERMS):
        # Substituting into a big system cannot be interrupted in-process (a
        # high-degree Rabinowitsch relation expands far beyond its term count):
        # build the slice and run the engine in a child killed at the limit.
        from ..timelimit import call_in_child

        res = call_in_child(_slice_test, (system, codim, engine, seed, timeout, eliminate,
                                          n_weights), timeout + 1.0)
        if res.status == "ok":
            return res.value
        return SliceResult(codim, system.characteristic, seed, engine,
                           "timeout" if res.status == "timeout" else "error", None,
                           time.perf_counter() - start,
                           f"building and solving the slice ({terms} terms) in a child "
                           f"process: {res.status}")
    return _slice_test(system, codim, engine, seed, timeout, eliminate, n_weights)


#: Systems with more terms than this are sliced in a child process (see :func:`slice_test`).
SLICE_CHILD_TERMS = 50_000


def _slice_test(system, codim, engine, seed, timeout, eliminate, n_weights) -> SliceResult:
    start = time.perf_counter()
    sl = slice_system(system, codim, seed, eliminate, n_weights)
    if sl.nvars == 0:
        return SliceResult(codim, system.characteristic, seed, "evaluation", "ok",
                           bool(sl.polys), time.perf_counter() - start)
    res = run_groebner(sl, engine, timeout)
    empty = res.is_unit if res.ok else None
    return SliceResult(codim, system.characteristic, seed, engine, res.status, empty,
                       time.perf_counter() - start, res.message)


@dataclass
class SliceBounds(ResultMixin):
    """Bounds on ``dim V`` from slices, with the tests that gave them."""

    lower: int | None
    upper: int | None
    tests: list[SliceResult] = field(default_factory=list)

    @property
    def dim(self) -> int | None:
        return self.lower if self.lower is not None and self.lower == self.upper else None

    def to_dict(self) -> dict:
        """``lower``, ``upper``, ``dim`` and the ``tests`` (one dict each)."""
        return {"lower": self.lower, "upper": self.upper, "dim": self.dim,
                "tests": [jsonable(dataclasses.asdict(t)) for t in self.tests]}

    def to_frame(self):
        """One row per slice test: codim, prime, seed, engine, status, empty, seconds."""
        import pandas as pd

        cols = [f.name for f in dataclasses.fields(SliceResult)]
        return pd.DataFrame([dataclasses.asdict(t) for t in self.tests], columns=cols)

    def summary(self) -> str:
        """One line: the bounds and how many slices gave them."""
        return f"slices: {self.lower} <= dim <= {self.upper} ({len(self.tests)} tests)"

    def certificates(self) -> list[str]:
        out = []
        best_empty = min((t for t in self.tests if t.empty), key=lambda t: t.codim, default=None)
        best_full = max((t for t in self.tests if t.empty is False), key=lambda t: t.codim,
                        default=None)
        if best_empty is not None:
            out.append(f"dim <= {best_empty.codim - 1}: " + best_empty.certificate())
        if best_full is not None:
            out.append(f"dim >= {best_full.codim}: " + best_full.certificate())
        return out


@deprecated_call(positional=("lower", "upper", "engine", "seed", "timeout", "deadline",
                             "n_weights"),
                 renamed={"deadline": ("total_timeout", deadline_to_timeout)})
def slice_bounds(system: System, *, lower: int = 0, upper: int | None = None,
                 engine: str = "msolve", seed: int = 0, timeout: float = 60.0,
                 total_timeout: float | None = None,
                 n_weights: int | None = None) -> SliceBounds:
    """Narrow ``lower <= dim V <= upper`` by slices, empty ones first.

    Empty slices (which give upper bounds) are cheap and nonempty ones are
    expensive, so the search first tries ``codim = lower + 1``: when a known
    lower bound (an exact family) is the dimension, one empty slice settles
    it. Otherwise it bisects. Each test gets at most ``timeout`` seconds;
    after ``total_timeout`` seconds from the call (None: no overall limit) no
    new test starts. ``n_weights`` caps the codimension (slices cut only the
    weight variables). *Deprecated*: ``deadline=`` (a ``time.perf_counter()``
    value), converted to ``total_timeout``.
    """
    deadline = None if total_timeout is None else time.perf_counter() + total_timeout
    n = n_weights if n_weights is not None else system.nvars
    hi = n if upper is None else upper
    lo = max(lower, -1)   # -1: V (minus an excluded locus) may be empty
    out = SliceBounds(lo, hi)
    s = seed

    def remaining():
        if deadline is None:
            return timeout
        return min(timeout, deadline - time.perf_counter())

    # Empty slices are cheap, nonempty ones expensive, and both get harder
    # towards the dimension. First one test at lower + 1 (it settles the
    # dimension whenever an exact family attains it). If it is nonempty, bisect
    # upwards. If it times out, bisect for the smallest empty codimension
    # above it, treating a timed-out test like a nonempty one: high
    # codimensions are quick to refute, so the upper bound comes down cheaply
    # and only the last, hardest tests are cut off.
    def run(c, share):
        nonlocal s
        left = remaining()
        if left <= 0.05:
            return "none"
        r = slice_test(system, c, engine, s, min(left, share * left), None, n)
        s += 1
        out.tests.append(r)
        return {True: "empty", False: "nonempty", None: "timeout"}[r.empty]

    if lo < hi:
        first = run(lo + 1, 0.25)
        if first == "empty":
            hi = lo
        elif first == "nonempty":
            lo += 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                e = run(mid, 0.5)
                if e == "empty":
                    hi = mid - 1
                elif e == "nonempty":
                    lo = mid
                else:
                    break
        elif first == "timeout":
            floor, u = lo + 1, hi + 1
            while u - floor > 1:
                mid = (floor + u) // 2
                e = run(mid, 0.5)
                if e == "empty":
                    u = mid
                elif e == "nonempty":
                    lo = max(lo, mid)
                    floor = mid
                elif e == "timeout":
                    floor = mid
                else:
                    break
            hi = u - 1
            # The bisection is over but time is left: give the first, cut-off test
            # (the one that settles the dimension if it is empty) half of it (the
            # other half stays for what the caller does next, e.g. function bounds).
            if hi == lo + 1 and remaining() > 2.0:
                e = run(lo + 1, 0.5)
                if e == "empty":
                    hi = lo
                elif e == "nonempty":
                    lo += 1
    out.lower, out.upper = lo, hi
    return out
