"""Numerical census of ``V`` (float64): project random points, histogram local dimensions.

This module is **numerical**: random weight vectors are projected onto ``V``
by Gauss-Newton on the constraints (``w <- w - J^+ f(w)``, float64, at most
``max_iter`` steps, accepted when ``max |f| < residual_tol`` relative to the
size of ``w``), and at each landing point the local dimension is estimated as
``N - rank J`` where ``rank`` counts singular values above
``rank_tol * (largest singular value)`` (default ``rank_tol = 1e-8``). A
point on the intersection of components, or in a badly conditioned place,
can be misjudged; the census is evidence, not proof, and the report checks
that no local dimension exceeds a proven upper bound.

Examples
--------
>>> from varieties.algebra.engines import System
>>> circle = System(("x", "y"), [{(2, 0): 1, (0, 2): 1, (0, 0): -1}], 0)
>>> census(circle, n_points=5, seed=0).histogram
{1: 5}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._deprecate import deadline_to_timeout, deprecated_call
from .._result_methods import ResultMixin
from ..polyeval import CompiledPolys, compile_polys
from ..timelimit import deadline_after
from .engines import System


@dataclass
class CensusResult(ResultMixin):
    """Histogram of numerical local dimensions, with example points."""

    histogram: dict[int, int]
    n_points: int
    n_converged: int
    rank_tol: float
    residual_tol: float
    examples: dict[int, list[float]] = field(default_factory=dict)
    seed: int = 0
    function_dims: dict[int, int] = field(default_factory=dict)

    @property
    def max_dim(self) -> int | None:
        return max(self.histogram) if self.histogram else None

    def to_dict(self) -> dict:
        return {"histogram": {str(k): v for k, v in sorted(self.histogram.items())},
                "n_points": self.n_points, "n_converged": self.n_converged,
                "rank_tol": self.rank_tol, "residual_tol": self.residual_tol,
                "seed": self.seed,
                "function_dims": {str(k): v for k, v in sorted(self.function_dims.items())},
                "examples": {str(k): [round(x, 6) for x in v]
                             for k, v in sorted(self.examples.items())}}


    def to_frame(self):
        """One row per local dimension: ``dim``, ``points`` and ``function_dim``."""
        import pandas as pd

        rows = [{"dim": d, "points": c, "function_dim": self.function_dims.get(d)}
                for d, c in sorted(self.histogram.items())]
        return pd.DataFrame(rows, columns=["dim", "points", "function_dim"])

    def summary(self) -> str:
        """One line: converged points and the histogram of local dimensions."""
        hist = ", ".join(f"dim {d}: {c}" for d, c in sorted(self.histogram.items()))
        return (f"census: {self.n_converged} of {self.n_points} points converged"
                + (f" ({hist}); max dim {self.max_dim}" if hist else ""))


def project(ev: CompiledPolys, w: np.ndarray, max_iter: int = 60, residual_tol: float = 1e-10):
    """Gauss-Newton projection onto ``V``; returns ``(point, converged)``."""
    for _ in range(max_iter):
        f = ev.values(w)
        scale = 1.0 + np.abs(w).max()
        if np.abs(f).max() < residual_tol * scale ** 3:
            return w, True
        J = ev.jacobian(w)
        step, *_ = np.linalg.lstsq(J, -f, rcond=None)
        w = w + step
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e8:
            return w, False
    f = ev.values(w)
    return w, bool(np.abs(f).max() < residual_tol * (1.0 + np.abs(w).max()) ** 3)


def local_dim(ev: CompiledPolys, w: np.ndarray, rank_tol: float = 1e-8) -> int:
    """``N - rank J(w)`` with singular values below ``rank_tol * max`` counted as zero."""
    J = ev.jacobian(w)
    if J.size == 0:
        return ev.n_vars
    s = np.linalg.svd(J, compute_uv=False)
    rank = int((s > rank_tol * max(s.max(), 1e-300)).sum()) if s.size else 0
    return ev.n_vars - rank


@deprecated_call(positional=("n_points", "seed", "rank_tol", "residual_tol", "max_iter", "scale",
                             "function_map", "keep", "deadline"),
                 renamed={"deadline": ("timeout", deadline_to_timeout)})
def census(system: System, *, n_points: int = 50, seed: int = 0, rank_tol: float = 1e-8,
           residual_tol: float = 1e-10, max_iter: int = 60, scale: float = 1.0,
           function_map=None, keep=None, timeout: float | None = None) -> CensusResult:
    """Project ``n_points`` random Gaussian points onto ``V`` and histogram local dimensions.

    ``function_map(point) -> int`` (optional) is evaluated at each landing
    point (e.g. the function-space dimension on the tangent space there).
    ``keep(point) -> bool`` (optional) drops landing points it rejects (e.g.
    points in an excluded degenerate locus); they count as not converged.
    ``timeout`` (seconds) stops the census early; ``n_points`` then reports
    the points actually tried.
    """
    import time

    deadline = deadline_after(timeout)

    ev = compile_polys(system.polys, system.nvars)
    rng = np.random.default_rng(seed)
    hist: dict[int, int] = {}
    examples: dict[int, list[float]] = {}
    fdims: dict[int, int] = {}
    conv = 0
    tried = 0
    for _ in range(n_points):
        if deadline is not None and time.perf_counter() > deadline:
            break
        tried += 1
        w0 = rng.normal(scale=scale, size=ev.n_vars)
        w, ok = project(ev, w0, max_iter, residual_tol)
        if not ok or (keep is not None and not keep(w)):
            continue
        conv += 1
        d = local_dim(ev, w, rank_tol)
        hist[d] = hist.get(d, 0) + 1
        examples.setdefault(d, list(map(float, w)))
        if function_map is not None:
            fd = function_map(w, ev)
            fdims[d] = max(fdims.get(d, 0), fd)
    return CensusResult(dict(sorted(hist.items())), tried, conv, rank_tol, residual_tol,
                        examples, seed, fdims)
