r"""The network and its weight Jacobian at many sample inputs, exactly mod ``p``.

The dimension of the set of functions a network computes is the generic rank
of the map ``w -> F_w``. The field computes it (Kileel, Trager and Bruna
2019; Kubjas, Li and Wiesmann 2024) without expanding anything: the rank of
the Jacobian of ``w -> (F_w(x_1), ..., F_w(x_S))`` at random sample inputs,
by back-propagation. This module does that exactly over ``GF(p)``,
vectorised over the samples, for every layer kind (``q``, ``s``, ``l``,
``a``, powers ``^R``, both indexings, any depth).

Arithmetic
    Residues are stored as float64 integers in ``[0, p)`` with
    ``p < 2^26``, so that a product of two (``< 2^52``) is exact; a matrix
    product sums at most :func:`chunk` ``= floor((2^53 - p) / (p - 1)^2)``
    products before reducing (2047 for the default primes just below
    ``2^21``), which lets numpy's BLAS do the work and stays exact. The
    default primes :data:`PRIMES` are ``2^21 - 9`` and ``2^21 - 19``.

Samples
    Row ``s`` of the sample Jacobian is the gradient in ``w`` of
    ``c_s . F_w(x_s)`` at a random input ``x_s`` and (several outputs only)
    random output weights ``c_s``, all uniform mod ``p``. The rank of
    ``S`` such rows never exceeds the rank ``r`` of the map ``w -> F_w``
    (the rows are linear functionals of the coefficient Jacobian), and
    ``S >= r`` generic rows attain it: while some nonzero ``f`` in the image
    of the differential vanishes at the rows so far, ``(x, c) -> c . f(x)``
    is a nonzero polynomial and a new generic row cuts the kernel. Since
    ``r <= min(ambient, columns)``, :func:`n_samples` takes that many plus
    :data:`EXTRA_SAMPLES` (a margin against unlucky points mod ``p``): for one
    output with at least as many columns as monomials these are as many
    samples as monomials, the field's choice.

Rank
    Each rank mod ``p`` is a rigorous **lower bound** on the generic rank over
    ``QQ`` and equals it with high probability (a drop needs the random point
    to hit the zero set of a nonzero minor: Schwartz-Zippel bounds that by
    the minor's degree over ``p``). :func:`evaluation_ranks` uses two primes,
    each at its own random point, and says whether they agree. Small
    matrices go to python-flint's ``nmod_mat``; above :data:`FLINT_MAX_ENTRIES`
    entries converting to flint costs more than the rank, and a recursive
    row echelon form whose updates are float64 BLAS products (exact as
    above) takes over.

Memory
    The Jacobian is ``S x columns`` float64 and the rank needs about as much
    again; :func:`check_memory` refuses (one line, with the size in GB and a
    way out) what exceeds ``max_memory``.

Examples
--------
>>> evaluation_ranks("2,l2^2,l1")["ranks"]      # binary quadratic forms
[3, 3]
>>> r = evaluation_ranks("3,l2^2,l1")            # sums of 2 squares in 3 variables
>>> r["ranks"], r["agree"], r["samples"]
([5, 5], True, 14)
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from math import comb
from typing import Sequence

import flint  # a core dependency, imported here so that forked sweep children start warm
import numpy as np

from ..errors import MethodError
from ..network import NetworkSpec
from ..timelimit import check_deadline

PRIMES = (2**21 - 9, 2**21 - 19)
MAX_PRIME = 2**26
MIN_PRIME = 2**10
EXTRA_SAMPLES = 8
FLINT_MAX_ENTRIES = 60_000
LEAF_ROWS = 16
# BLAS threads while the ranks run (see blas_threads); None leaves numpy's setting.
RANK_BLAS_THREADS = 1
# The Jacobian plus the rank's working copies, in units of the Jacobian.
MEMORY_FACTOR = 3.0
# Jacobian entries above which the primes' ranks run in parallel threads.
PARALLEL_MIN_ENTRIES = 2_000_000
DEFAULT_MAX_MEMORY_GB = 4.0


# ---------------------------------------------------------------------------- sizes

def output_degrees(spec: NetworkSpec) -> frozenset[int]:
    """Degrees in ``x`` that the output's monomials can have.

    Tracked layer by layer: a layer's pre-activation has the pair sums of its
    input degrees (quadratic part), the input degrees (linear part) and 0
    (constant); a power ``R`` takes ``R``-fold sums. Homogeneous networks
    (kinds ``l``, ``s``, powers) give one degree; ``q``/``a`` layers give
    several (not always all up to the top: ``2,s2,a1`` has degrees 0 and 2).

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> sorted(output_degrees(parse_spec("2,l3^2,l2^2,l1"))), sorted(output_degrees(parse_spec("2,s2,a1")))
    ([4], [0, 2])
    """
    degs = frozenset({1})
    for layer in spec.layers:
        t: set[int] = set()
        if layer.has_quadratic:
            t |= {a + b for a in degs for b in degs}
        if layer.has_linear:
            t |= degs
        if layer.has_constant:
            t.add(0)
        out = frozenset({0})
        base = frozenset(t)
        for _ in range(layer.power):
            out = frozenset(a + b for a in out for b in base)
        degs = out
    return degs


def x_monomials(n: int, d: int, degrees=None) -> list[tuple[int, ...]]:
    """Exponent tuples of the monomials in ``n`` variables of degree ``<= d`` (only ``degrees``, if given).

    By degree, then in the order of ``itertools.combinations_with_replacement``.

    Examples
    --------
    >>> x_monomials(2, 2)
    [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    """
    out = []
    for k in range(d + 1):
        if degrees is not None and k not in degrees:
            continue
        for c in itertools.combinations_with_replacement(range(n), k):
            e = [0] * n
            for i in c:
                e[i] += 1
            out.append(tuple(e))
    return out


def ambient_dim(spec: NetworkSpec) -> int:
    """Monomials the outputs can have: ``n_outputs * sum_D C(n + D - 1, D)`` over :func:`output_degrees`.

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> ambient_dim(parse_spec("3,l5^4,l1")), ambient_dim(parse_spec("2,q2,q1"))
    (15, 15)
    """
    n = spec.n_inputs
    per_output = sum(comb(n + d - 1, d) for d in output_degrees(spec))
    return spec.n_outputs * per_output


def n_samples(spec: NetworkSpec, columns: int) -> int:
    """Sample rows: ``min(ambient, columns) + EXTRA_SAMPLES`` (the reason is in the module docstring)."""
    return min(ambient_dim(spec), columns) + EXTRA_SAMPLES


def chunk(p: int) -> int:
    """Most products of residues mod ``p`` a float64 sum holds exactly (plus one residue)."""
    return max(1, (2**53 - p) // (p - 1) ** 2)


def check_prime(p) -> int:
    """``p`` as an int prime with ``2^10 < p < 2^26``, else :class:`MethodError`."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not (
            MIN_PRIME < p < MAX_PRIME) or not flint.fmpz(int(p)).is_prime():
        raise MethodError(f"prime {p!r} is invalid; give primes with 2^10 < p < 2^26 "
                          f"(default {PRIMES[0]},{PRIMES[1]}), which float64 arithmetic "
                          "handles exactly")
    return int(p)


def available_memory_gb() -> float:
    """The default memory limit: 3/4 of the available memory (``/proc/meminfo``), else 4 GB."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return 0.75 * int(line.split()[1]) / 2**20
    except OSError:
        pass
    return DEFAULT_MAX_MEMORY_GB


def check_memory(rows: int, cols: int, width: int, max_memory: float | None,
                 what: str) -> None:
    """Refuse a sample Jacobian that needs more than ``max_memory`` GB.

    ``width`` is the widest intermediate (weights or a layer's pair products
    times neurons); the estimate is ``MEMORY_FACTOR * rows * max(cols, width)``
    float64 entries.
    """
    limit = available_memory_gb() if max_memory is None else float(max_memory)
    need = MEMORY_FACTOR * rows * max(cols, width) * 8 / 2**30
    if need > limit:
        raise MethodError(
            f"the sample Jacobian of {what} needs about {need:.1f} GB ({rows:,} samples x "
            f"{cols:,} weights, float64, with working copies); the limit is {limit:.1f} GB: "
            "use a smaller network, or raise the limit (max_memory=GB, --max-memory GB)")


def _fits_twice(rows: int, cols: int, width: int, max_memory: float | None) -> bool:
    """Whether two sample Jacobians (two primes at once) fit the memory limit."""
    limit = available_memory_gb() if max_memory is None else float(max_memory)
    return 2 * MEMORY_FACTOR * rows * max(cols, width) * 8 / 2**30 <= limit


# ---------------------------------------------------------------------------- BLAS threads

_BLAS_LOCK = threading.Lock()
_BLAS_STATE = {"users": 0, "saved": None, "lib": False}


def _openblas():
    """numpy's bundled OpenBLAS (``get``, ``set`` of its thread count), or ``None``."""
    if _BLAS_STATE["lib"] is False:
        _BLAS_STATE["lib"] = None
        try:
            import ctypes
            import glob

            libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
            for path in glob.glob(os.path.join(libs, "libscipy_openblas*")):
                lib = ctypes.CDLL(path)
                get = getattr(lib, "scipy_openblas_get_num_threads64_", None)
                put = getattr(lib, "scipy_openblas_set_num_threads64_", None)
                if get is not None and put is not None:
                    _BLAS_STATE["lib"] = (get, put)
                    break
        except OSError:
            pass
    return _BLAS_STATE["lib"]


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Run the block with ``n`` BLAS threads (numpy's OpenBLAS; nothing when it is not found).

    The echelon form makes hundreds of small products, for which OpenBLAS'
    threads cost more than they give: on a loaded 2-core machine one thread
    ran ``3,l40^4,l40^4,l40^4,l1`` in 1.7 s, two in 4.7 s. Nested and
    concurrent uses share one setting; the last to leave restores it.
    ``None`` leaves the setting alone.
    """
    lib = _openblas() if n else None
    if lib is None:
        yield
        return
    get, put = lib
    with _BLAS_LOCK:
        if _BLAS_STATE["users"] == 0:
            _BLAS_STATE["saved"] = get()
            put(n)
        _BLAS_STATE["users"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_STATE["users"] -= 1
            if _BLAS_STATE["users"] == 0:
                put(_BLAS_STATE["saved"])


# ---------------------------------------------------------------------------- arithmetic

def _mod(x: np.ndarray, p: int, out: np.ndarray | None = None) -> np.ndarray:
    """``x mod p`` for float64 integers ``|x| < 2^53`` (much faster than ``np.fmod``).

    ``floor(x / p)`` from a product with ``1 / p`` is off by at most one,
    which the two (rarely taken) corrections undo; ``q p`` and ``x - q p``
    are exact. ``out`` may be ``x`` itself. ``p = None``: no reduction (float64 mode).
    """
    if p is None:
        if out is not None and out is not x:
            out[...] = x
            return out
        return x
    q = np.multiply(x, 1.0 / p)
    np.floor(q, out=q)
    q *= p
    r = np.subtract(x, q, out=q if out is None else out)
    np.add(r, p, out=r, where=r < 0)
    np.subtract(r, p, out=r, where=r >= p)
    return r


def matmul_mod(A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """``A @ B mod p`` for float64 residues, exact (sums of at most :func:`chunk` products).

    Examples
    --------
    >>> A = np.array([[3.0, 4.0]]); B = np.array([[5.0], [6.0]])
    >>> matmul_mod(A, B, 7).tolist()    # 15 + 24 = 39 = 4 mod 7
    [[4.0]]
    """
    if p is None:
        return A @ B
    k = A.shape[-1]
    step = chunk(p)
    if k <= step:
        return _mod(A @ B, p)
    out = None
    for s in range(0, k, step):
        part = A[..., s:s + step] @ B[s:s + step]
        out = _mod(part if out is None else part + out, p)
    return out


def _pow_mod(t: np.ndarray, e: int, p: int) -> np.ndarray:
    """``t ** e mod p`` elementwise by repeated squaring (``e >= 0``; ``p = None``: plain power)."""
    if p is None:
        return t ** e
    result = np.ones_like(t)
    base = t
    while e:
        if e & 1:
            result = _mod(result * base, p)
        e >>= 1
        if e:
            base = _mod(base * base, p)
    return result


def residues(values, p: int) -> np.ndarray:
    """Integers (any size, lists or arrays) as float64 residues mod ``p``."""
    arr = np.asarray(values)
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        arr = np.vectorize(lambda v: int(v) % p, otypes=[np.int64])(arr) if arr.size else \
            arr.astype(np.int64)
    else:
        arr = np.mod(arr.astype(np.int64), p)
    return arr.astype(np.float64)


# ---------------------------------------------------------------------------- forward, backward

def _layers(spec: NetworkSpec, w: np.ndarray, p: int) -> list[tuple]:
    """Per layer: its layout and its weights mod ``p`` (``A`` dense and symmetrised)."""
    from ..learn.numpy_backend import layout

    out = []
    for lay in layout(spec):
        Aw = Sym = Bw = Cw = None
        if lay.a_idx is not None:
            Aw = w[lay.a_idx]                      # (K, pairs)
            dense = np.zeros((lay.width, lay.p, lay.p))
            dense[:, lay.I, lay.J] = Aw
            Sym = _mod(dense + dense.transpose(0, 2, 1), p)   # d t_k / d o = Sym_k o + B_k
        if lay.b_idx is not None:
            Bw = w[lay.b_idx]                      # (K, p_in)
        if lay.c_idx is not None:
            Cw = w[lay.c_idx]                      # (K,)
        out.append((lay, Aw, Sym, Bw, Cw))
    return out


def forward_mod(spec: NetworkSpec, w: np.ndarray, X: np.ndarray, p: int, *,
                deadline: float | None = None, cache: list | None = None) -> np.ndarray:
    """Outputs ``(samples, n_outputs)`` mod ``p`` at the rows of ``X`` (float64 residues).

    With a list ``cache``, each layer's ``(input, pair products, t^(R-1), t)``
    is appended for :func:`jacobian_mod`.

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> spec = parse_spec("2,q1")    # x0^2 + 2 x0 x1 + 3 x1^2 + 4 x0 + 5 x1 + 6 at (1, 1)
    >>> forward_mod(spec, np.arange(1.0, 7.0), np.array([[1.0, 1.0]]), 101).tolist()
    [[21.0]]
    """
    o = X
    for lay, Aw, _, Bw, Cw in _layers(spec, w, p):
        check_deadline(deadline)
        t = np.zeros((o.shape[0], lay.width), dtype=o.dtype)
        P2 = None
        if Aw is not None:
            P2 = _mod(o[:, lay.I] * o[:, lay.J], p)
            t += matmul_mod(P2, Aw.T, p)
        if Bw is not None:
            t += matmul_mod(o, Bw.T, p)
        if Cw is not None:
            t += Cw
        t = _mod(t, p)
        if lay.power == 1:
            tr, new = None, t
        else:
            tr = _pow_mod(t, lay.power - 1, p)
            new = _mod(tr * t, p)
        if cache is not None:
            cache.append((o, P2, tr))
        o = new
    return o


def output_coefficients_mod(spec: NetworkSpec, w, p: int, *,
                            deadline: float | None = None) -> list[dict[tuple[int, ...], int]]:
    """The outputs of the network at the weights ``w`` (integers) as polynomials in ``x`` mod ``p``.

    Per output, ``{x-exponent tuple: coefficient mod p}`` (zero coefficients
    left out): the coefficients of :func:`varieties.expand.expand` evaluated
    at ``w``, computed by running the layers on python-flint polynomials in
    ``x``, never expanding in the weights. Exact: this is how an exclusion's
    polynomial is evaluated at a family's point, where the expansion in the
    weights has a million terms.

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> spec = parse_spec("2,q1")    # x0^2 + 2 x0 x1 + 3 x1^2 + 4 x0 + 5 x1 + 6
    >>> sorted(output_coefficients_mod(spec, range(1, 7), 101)[0].items())[:3]
    [((0, 0), 6), ((0, 1), 5), ((0, 2), 3)]
    """
    from ..learn.numpy_backend import layout

    w = [int(v) % p for v in w]
    ctx = flint.nmod_mpoly_ctx.get(tuple(f"x{i}" for i in range(spec.n_inputs)), p, "degrevlex")
    o = list(ctx.gens())
    for lay in layout(spec):
        check_deadline(deadline)
        pairs = ([o[i] * o[j] for i, j in zip(lay.I.tolist(), lay.J.tolist())]
                 if lay.a_idx is not None else [])
        new = []
        for k in range(lay.width):
            t = ctx.from_dict({}) + (w[int(lay.c_idx[k])] if lay.c_idx is not None else 0)
            for q, idx in zip(pairs, lay.a_idx[k].tolist() if pairs else ()):
                t += w[idx] * q
            for q, idx in zip(o, lay.b_idx[k].tolist() if lay.b_idx is not None else ()):
                t += w[idx] * q
            new.append(t ** lay.power if lay.power != 1 else t)
        o = new
    return [{tuple(int(e) for e in m): int(c) for m, c in f.to_dict().items()} for f in o]


def jacobian_mod(spec: NetworkSpec, w: np.ndarray, X: np.ndarray, p: int, *,
                 c: np.ndarray | None = None, deadline: float | None = None) -> np.ndarray:
    """Rows ``s``: the gradient in ``w`` of ``c_s . F_w(x_s)`` mod ``p`` (back-propagation).

    ``c`` (``samples x n_outputs``) weighs the outputs; ``None`` means all
    ones (one output: the plain gradient of ``F``). ``w`` and ``X`` are
    float64 residues. Per layer the weight gradient is the upstream gradient
    ``delta`` (times ``R t^(R-1)`` for a power) times the layer input
    (``B``), its pair products ``o_i o_j`` (``A``) or 1 (``C``); ``delta``
    moves down through ``(A_k + A_k^T) o + B_k``.

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> spec = parse_spec("1,l1^2,l1")   # F = b (a x)^2: dF/da = 2abx^2, dF/db = a^2 x^2
    >>> jacobian_mod(spec, np.array([3.0, 5.0]), np.array([[2.0]]), 101).tolist()
    [[19.0, 36.0]]
    """
    return _jacobian_t(spec, w, X, p, c, deadline).T


def jacobian_float(spec: NetworkSpec, w: np.ndarray, X: np.ndarray, *,
                   c: np.ndarray | None = None) -> np.ndarray:
    """:func:`jacobian_mod` in float64 (no reduction): rows ``s``, the gradient of ``c_s . F_w(x_s)``.

    Numerical, for the census' tangent-space ranks; rounding as in any
    float64 back-propagation (no tolerance is applied here).

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> jacobian_float(parse_spec("1,l1^2,l1"), np.array([3.0, 5.0]), np.array([[2.0]])).tolist()
    [[120.0, 36.0]]
    """
    X = np.asarray(X)
    return _jacobian_t(spec, np.asarray(w, dtype=np.float64),
                       X.astype(np.result_type(X, np.float64)), None, c).T


def _jacobian_t(spec, w, X, p, c=None, deadline=None) -> np.ndarray:
    """:func:`jacobian_mod` transposed (weights x samples), written layer block by block."""
    S = X.shape[0]
    cache: list = []
    forward_mod(spec, w, X, p, deadline=deadline, cache=cache)
    JT = np.empty((w.shape[0], S), dtype=np.result_type(w, X, np.float64))
    layers = _layers(spec, w, p)
    delta = np.ones((S, spec.n_outputs)) if c is None else c
    for (lay, Aw, Sym, Bw, Cw), (o, P2, tr) in zip(reversed(layers), reversed(cache)):
        check_deadline(deadline)
        dt = delta if lay.power == 1 else _mod(delta * _mod(tr * lay.power, p), p)
        K = lay.width
        # A layer's weights are one block, neuron by neuron: A pairs, then B, then C.
        start = min(int(idx.flat[0]) for idx in (lay.a_idx, lay.b_idx, lay.c_idx)
                    if idx is not None)
        npairs = P2.shape[1] if Aw is not None else 0
        per = npairs + (lay.p if Bw is not None else 0) + (1 if Cw is not None else 0)
        block = JT[start:start + K * per].reshape(K, per, S)
        dtT = dt.T
        if Aw is not None:
            part = block[:, :npairs]
            np.multiply(dtT[:, None, :], P2.T[None, :, :], out=part)
            _mod(part, p, out=part)
        if Bw is not None:
            part = block[:, npairs:npairs + lay.p]
            np.multiply(dtT[:, None, :], o.T[None, :, :], out=part)
            _mod(part, p, out=part)
        if Cw is not None:
            block[:, per - 1] = dtT
        if lay.l == 1:
            break
        g = np.zeros_like(o)
        if Sym is not None:
            Y = matmul_mod(dt, Sym.reshape(K, -1), p).reshape(S, lay.p, lay.p)
            g += _rowwise_mod(Y, o, p)
        if Bw is not None:
            g += matmul_mod(dt, Bw, p)
        delta = _mod(g, p)
    return JT


def _rowwise_mod(Y: np.ndarray, o: np.ndarray, p: int) -> np.ndarray:
    """``sum_j Y[s, i, j] o[s, j] mod p``, exact (chunked like :func:`matmul_mod`)."""
    if p is None:
        return np.einsum("sij,sj->si", Y, o)
    step = chunk(p)
    out = np.zeros(Y.shape[:2])
    for s in range(0, Y.shape[2], step):
        out = _mod(out + np.einsum("sij,sj->si", Y[:, :, s:s + step], o[:, s:s + step]), p)
    return out


# ---------------------------------------------------------------------------- rank

def rank_mod_p(A, p: int, *, deadline: float | None = None) -> int:
    """Rank of an integer matrix mod ``p``.

    python-flint's ``nmod_mat`` for small matrices or primes above ``2^26``;
    otherwise a recursive row echelon form with float64 BLAS updates (exact,
    see the module docstring). ``deadline`` is checked between blocks.

    Examples
    --------
    >>> rank_mod_p([[1, 2], [2, 4]], 7), rank_mod_p([[1, 2], [2, 5]], 7)
    (1, 2)
    """
    if not isinstance(A, np.ndarray) or A.dtype != np.float64:
        if not isinstance(A, np.ndarray) and (not len(A) or not len(A[0])):
            return 0
        if p >= MAX_PRIME:
            arr = np.asarray(A)
            if not arr.size:
                return 0
            if arr.dtype.kind in "iu":
                return _rank_flint(np.mod(arr, p), p)
            return _rank_flint(np.asarray(A, dtype=object), p)
        A = residues(A, p)
    if A.size == 0:
        return 0
    if A.shape[0] < A.shape[1]:
        # Tall: once the rows so far reach full column rank, the rest cost nothing.
        A = A.T
    if A.size <= FLINT_MAX_ENTRIES or p >= MAX_PRIME:
        return _rank_flint(A, p)
    return _rank_rec(np.ascontiguousarray(A), p, deadline)


def _rank_flint(A: np.ndarray, p: int) -> int:
    if A.dtype == object:
        rows = [[int(v) % p for v in r] for r in A]
    else:
        rows = A.astype(np.int64).tolist()
    return flint.nmod_mat(rows, p).rank()


def _sub_matmul(C: np.ndarray, A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """``(C - A @ B) mod p``, one reduction per :func:`chunk` of the inner dimension."""
    step = chunk(p)
    for s in range(0, A.shape[1], step):
        T = A[:, s:s + step] @ B[s:s + step]
        np.subtract(C, T, out=T)
        C = _mod(T, p, out=T)
    return C


def _rank_rec(A: np.ndarray, p: int, deadline: float | None) -> int:
    """Rank mod ``p``: the top half's echelon form, then the rank of the bottom's Schur complement."""
    m, n = A.shape
    if m <= LEAF_ROWS:
        return len(_rref_leaf(A, p)[0])
    check_deadline(deadline)
    piv, rest, X = _rref(A[:m // 2], p, deadline)
    if not rest.size:
        return len(piv)
    B = A[m // 2:]
    S = _sub_matmul(B[:, rest], B[:, piv], X, p) if len(piv) else B[:, rest]
    return len(piv) + _rank_rec(S, p, deadline)


def _rref(A: np.ndarray, p: int, deadline: float | None):
    """``(piv, rest, X)``: the reduced row echelon form ``E`` of ``A`` mod ``p``.

    ``E[:, piv]`` is the identity and ``X = E[:, rest]`` the other columns.
    The top half's form reduces the bottom half (its Schur complement on
    the columns left), whose form then reduces the top's: every update is a
    matrix product, a float64 BLAS call (exact, see the module docstring).
    """
    m, n = A.shape
    if m <= LEAF_ROWS:
        return _rref_leaf(A, p)
    check_deadline(deadline)
    piv1, rest1, X1 = _rref(A[:m // 2], p, deadline)
    if not rest1.size:
        return piv1, rest1, X1
    B = A[m // 2:]
    S = _sub_matmul(B[:, rest1], B[:, piv1], X1, p) if len(piv1) else B[:, rest1]
    piv2, rest2, X2 = _rref(S, p, deadline)
    if not len(piv2):
        return piv1, rest1, X1
    X1 = _sub_matmul(X1[:, rest2], X1[:, piv2], X2, p)
    return (np.concatenate([piv1, rest1[piv2]]), rest1[rest2], np.vstack([X1, X2]))


def _rref_leaf(A: np.ndarray, p: int):
    """:func:`_rref` row by row (a few rows)."""
    n = A.shape[1]
    E = np.zeros(A.shape)
    piv: list[int] = []
    for row in A:
        r = len(piv)
        if r:
            row = _sub_matmul(row[None, :], row[piv][None, :], E[:r], p)[0]
        nz = np.flatnonzero(row)
        if not nz.size:
            continue
        j = int(nz[0])
        row = _mod(row * pow(int(row[j]), -1, p), p)
        if r:
            E[:r] = _mod(E[:r] - E[:r, j:j + 1] * row, p)
        E[r] = row
        piv.append(j)
    mask = np.ones(n, dtype=bool)
    mask[piv] = False
    rest = np.flatnonzero(mask)
    return np.array(piv, dtype=np.intp), rest, E[:len(piv)][:, rest]


# ---------------------------------------------------------------------------- ranks at two primes

def evaluation_ranks(spec, *, subspace=None, primes: Sequence[int] = PRIMES, seed: int = 0,
                     deadline: float | None = None, progress: bool = False,
                     max_memory: float | None = None, rank=None) -> dict:
    """Rank of ``w -> F_w`` (or of ``theta -> F_{M theta}``) mod each prime, at its own random point.

    Parameters
    ----------
    spec : NetworkSpec or str
    subspace : matrix, optional
        An ``n_weights x k`` integer matrix ``M``: the rank of ``J M`` at
        ``w = M theta`` (tied weights, a family).
    primes : primes with ``2^10 < p < 2^26``
    seed : int
        The points (weights, inputs, output weights) are drawn from it.
    deadline : float, optional
        A ``time.perf_counter()`` value; :class:`~varieties.timelimit.TimeLimit` past it.
    progress : bool
        A progress bar (on a terminal) over primes and steps.
    max_memory : float, optional
        GB the Jacobian may take (default :func:`available_memory_gb`).
    rank : callable, optional
        ``rank(J, p)`` in place of :func:`rank_mod_p` (e.g. to test a disagreement).

    Returns
    -------
    dict
        ``ranks`` (list, per prime), ``primes``, ``agree``, ``samples``,
        ``columns``, ``seconds``.
    """
    from ..learn.numpy_backend import as_spec
    from ..progress import progress_bar

    start = time.perf_counter()
    spec = as_spec(spec)
    primes = [check_prime(q) for q in primes]
    N = spec.n_weights
    cols = N if subspace is None else (len(subspace[0]) if len(subspace) else 0)
    if subspace is not None and len(subspace) != N:
        raise MethodError(f"subspace has {len(subspace)} rows; the network {spec} has {N} "
                          "weights (one row per weight)")
    S = n_samples(spec, cols)
    width = max([N] + [lay.width * lay.p * lay.p for lay in _layouts(spec)])
    check_memory(S, N, width, max_memory, str(spec))
    ranks = []
    # No bar (and no tqdm import) unless one may be shown.
    show = progress and N * S > 10**6
    bar_cm = progress_bar(len(primes), f"rank of {spec}", "prime") if show else _NoBar()
    def one(r, p):
        check_deadline(deadline)
        rng = np.random.default_rng([seed, r, p])
        X = rng.integers(0, p, size=(S, spec.n_inputs)).astype(np.float64)
        c = None
        if spec.n_outputs > 1:
            c = rng.integers(0, p, size=(S, spec.n_outputs)).astype(np.float64)
        if subspace is None:
            w = rng.integers(1, p, size=N).astype(np.float64)
            J = _jacobian_t(spec, w, X, p, c, deadline)
        elif cols == 0:
            J = np.zeros((0, S))
        else:
            M = residues(subspace, p)
            theta = rng.integers(1, p, size=cols).astype(np.float64)
            w = matmul_mod(M, theta[:, None], p)[:, 0]
            J = matmul_mod(M.T, _jacobian_t(spec, w, X, p, c, deadline), p)
        check_deadline(deadline)
        value = rank_mod_p(J, p, deadline=deadline) if rank is None else rank(J, p)
        bar.update(1)
        return value

    # Large problems: the primes' ranks in parallel threads (numpy and BLAS
    # release the GIL), when the memory check allows two Jacobians at once.
    parallel = (len(primes) > 1 and (os.cpu_count() or 1) > 1 and N * S > PARALLEL_MIN_ENTRIES
                and _fits_twice(S, N, width, max_memory))
    with bar_cm as bar, blas_threads(RANK_BLAS_THREADS):
        if parallel:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(len(primes), os.cpu_count() or 1)) as pool:
                ranks = list(pool.map(one, range(len(primes)), primes))
        else:
            ranks = [one(r, p) for r, p in enumerate(primes)]
    return {"ranks": ranks, "primes": primes, "agree": len(set(ranks)) == 1, "samples": S,
            "columns": cols, "seconds": time.perf_counter() - start}


class _NoBar:
    """A stand-in for a hidden progress bar."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int = 1) -> None:
        pass


def _layouts(spec):
    from ..learn.numpy_backend import layout

    return layout(spec)


__all__ = ["PRIMES", "ambient_dim", "evaluation_ranks", "forward_mod", "jacobian_mod",
           "matmul_mod", "n_samples", "output_coefficients_mod", "output_degrees", "rank_mod_p"]
