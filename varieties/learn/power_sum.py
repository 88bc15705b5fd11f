r"""Tied S_n-symmetric quadratic layers evaluated in O(n) through power sums (floats).

An ``S_n``-equivariant quadratic layer ``R^n -> R^n`` (``i <= j`` indexing) has
one weight per orbit of ``S_n`` on the weight indices ``(k, {i, j})``,
``(k, i)`` and ``k``, i.e. 7 parameters for ``n >= 3``:

=====  =========================  ==================================
coef   weights                    term of output ``k``
=====  =========================  ==================================
``a``  ``A_kkk``                  ``x_k^2``
``b``  ``A_kii``, ``i != k``      ``sum_{i != k} x_i^2 = p2 - x_k^2``
``c``  ``A_k{k,j}``, ``j != k``   ``x_k (p1 - x_k)``
``d``  ``A_k{i,j}``, ``k`` not    ``e2(x without x_k) =
       in ``{i < j}``             ((p1 - x_k)^2 - (p2 - x_k^2)) / 2``
``e``  ``B_kk``                   ``x_k``
``f``  ``B_ki``, ``i != k``       ``p1 - x_k``
``g``  ``C_k``                    ``1``
=====  =========================  ==================================

with the power sums ``p1 = sum_i x_i`` and ``p2 = sum_i x_i^2``. An
``S_n``-invariant neuron has 4 (``x_i^2``, ``x_i x_j``, ``x_i``, ``1``):
``alpha p2 + beta (p1^2 - p2)/2 + gamma p1 + delta``. Either costs ``O(n)``
per sample instead of ``O(n^3)`` (equivariant) or ``O(n^2)`` (invariant) for
the dense weight tensor. With the notes' full indexing only ``A_kij + A_kji``
enters the function, and the coefficients are read as those sums.

The kernels (:func:`equivariant_layer`, :func:`invariant_layer`) use only
arithmetic and ``sum``, so the same code runs on numpy arrays and torch
tensors (and autograd differentiates it); with a torch ``x`` the coefficients
may be numpy arrays or scalars, as :func:`coefficients` returns them, and are
moved to ``x``'s dtype and device. :func:`coefficients` and :func:`forward`
work on numpy arrays only.
"""

from __future__ import annotations

import numpy as np

from ..errors import GroupError, MethodError
from ..network import NetworkSpec, iter_layers, parse_spec, weight_name
from .numpy_backend import is_torch

EQUIVARIANT_COEFFS = ("a", "b", "c", "d", "e", "f", "g")
INVARIANT_COEFFS = ("alpha", "beta", "gamma", "delta")


def n_equivariant_params(n: int, kind: str = "q") -> int:
    """Number of weight orbits of an ``S_n``-equivariant layer ``R^n -> R^n``.

    Examples
    --------
    >>> n_equivariant_params(5), n_equivariant_params(2), n_equivariant_params(5, "s")
    (7, 6, 4)
    """
    quad = (1 if n >= 1 else 0) + (1 if n >= 2 else 0) * 2 + (1 if n >= 3 else 0)
    lin = 1 + (1 if n >= 2 else 0)
    return {"q": quad + lin + 1, "s": quad, "l": lin, "a": lin + 1}[kind]


def _like(x, coefs):
    """``coefs`` usable with ``x``: on a torch ``x``, tensors of its dtype and device.

    numpy arrays do not combine with tensors (``ndarray * Tensor`` raises), so
    numpy/scalar coefficients are converted; tensor coefficients are moved
    with ``.to``, which keeps them differentiable.
    """
    if not is_torch(x):
        return coefs
    import torch

    return [c.to(dtype=x.dtype, device=x.device) if is_torch(c)
            else torch.as_tensor(c, dtype=x.dtype, device=x.device) for c in coefs]


def equivariant_layer(x, a, b, c, d, e, f, g):
    """Output ``(batch, n)`` of the tied equivariant layer at ``x`` ``(batch, n)``.

    ``x`` is a numpy array or a torch tensor (then the scalar coefficients
    may also be numpy or Python numbers).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> # d = 1 only: output k is the product of the other two inputs
    >>> equivariant_layer(x, 0, 0, 0, 1, 0, 0, 0).tolist()
    [[6.0, 3.0, 2.0]]
    """
    a, b, c, d, e, f, g = _like(x, (a, b, c, d, e, f, g))
    p1 = x.sum(-1)[:, None]
    p2 = (x * x).sum(-1)[:, None]
    # The table's terms, collected in x_k: with r1 = p1 - x_k and r2 = p2 - x_k^2,
    # (r1^2 - r2) / 2 = x_k^2 - p1 x_k + (p1^2 - p2) / 2, so the output is
    # alpha x_k^2 + beta x_k + gamma with alpha a scalar and beta, gamma one per row:
    # three passes over (batch, n) instead of about fifteen.
    alpha = a - b - c + d
    beta = (c - d) * p1 + (e - f)
    gamma = b * p2 + d * (p1 * p1 - p2) / 2 + f * p1 + g
    return (alpha * x + beta) * x + gamma


def invariant_layer(x, alpha, beta, gamma, delta):
    """Outputs ``(batch, K)`` of ``K`` tied invariant neurons; coefficients have shape ``(K,)``.

    ``x`` is a numpy array or a torch tensor (then the coefficients may also be
    numpy arrays, as :func:`coefficients` returns them).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> invariant_layer(x, np.array([0.0]), np.array([1.0]), np.array([0.0]), np.array([0.0]))
    array([[11.]])
    """
    alpha, beta, gamma, delta = _like(x, (alpha, beta, gamma, delta))
    p1 = x.sum(-1)[:, None]
    p2 = (x * x).sum(-1)[:, None]
    return alpha * p2 + beta * (p1 * p1 - p2) / 2 + gamma * p1 + delta


def layer_roles(spec: NetworkSpec, kind: str) -> list[str]:
    """How ``S_n`` acts around each layer under the layer-wise tying.

    ``equivariant`` (input and output carry the permutation action),
    ``invariant`` (input permuted, outputs fixed) or ``trivial`` (input fixed:
    no power-sum form, so the layer is evaluated densely; an equivariant last
    layer there still needs identical neurons, which the tying enforces).
    Hidden layers of width ``n`` are equivariant, other hidden widths
    invariant, the last layer has ``kind``.

    Examples
    --------
    >>> layer_roles(parse_spec("3,q3,q2,q1"), "invariant")
    ['equivariant', 'invariant', 'trivial']
    """
    n = spec.n_inputs
    roles, permuted = [], True
    for idx, layer in enumerate(spec.layers):
        last = idx == len(spec.layers) - 1
        if not permuted or kind == "none" and last:
            roles.append("trivial")
            permuted = False
            continue
        want_eq = (kind == "equivariant") if last else layer.width == n
        roles.append("equivariant" if want_eq else "invariant")
        permuted = want_eq
    return roles


def _get(w, pos, name):
    i = pos.get(name)
    return 0.0 if i is None else w[i]


def _pair(w, pos, full, l, k, i, j):
    """Coefficient of ``o_i o_j`` in neuron ``k`` of layer ``l``."""
    if i == j or not full:
        i, j = min(i, j), max(i, j)
        return _get(w, pos, weight_name("A", l, k, i, j))
    return _get(w, pos, weight_name("A", l, k, i, j)) + _get(w, pos, weight_name("A", l, k, j, i))


def coefficients(spec: NetworkSpec | str, w, kind: str = "invariant") -> list:
    """The power-sum coefficients of every layer read off tied weights ``w``.

    Each entry is ``("equivariant", (a, ..., g))``, ``("invariant", (alpha,
    beta, gamma, delta))`` with arrays of shape ``(K,)``, or ``("trivial",
    None)``. Coefficients are read at representative weights, so ``w`` must be
    tied (layer-wise symmetric); :func:`forward` checks this. ``w`` is a numpy
    array (or array-like); the coefficients are numpy values, which the
    kernels also accept next to a torch ``x``.
    """
    from . import numpy_backend as nb

    spec = nb.as_spec(spec)
    w = np.asarray(w)
    pos = {name: i for i, name in enumerate(spec.weights)}
    out = []
    for (l, layer, p), role in zip(iter_layers(spec), layer_roles(spec, kind)):
        if role == "equivariant":
            k, o1, o2 = 0, 1 % p, 2 % p
            out.append((role, (
                _pair(w, pos, spec.full, l, k, k, k),
                _pair(w, pos, spec.full, l, k, o1, o1) if p >= 2 else 0.0,
                _pair(w, pos, spec.full, l, k, k, o1) if p >= 2 else 0.0,
                _pair(w, pos, spec.full, l, k, o1, o2) if p >= 3 else 0.0,
                _get(w, pos, weight_name("B", l, k, k)),
                _get(w, pos, weight_name("B", l, k, o1)) if p >= 2 else 0.0,
                _get(w, pos, weight_name("C", l, k)),
            )))
        elif role == "invariant":
            ks = range(layer.width)
            out.append((role, tuple(np.array(v, dtype=float) for v in (
                [_pair(w, pos, spec.full, l, k, 0, 0) for k in ks],
                [_pair(w, pos, spec.full, l, k, 0, 1) if p >= 2 else 0.0 for k in ks],
                [_get(w, pos, weight_name("B", l, k, 0)) for k in ks],
                [_get(w, pos, weight_name("C", l, k)) for k in ks],
            ))))
        else:
            out.append((role, None))
    return out


def forward(spec: NetworkSpec | str, w, X, kind: str = "invariant", group="symmetric",
            check: bool = True, tol: float = 1e-9):
    """Network outputs for tied ``S_n`` weights, layer by layer through power sums.

    numpy only: ``w`` and ``X`` are converted to float64 numpy arrays and the
    result is one (for torch, call the kernels on tensors with the
    :func:`coefficients`). Layers whose input is fixed by the group (after an
    invariant layer) are evaluated densely. With ``check`` the weights are verified to be tied by
    comparing with the dense forward pass on the first few rows of ``X``
    (absolute/relative tolerance ``tol``); untied weights raise
    :class:`MethodError` rather than give a silently wrong answer.

    Examples
    --------
    >>> spec = parse_spec("3,q3,q1")
    >>> w = np.zeros(len(spec.weights)); w[spec.weights.index("C2_0")] = 2.0
    >>> forward(spec, w, np.ones((2, 3))).tolist()
    [[2.0], [2.0]]
    """
    from . import numpy_backend as nb

    spec = nb.as_spec(spec)
    name = group if isinstance(group, str) else getattr(group, "name", "")
    if name != "symmetric" and not (hasattr(group, "is_symmetric") and group.is_symmetric()):
        raise GroupError(
            f"power-sum layers exist for the symmetric group only, not {group!r}; "
            "use the dense forward pass"
        )
    w = nb.check_weights(spec, w)
    X = nb.check_inputs(spec, X)
    o = X
    for lay, (A, B, C), (role, coef) in zip(nb.layout(spec), nb.unpack(spec, w),
                                          coefficients(spec, w, kind)):
        if role == "equivariant":
            t = equivariant_layer(o, *coef)
        elif role == "invariant":
            t = invariant_layer(o, *coef)
        else:
            t, _ = nb._layer_pre(o, A, B, C)
        o = t if lay.power == 1 else t**lay.power
    if check:
        dense = nb.forward(spec, w, X[:8])
        err = np.max(np.abs(dense - o[:8]), initial=0.0)
        scale = 1.0 + np.max(np.abs(dense), initial=0.0)
        if not err <= tol * scale:
            raise MethodError(
                f"the weights are not tied for S_{spec.n_inputs} ({kind}): the power-sum "
                f"and dense forward passes differ by {err:.3g}; tie them with "
                "varieties.tying or use the dense forward pass"
            )
    return o
