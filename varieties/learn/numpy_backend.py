r"""Batched forward and backward passes of quadratic networks in numpy (float64).

The weights travel as one flat vector ``w`` in :attr:`NetworkSpec.weights`
order. Each layer's quadratic weights are scattered into a dense tensor
``A[k, i, j]`` (upper triangle for the default ``i <= j`` indexing, every
entry for ``full``), so that both indexings share one formula

.. math:: t_k = o^\top A_k o + B_k o + C_k, \qquad o'_k = t_k^R .

Back-propagation (notes, section 7.1, eqs. 26-30) done right:

* ``dt_k / dA_kij = o_i o_j`` (eq. 27), gathered only at the stored pairs;
* ``dt_k / do = (A_k + A_k^T) o + B_k``. The notes' eq. 29 has
  ``sum_j W_kj o_j``, which forgets the transpose: with ``i <= j`` the weight
  ``A_ik`` (``i < k``) also multiplies ``o_k``, and the square ``A_kk o_k^2``
  contributes ``2 A_kk o_k``;
* the power ``^R`` multiplies the incoming gradient by ``R t^{R-1}``.

Everything is vectorised over the batch; the cost of a quadratic layer is
``O(batch * width * p^2)`` for input width ``p``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import DataError, MethodError
from ..network import NetworkSpec, iter_layers, parse_spec, quadratic_pairs

DTYPES = ("float64", "float32")
# Names torch gives its float dtypes that numpy reads differently ("float" is
# float32 in torch but float64 in numpy).
_TORCH_NAMES = {"float64": "float64", "double": "float64", "float32": "float32",
                "float": "float32"}


def as_spec(spec: NetworkSpec | str) -> NetworkSpec:
    """``spec`` parsed, without rebuilding an existing :class:`NetworkSpec`."""
    return spec if isinstance(spec, NetworkSpec) else parse_spec(spec)


@dataclass(frozen=True)
class LayerSlices:
    """Where one layer's weights sit in the flat vector.

    ``a_idx[k, m]`` is the flat position of ``A{l}_{k}_{I[m]}_{J[m]}``;
    ``b_idx[k, i]`` of ``B{l}_{k}_{i}``; ``c_idx[k]`` of ``C{l}_{k}``.
    Absent parts are ``None``. (Not to be confused with
    :class:`varieties.orbits.LayerLayout`, the per-weight arrays of one layer
    on its own; this class was called ``LayerLayout`` before 0.2.0.)
    """

    l: int
    kind: str
    width: int
    power: int
    p: int
    I: np.ndarray
    J: np.ndarray
    a_idx: np.ndarray | None
    b_idx: np.ndarray | None
    c_idx: np.ndarray | None


def __getattr__(name: str):
    # The old name of LayerSlices, kept for one release.
    if name == "LayerLayout":
        from .._deprecate import warn

        warn("varieties.learn.numpy_backend.LayerLayout is now LayerSlices")
        return LayerSlices
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=64)
def layout(spec: NetworkSpec) -> tuple[LayerSlices, ...]:
    """The flat-vector layout of every layer of ``spec`` (cached).

    Positions are counted, not looked up by name: a layer's weights start
    where the previous layer's end (``spec.weights`` order), neuron ``k``'s at
    ``k`` times the layer's stride, and within a neuron come its A, B, C parts
    with the sizes of :meth:`LayerSpec.part_sizes`.

    Examples
    --------
    >>> lay = layout(parse_spec("2,q1"))
    >>> lay[0].a_idx.tolist(), lay[0].b_idx.tolist(), lay[0].c_idx.tolist()
    ([[0, 1, 2]], [[3, 4]], [5])
    """
    out = []
    offset = 0
    for l, layer, p in iter_layers(spec):
        pairs = quadratic_pairs(p, spec.full)
        I = np.array([i for i, _ in pairs], dtype=np.intp)
        J = np.array([j for _, j in pairs], dtype=np.intp)
        K = layer.width
        n_a, n_b, n_c = layer.part_sizes(p, spec.full)
        stride = n_a + n_b + n_c
        pos = offset + np.arange(K * stride, dtype=np.intp).reshape(K, stride)
        a = pos[:, :n_a].copy() if layer.has_quadratic else None
        b = pos[:, n_a:n_a + n_b].copy() if layer.has_linear else None
        c = pos[:, n_a + n_b].copy() if layer.has_constant else None
        out.append(LayerSlices(l, layer.kind, K, layer.power, p, I, J, a, b, c))
        offset += K * stride
    return tuple(out)


def unpack(spec: NetworkSpec, w: np.ndarray) -> list[tuple]:
    """Per layer ``(A, B, C)``: dense ``(K, p, p)``, ``(K, p)``, ``(K,)`` or ``None``."""
    out = []
    for lay in layout(spec):
        A = B = C = None
        if lay.a_idx is not None:
            A = np.zeros((lay.width, lay.p, lay.p), dtype=w.dtype)
            A[:, lay.I, lay.J] = w[lay.a_idx]
        if lay.b_idx is not None:
            B = w[lay.b_idx]
        if lay.c_idx is not None:
            C = w[lay.c_idx]
        out.append((A, B, C))
    return out


def is_torch(x) -> bool:
    """Whether ``x`` is a torch object (a tensor or a dtype), checked without importing torch."""
    return type(x).__module__.partition(".")[0] == "torch"


def dtype_name(dtype) -> str:
    """``dtype`` as ``'float64'`` or ``'float32'``, else :class:`MethodError`.

    Accepts those strings (also ``'torch.float32'`` and numpy aliases such as
    ``'f4'``), numpy dtypes and scalar types, and torch dtypes (recognised
    without importing torch, so that the numpy backend never needs it);
    ``None`` means the default, float64.

    Examples
    --------
    >>> dtype_name(np.float32), dtype_name("float64"), dtype_name(None)
    ('float32', 'float64', 'float64')
    >>> dtype_name("float16")
    Traceback (most recent call last):
    ...
    varieties.errors.MethodError: dtype 'float16' is not supported; use 'float64' or 'float32'
    """
    name = None
    if dtype is None:
        name = "float64"
    elif isinstance(dtype, str) and dtype.startswith("torch."):
        name = _TORCH_NAMES.get(dtype[len("torch."):])
    elif is_torch(dtype):   # a torch.dtype; str() is 'torch.float32'
        name = _TORCH_NAMES.get(str(dtype).removeprefix("torch."))
    else:
        try:
            name = np.dtype(dtype).name
        except (TypeError, ValueError):
            pass
    if name not in DTYPES:
        raise MethodError(f"dtype {dtype!r} is not supported; use 'float64' or 'float32'")
    return name


def check_int(value, name: str, minimum: int = 0) -> int:
    """``value`` as an int ``>= minimum``, else :class:`MethodError` saying what is wanted.

    Examples
    --------
    >>> check_int(-1, "seed")
    Traceback (most recent call last):
    ...
    varieties.errors.MethodError: seed = -1 is invalid; give an integer >= 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise MethodError(f"{name} = {value!r} is invalid; give an integer >= {minimum}")
    return int(value)


def check_seed(seed) -> int:
    """A seed as an int ``>= 0``; ``None`` draws a fresh one (so that it can be recorded).

    Examples
    --------
    >>> check_seed(3), 0 <= check_seed(None) < 2**31
    (3, True)
    """
    if seed is None:
        return int(np.random.default_rng().integers(2**31))
    return check_int(seed, "seed")


def check_weights(spec: NetworkSpec, w) -> np.ndarray:
    """``w`` as a float64 vector of the right length, else :class:`DataError`."""
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (len(spec.weights),):
        raise DataError(
            f"weight vector has shape {w.shape}; the network {spec} has "
            f"{len(spec.weights)} weights (a flat vector in spec.weights order)"
        )
    return w


def check_inputs(spec: NetworkSpec, X, name: str = "X") -> np.ndarray:
    """``X`` as a finite float64 array ``(batch, n_inputs)``, else :class:`DataError`."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and spec.n_inputs == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != spec.n_inputs:
        raise DataError(
            f"{name} has shape {X.shape}; the network {spec} needs (n_samples, "
            f"{spec.n_inputs}): one row per sample, one column per input"
        )
    return check_finite(X, name)


def check_targets(spec: NetworkSpec, X: np.ndarray, y, name: str = "y") -> np.ndarray:
    """``y`` as a finite ``(n_samples, n_outputs)`` float array matching ``X``."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1 and spec.n_outputs == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape != (X.shape[0], spec.n_outputs):
        raise DataError(
            f"{name} has shape {y.shape}; with {X.shape[0]} input rows the network {spec} "
            f"needs ({X.shape[0]}, {spec.n_outputs}): one row per sample, one column per output"
        )
    return check_finite(y, name)


def check_finite(A: np.ndarray, name: str, fix: str | None = None) -> np.ndarray:
    """``A`` unchanged if every entry is finite, else :class:`DataError` naming the first bad one.

    ``fix`` replaces the advice at the end of the message (default: drop or
    impute the samples, or values for arrays that are not 2-D).

    Examples
    --------
    >>> check_finite(np.array([1.0, np.nan]), "w0", "give finite weights")
    Traceback (most recent call last):
    ...
    varieties.errors.DataError: w0 contains NaN or inf (first at index 1); give finite weights
    """
    A = np.asarray(A)
    if not np.all(np.isfinite(A)):
        bad = [int(i) for i in np.argwhere(~np.isfinite(A))[0]]
        # Rows of 2-D data are samples; weight vectors and other arrays are only indexed.
        if A.ndim == 2:
            where, what = f" (first at row {bad[0]}, column {bad[1]})", "samples"
        elif A.ndim == 1:
            where, what = f" (first at index {bad[0]})", "values"
        else:
            where, what = (f" (first at index {tuple(bad)})" if bad else ""), "values"
        raise DataError(f"{name} contains NaN or inf{where}; "
                        + (fix or f"drop or impute those {what}"))
    return A


def forward(spec: NetworkSpec | str, w, X, return_cache: bool = False):
    """Network outputs ``(batch, n_outputs)`` for inputs ``X`` ``(batch, n_inputs)``.

    With ``return_cache`` also return what :func:`backward` needs.

    Examples
    --------
    >>> spec = parse_spec("2,q1")
    >>> # x0^2 + 2 x0 x1 + 3 x1^2 + 4 x0 + 5 x1 + 6 at (1, 1)
    >>> forward(spec, [1, 2, 3, 4, 5, 6], [[1.0, 1.0]]).tolist()
    [[21.0]]
    """
    spec = as_spec(spec)
    w = check_weights(spec, w)
    o = check_inputs(spec, X)
    cache = []
    for lay, (A, B, C) in zip(layout(spec), unpack(spec, w)):
        t, U = _layer_pre(o, A, B, C)
        cache.append((o, A, B, C, t, U))
        o = t if lay.power == 1 else t ** lay.power
    return (o, cache) if return_cache else o


def _layer_pre(o, A, B, C):
    """Pre-activation ``t`` and ``U[b, k, j] = sum_i o_bi A_kij`` (reused backwards)."""
    batch, p = o.shape
    t = 0.0
    U = None
    if A is not None:
        K = A.shape[0]
        U = (o @ A.transpose(1, 0, 2).reshape(p, K * p)).reshape(batch, K, p)
        t = np.einsum("bkj,bj->bk", U, o)
    if B is not None:
        t = t + o @ B.T
    if C is not None:
        t = t + C
    if np.isscalar(t):
        t = np.zeros((batch, 0))
    return t, U


def backward(spec: NetworkSpec | str, w, cache, grad_out) -> np.ndarray:
    """Gradient of ``sum(grad_out * F(X))`` with respect to the flat weights.

    ``cache`` comes from ``forward(..., return_cache=True)``.
    """
    spec = as_spec(spec)
    w = check_weights(spec, w)
    grad = np.zeros_like(w)
    g = np.asarray(grad_out, dtype=np.float64)
    for lay, (o, A, B, C, t, U) in zip(reversed(layout(spec)), reversed(cache)):
        dt = g if lay.power == 1 else g * (lay.power * t ** (lay.power - 1))
        batch, p = o.shape
        K = lay.width
        g_o = np.zeros_like(o)
        if A is not None:
            # dE/dA_kij = sum_b delta_bk o_bi o_bj (eq. 27 summed over the batch).
            gA = ((dt[:, :, None] * o[:, None, :]).reshape(batch, K * p).T @ o).reshape(K, p, p)
            grad[lay.a_idx] += gA[:, lay.I, lay.J]
            # d t_k / d o = (A_k + A_k^T) o: U carries A^T o, V carries A o.
            V = (o @ A.transpose(2, 0, 1).reshape(p, K * p)).reshape(batch, K, p)
            g_o += np.einsum("bk,bki->bi", dt, U + V)
        if B is not None:
            grad[lay.b_idx] += dt.T @ o
            g_o += dt @ B
        if C is not None:
            grad[lay.c_idx] += dt.sum(axis=0)
        g = g_o
    return grad


def mse(pred: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error over all entries."""
    return float(np.mean((pred - y) ** 2))


def loss_and_grad(spec: NetworkSpec | str, w, X, y) -> tuple[float, np.ndarray]:
    """Mean squared error of the network on ``(X, y)`` and its gradient in ``w``.

    Examples
    --------
    >>> spec = parse_spec("1,l1")
    >>> loss, g = loss_and_grad(spec, [2.0], [[1.0], [2.0]], [[1.0], [2.0]])
    >>> loss, g.tolist()   # residuals 1 and 2: mean 2.5; gradient mean(2 r x) = 5
    (2.5, [5.0])
    """
    spec = as_spec(spec)
    out, cache = forward(spec, w, X, return_cache=True)   # checks w and X
    y = check_targets(spec, out, y)   # one row per input row: out has as many as X
    r = out - y
    loss = float(np.mean(r**2))
    grad = backward(spec, w, cache, 2.0 * r / r.size)
    return loss, grad
