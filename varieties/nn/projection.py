r"""The symmetry constraints on a torch device: values, Jacobian, projection, retraction (float).

The torch twin of :mod:`varieties.learn.projected`. The constraints compiled
once by :func:`~varieties.learn.projected.compile_constraints` (flat arrays of
monomial terms) become tensors on the device; values and Jacobian are gathers,
products and ``index_add`` over the terms, and the tangent projection and the
Gauss-Newton retraction use ``torch.linalg.svd``. No tensor leaves the device
in a step; the retraction reads one scalar (the residual) per iteration to
decide whether to stop.

Differences from the numpy path, which give the same iterates up to rounding:

* the row space of ``J`` comes from an SVD (singular values above ``rtol``
  times the largest) instead of a column-pivoted QR, which torch lacks;
* the least-squares steps are the cut pseudo-inverse built from the SVD
  (numpy's ``lstsq(rcond=...)``: singular values at most ``rcond`` times the
  largest dropped; the uncut pass drops those at most ``eps * max(m, n)``).

Computed in the constraints' dtype, float64 unless asked otherwise; the
tolerances are those of :mod:`varieties.learn.projected`.
"""

from __future__ import annotations

import numpy as np
import torch

from ..polyeval import CompiledPolys


class TorchConstraints:
    """A compiled polynomial system (:class:`~varieties.polyeval.CompiledPolys`) as tensors.

    Examples
    --------
    >>> from varieties.learn.projected import compile_constraints
    >>> tc = TorchConstraints(compile_constraints("2,l1", kind="invariant"), device="cpu")
    >>> w = torch.tensor([1.0, 3.0], dtype=torch.float64)
    >>> tc.values(w).tolist(), tc.jacobian(w).tolist()
    ([-2.0], [[1.0, -1.0]])
    """

    def __init__(self, cc: CompiledPolys, device=None, dtype=torch.float64):
        self.cc = cc
        self.n_vars, self.n_polys = cc.n_vars, cc.n_polys
        self.device, self.dtype = torch.device(device or "cpu"), dtype

        def t(a, dt):
            return torch.tensor(np.asarray(a), dtype=dt, device=self.device)

        self.poly = t(cc.poly, torch.int64)
        self.coef = t(cc.coef, dtype)
        self.var = t(cc.var, torch.int64)
        self.exp = t(cc.exp, dtype)
        self.zero = self.exp == 0
        self.high = self.exp > 1
        self.any_high = bool(self.high.any())
        # d/dw of a factor w^e: 1 for e = 1, e w^(e-1) for e > 1, 0 for padding (e = 0).
        self.jpos = self.poly[:, None] * (self.n_vars + 1) + self.var

    def to(self, device=None, dtype=None) -> "TorchConstraints":
        """The same constraints on another device or dtype (``self`` if nothing changes)."""
        device = torch.device(device) if device is not None else self.device
        dtype = dtype or self.dtype
        if device == self.device and dtype == self.dtype:
            return self
        return TorchConstraints(self.cc, device, dtype)

    def _factors(self, w):
        w_ext = torch.cat([w.to(self.dtype), w.new_ones(1, dtype=self.dtype)])
        fac = w_ext[self.var]
        if self.any_high:
            fac = torch.where(self.high, fac ** self.exp, fac)
        return w_ext, torch.where(self.zero, torch.ones_like(fac), fac)

    def values_and_scale(self, w):
        """The polynomials at ``w`` and ``sum |term|`` per polynomial (the rounding scale)."""
        terms = self.coef * self._factors(w)[1].prod(dim=1)
        z = terms.new_zeros(self.n_polys)
        return z.index_add(0, self.poly, terms), z.index_add(0, self.poly, terms.abs())

    def values(self, w):
        """The polynomials at ``w``, shape ``(n_polys,)``."""
        return self.values_and_scale(w)[0]

    def jacobian(self, w):
        """``J[p, i] = d f_p / d w_i``, shape ``(n_polys, n_vars)``."""
        N = self.n_vars
        w_ext, fac = self._factors(w)
        base = w_ext[self.var]
        d = torch.where(self.exp == 1, torch.ones_like(base), torch.zeros_like(base))
        if self.any_high:
            d = torch.where(self.high, self.exp * base ** (self.exp - 1), d)
        F = fac.shape[1]
        others = torch.stack([torch.cat([fac[:, :f], fac[:, f + 1:]], 1).prod(1)
                              for f in range(F)], 1)
        flat = w_ext.new_zeros(self.n_polys * (N + 1))
        flat.index_add_(0, self.jpos.reshape(-1), (self.coef[:, None] * d * others).reshape(-1))
        return flat.view(self.n_polys, N + 1)[:, :N]

    def residual(self, w) -> torch.Tensor:
        """``max_p |c_p(w)| / max(1, sum |terms of c_p|)`` as a 0-d tensor (0 without constraints)."""
        if self.n_polys == 0:
            return torch.zeros((), dtype=self.dtype, device=self.device)
        v, sc = self.values_and_scale(w)
        return (v.abs() / sc.clamp(min=1.0)).max()


def tangent_basis(J, rtol: float = 1e-10):
    """Orthonormal rows spanning the row space of ``J``, padded with zero rows.

    The right singular vectors of singular values above ``rtol`` times the
    largest; the others are multiplied by 0 rather than dropped, so that no
    data-dependent shape (a host synchronisation on a GPU) arises.
    """
    if J.shape[0] == 0:
        return J.new_zeros((0, J.shape[1]))
    _, S, Vh = torch.linalg.svd(J, full_matrices=False)
    keep = S > rtol * S[0]
    return Vh * keep[:, None].to(Vh.dtype)


def project(u, rows):
    """``u`` minus its component in the span of the orthonormal (or zero) ``rows``."""
    return u - rows.T @ (rows @ u) if rows.shape[0] else u


def lstsq(J, c, rcond: float | None):
    """Minimum-norm least-squares solution of ``J d = c``, small singular values cut.

    Singular values at most ``rcond`` times the largest count as zero; ``None``
    cuts at ``eps * max(m, n)`` (numpy's ``lstsq`` default).
    """
    U, S, Vh = torch.linalg.svd(J, full_matrices=False)
    cut = rcond if rcond is not None else torch.finfo(J.dtype).eps * max(J.shape)
    keep = S > cut * S[0]
    inv = torch.where(keep, 1.0 / torch.where(keep, S, torch.ones_like(S)), torch.zeros_like(S))
    return Vh.T @ (inv * (U.T @ c))


def retract(tc: TorchConstraints, w, tol: float = 1e-14, max_iter: int = 30,
            rcond: float = 1e-6):
    """Gauss-Newton retraction of ``w`` onto ``c = 0``; returns ``(w, residual, iterations)``.

    The same iteration as :func:`varieties.learn.projected.retract`: cut
    pseudo-inverse steps, then uncut ones if that stalls above ``tol``; stops
    when the residual is at most ``tol`` or stops decreasing. ``w`` stays a
    tensor on its device; the residual is returned as a float.
    """
    w = w.detach().to(tc.dtype)
    r = float(tc.residual(w))
    it = 0
    if tc.n_polys == 0:
        return w, r, it
    for cut in (rcond, None):
        while r > tol and it < max_iter:
            w_new = w - lstsq(tc.jacobian(w), tc.values(w), cut)
            r_new = float(tc.residual(w_new))
            it += 1
            if not np.isfinite(r_new) or r_new >= r:
                break
            w, r = w_new, r_new
    return w, r, it


def all_finite(a) -> bool:
    """Whether every entry of a tensor is finite."""
    return bool(torch.isfinite(a).all())
