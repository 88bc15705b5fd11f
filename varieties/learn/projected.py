r"""Projected gradient steps on the variety of symmetric networks (numerical, float64).

The constraints ``c(w) = 0`` of :func:`varieties.constraints.constraints`
(exact polynomials with integer coefficients) are compiled once into flat
numpy arrays, so that ``c(w)`` and its Jacobian ``J(w)`` evaluate in float64
without sympy. One step of the projected method is

1. project the update onto the tangent space ``ker J(w)``
   (``u - Q_r Q_r^T u`` with ``Q_r`` an orthonormal basis of the row space of
   ``J`` from a column-pivoted QR, rank cut at ``1e-10`` relative),
2. step ``w' = w - lr * u``,
3. retract onto the variety by Gauss-Newton: ``w' <- w' - J^+ c(w')``
   (minimum-norm least squares, small singular values cut off) until the
   relative residual is at rounding level.

Everything here is floating point; the tolerances are stated where used. The
variety is singular at many symmetric points (for example where neurons
coincide), where ``ker J`` is larger than the tangent cone: the retraction is
what keeps the iterate on the variety.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import numpy as np

from .._deprecate import deprecated_call
from ..actions import resolve_kind
from ..errors import MethodError
from ..network import NetworkSpec, parse_spec
from ..polyeval import CompiledPolys, compile_terms, native_terms

# The constraints compile into the package's one float64 polynomial evaluator;
# the name says what the learning code holds in it.
CompiledConstraints = CompiledPolys


@deprecated_call(positional=("full", "constraint_set"))
def compile_constraints(spec: NetworkSpec | str, group="symmetric", kind=None, *,
                        full: bool = False, constraint_set=None) -> CompiledConstraints:
    """Compile the symmetry constraints of ``spec`` for fast float evaluation.

    ``kind`` defaults to :func:`~varieties.actions.default_kind` (invariant
    for one output, equivariant for ``n``).

    Reads the native expansion polynomials (python-flint or sympy) directly,
    which avoids converting every constraint to a sympy ``PolyElement``.
    Results are cached per ``(spec, group, kind)`` (the arrays are read-only).

    Examples
    --------
    >>> cc = compile_constraints("2,l1", kind="invariant")
    >>> cc.values(np.array([1.0, 3.0])).tolist(), cc.jacobian(np.array([1.0, 3.0])).tolist()
    ([-2.0], [[1.0, -1.0]])
    """
    if constraint_set is not None:
        return _compile(constraint_set)
    from ..groups import get_group

    spec = parse_spec(spec, full=full)
    return _compile_cached(spec, get_group(group, spec.n_inputs), resolve_kind(kind, spec))


@lru_cache(maxsize=16)
def _compile_cached(spec, group, kind) -> CompiledConstraints:
    from ..constraints import constraints

    cc = _compile(constraints(spec, group=group, kind=kind))
    for a in (cc.poly, cc.coef, cc.var, cc.exp):
        a.flags.writeable = False
    return cc


def _compile(cs) -> CompiledConstraints:
    pos = {name: i for i, name in enumerate(cs.weights)}
    terms = ((p_idx, v, fs) for p_idx, c in enumerate(cs.constraints)
             for v, fs in native_terms(c.native, pos))
    # Integer-primitive scaling is irrelevant numerically; normalising the
    # largest coefficient to 1 gives every polynomial a comparable size.
    return compile_terms(terms, len(cs.weights), len(cs.constraints), normalize=True)


def tangent_basis(J: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """Orthonormal rows spanning the row space of ``J`` (the normal space of the variety).

    Column-pivoted QR of ``J^T`` (rank-revealing; about twice as fast as an
    SVD here): columns of ``Q`` whose ``|R_ii|`` exceed ``rtol * |R_00|``.
    """
    from scipy.linalg import qr

    if J.shape[0] == 0 or not np.any(J):
        return np.zeros((0, J.shape[1]))
    Q, R, _ = qr(J.T, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    return Q[:, : int(np.sum(d > rtol * d[0]))].T


def project(u: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``u`` minus its component in the span of the orthonormal ``rows``."""
    return u - rows.T @ (rows @ u) if rows.shape[0] else u


def residual(cc: CompiledConstraints, w) -> float:
    """``max_p |c_p(w)| / max(1, sum |terms of c_p|)``: 0 on the variety, up to rounding."""
    if cc.n_polys == 0:
        return 0.0
    v, sc = cc.values_and_scale(w)
    return float(np.max(np.abs(v) / np.maximum(1.0, sc)))


def retract(cc: CompiledConstraints, w, tol: float = 1e-14, max_iter: int = 30,
            rcond: float = 1e-6):
    """Gauss-Newton retraction of ``w`` onto ``c = 0``; returns ``(w, residual, iterations)``.

    Each step is the least-squares solution of ``J d = c`` through the
    pseudo-inverse with singular values below ``rcond`` times the largest cut
    off: near the singular points of the variety ``J`` has tiny singular values
    whose inverse would throw the point far along the variety instead of onto
    it. If that stalls above ``tol`` the uncut pseudo-inverse finishes. Stops
    when :func:`residual` is at most ``tol`` or stops decreasing.
    """
    w = np.array(w, dtype=np.float64)
    r = residual(cc, w)
    it = 0
    for cut in (rcond, None):
        while r > tol and it < max_iter:
            step, *_ = np.linalg.lstsq(cc.jacobian(w), cc.values(w), rcond=cut)
            w_new = w - step
            r_new = residual(cc, w_new)
            it += 1
            if not np.isfinite(r_new) or r_new >= r:
                break
            w, r = w_new, r_new
    return w, r, it


def projected_update(cc, w, grad, opt_step, ops=None):
    """One projected step from ``w`` on the variety; returns ``(new w, residual)``.

    The gradient is projected onto ``ker J(w)``, ``opt_step`` (the optimizer:
    gradient -> update) turns it into an update, which is projected again, and
    ``w - update`` is retracted. ``ops`` is the namespace of
    ``tangent_basis``, ``project`` and ``retract``: this module for numpy
    (``cc`` a :class:`CompiledConstraints`), :mod:`varieties.nn.projection`
    for torch tensors on a device (``cc`` a ``TorchConstraints``).
    """
    ops = ops if ops is not None else sys.modules[__name__]
    rows = ops.tangent_basis(cc.jacobian(w))
    update = ops.project(opt_step(ops.project(grad, rows)), rows)
    new, r, _ = ops.retract(cc, w - update)
    return new, r


def check_on_variety(cc: CompiledConstraints, w, tol: float = 1e-10) -> float:
    """Raise :class:`MethodError` unless ``w`` satisfies the constraints to ``tol`` (relative)."""
    r = residual(cc, w)
    if not r <= tol:
        raise MethodError(
            f"the projected method must start on the variety, but the start point violates "
            f"the constraints by {r:.3g} (relative; tolerance {tol:g}); start from tied "
            "(layer-wise equivariant) weights, e.g. omit w0, or retract it first"
        )
    return r
