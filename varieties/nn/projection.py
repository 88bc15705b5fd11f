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
            return torch.tensor(np.ascontiguousarray(a), dtype=dt, device=self.device)

        # Factor slots first, ``(F, T)``: each slot's factors are one contiguous vector.
        # Padding has index n_vars (the appended 1) and exponent 0, so its factor is 1.
        self.poly = t(cc.poly, torch.int64)
        self.coef = t(cc.coef, dtype)
        self.var = t(cc.var.T, torch.int64)
        exp = np.ascontiguousarray(cc.exp.T)
        high = np.flatnonzero(exp > 1)          # the few factors with a power (static)
        self.high = t(high, torch.int64)
        self.exp_high = t(exp.ravel()[high], dtype)
        # d/dw of a factor w^e: 1 for e = 1, 0 for padding, e w^(e-1) (set per call) for e > 1.
        self.d_lin = t(exp == 1, dtype)
        self.jpos = self.poly[None, :] * (self.n_vars + 1) + self.var

    def to(self, device=None, dtype=None) -> "TorchConstraints":
        """The same constraints on another device or dtype (``self`` if nothing changes)."""
        device = torch.device(device) if device is not None else self.device
        dtype = dtype or self.dtype
        if device == self.device and dtype == self.dtype:
            return self
        return TorchConstraints(self.cc, device, dtype)

    def _factors(self, w):
        w_ext = torch.cat([w.detach().to(self.dtype), w.new_ones(1, dtype=self.dtype)])
        base = w_ext[self.var]
        fac = base
        if len(self.high):
            fac = base.clone()
            fac.view(-1)[self.high] = base.view(-1)[self.high] ** self.exp_high
        return w_ext, base, fac

    def values_and_scale(self, w):
        """The polynomials at ``w`` and ``sum |term|`` per polynomial (the rounding scale)."""
        terms = self.coef * self._factors(w)[2].prod(dim=0)
        z = terms.new_zeros(self.n_polys)
        return z.index_add(0, self.poly, terms), z.index_add(0, self.poly, terms.abs())

    def values(self, w):
        """The polynomials at ``w``, shape ``(n_polys,)``."""
        return self.values_and_scale(w)[0]

    def jacobian(self, w):
        """``J[p, i] = d f_p / d w_i``, shape ``(n_polys, n_vars)``."""
        N = self.n_vars
        w_ext, base, fac = self._factors(w)
        d = self.d_lin
        if len(self.high):
            d = d.clone()
            e = self.exp_high
            d.view(-1)[self.high] = e * base.view(-1)[self.high] ** (e - 1)
        # others[f] = product of the other slots' factors, by prefix and suffix products.
        F = fac.shape[0]
        others = torch.empty_like(fac)
        acc = self.coef.clone()
        for f in range(F):
            others[f] = acc
            acc = acc * fac[f]
        acc = torch.ones_like(acc)
        for f in range(F - 1, -1, -1):
            others[f] *= acc
            acc = acc * fac[f]
        flat = w_ext.new_zeros(self.n_polys * (N + 1))
        flat.index_add_(0, self.jpos.reshape(-1), (d * others).reshape(-1))
        return flat.view(self.n_polys, N + 1)[:, :N]

    def residual(self, w) -> torch.Tensor:
        """``max_p |c_p(w)| / max(1, sum |terms of c_p|)`` as a 0-d tensor (0 without constraints)."""
        if self.n_polys == 0:
            return torch.zeros((), dtype=self.dtype, device=self.device)
        v, sc = self.values_and_scale(w)
        return (v.abs() / sc.clamp(min=1.0)).max()


#: cuSOLVER driver of the SVDs on CUDA (``None``: torch's choice; ``"gesvdj"``, Jacobi, is
#: often faster for these small matrices). Ignored on the CPU.
SVD_DRIVER: str | None = None


def svd(J):
    """Thin SVD ``(U, S, Vh)`` of ``J`` (on CUDA with :data:`SVD_DRIVER`)."""
    if J.is_cuda and SVD_DRIVER is not None:
        return torch.linalg.svd(J, full_matrices=False, driver=SVD_DRIVER)
    return torch.linalg.svd(J, full_matrices=False)


def tangent_basis(J, rtol: float = 1e-10):
    """Orthonormal rows spanning the row space of ``J``, padded with zero rows.

    The right singular vectors of singular values above ``rtol`` times the
    largest; the others are multiplied by 0 rather than dropped, so that no
    data-dependent shape (a host synchronisation on a GPU) arises.
    """
    if J.shape[0] == 0:
        return J.new_zeros((0, J.shape[1]))
    _, S, Vh = svd(J)
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
    U, S, Vh = svd(J)
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
    if tc.n_polys == 0:
        return w, 0.0, 0

    def res(v, sc):
        return float((v.abs() / sc.clamp(min=1.0)).max())

    v, sc = tc.values_and_scale(w)
    r, it = res(v, sc), 0
    for cut in (rcond, None):
        while r > tol and it < max_iter:
            w_new = w - lstsq(tc.jacobian(w), v, cut)
            v_new, sc_new = tc.values_and_scale(w_new)
            r_new = res(v_new, sc_new)
            it += 1
            if not np.isfinite(r_new) or r_new >= r:
                break
            w, v, r = w_new, v_new, r_new
    return w, r, it
