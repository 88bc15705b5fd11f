r"""The neurovariety of a network: dimension, ambient and expected dimension, defect.

The *neurovariety* is the closure of the set of functions ``F_w`` a network
computes as its weights ``w`` vary (Kileel, Trager and Bruna 2019; Kubjas, Li
and Wiesmann 2024). Its dimension is the generic rank of ``w -> F_w``,
computed by evaluation mod two primes (:mod:`~varieties.algebra.evaluation`).

Ambient dimension
    The monomials the outputs can have (:func:`~varieties.algebra.evaluation.ambient_dim`):
    homogeneous networks (kinds ``l``, ``s``, powers) have one degree, ``r^(L-1)``
    for ``n, l d1^r, ..., l dL``; networks with ``q`` or ``a`` layers have
    several, up to the top degree.

Expected dimension
    ``min(ambient, params - g)`` with ``g`` the dimension of the generic
    orbit of the symmetry group of the parametrisation: the weights that give
    the same function include an orbit of this group, so ``params - g`` bounds
    the dimension above, and a defect ``expected - dim > 0`` means more
    coincidences than the group explains. The group is a product over the
    hidden layers ``i`` (width ``m``, read by layer ``i + 1``):

    ====================================  =====================================  ============
    hidden layer ``i``                    absorbed by layer ``i + 1``            dimension
    ====================================  =====================================  ============
    power ``R >= 2``, any kind            ``h_a -> mu_a h_a``: neuron ``a`` of       ``m``
                                          layer ``i`` scaled by ``mu_a^(1/R)``,
                                          layer ``i + 1`` reads ``h_a / mu_a``
    power 1, any kind                     ``h -> G h`` (``G`` in ``GL(m)``): every   ``m^2``
                                          kind is closed under linear changes
                                          of its inputs and of its neurons
    power 1, kind ``q`` or ``a``, read    ``h -> h + v`` as well (layer ``i`` has    ``+ m``
    by ``q`` or ``a``                     constants, layer ``i + 1`` has the
                                          linear and constant terms ``f(h - v)``
                                          needs): the affine group, ``m^2 + m``
    power 1, read by ``l`` or ``s``       no translations (``f(h - v)`` has          ``+ 0``
                                          terms ``l``/``s`` lack), nor when layer
                                          ``i`` is ``l``/``s`` (no constants)
    ====================================  =====================================  ============

    With the full indexing each quadratic neuron on ``p`` inputs also moves
    weight between ``A_kij`` and ``A_kji`` (``C(p, 2)`` per neuron).
    :func:`symmetry_dim` is this count. For power networks the group acts
    with finite stabilisers (each scaling moves its own neuron's weights),
    so ``g = symmetry_dim`` and the expected dimension is KTB's
    ``min(ambient, d_L + sum (d_{i-1} - 1) d_i)``. A power-1 layer can be
    wider than what it reads (``2,l5,l1``: ``GL(5)`` has a 12-dimensional
    stabiliser); there ``g`` is computed as the rank mod ``p`` of the group's
    tangent vectors (:func:`lie_matrix`) at a random point.

Known defects
    :data:`KNOWN_DEFECTS` lists the defective networks the tests rely on,
    with their published values: the Alexander-Hirschowitz exceptions (sums
    of ``h`` ``d``-th powers of linear forms in ``n`` variables, ``n,l h^d,l1``:
    quadrics with ``2 <= h < n``, and ``(n, d, h) = (3, 4, 5), (4, 4, 9), (5, 4,
    14), (5, 3, 7)``) and the deep example of Kileel, Trager and Bruna.
    Networks with a hidden layer of width 1 (a bottleneck) are defective as
    a rule: what follows it is a polynomial in one variable.

Examples
--------
>>> r = neurovariety("3,l2^2,l1")
>>> r.dim, r.ambient, r.expected, r.defect, r.filling
(5, 6, 6, 1, False)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .._result_methods import ResultMixin
from ..errors import MethodError
from ..network import NetworkSpec, parse_spec
from .evaluation import (PRIMES, ambient_dim, check_memory, evaluation_ranks, output_degrees,
                         rank_mod_p)

# Defective networks with published dimensions: spec -> (dim, expected, source).
KNOWN_DEFECTS = {
    "3,l5^4,l1": (14, 15, "Alexander-Hirschowitz: 5 fourth powers in 3 variables"),
    "4,l9^4,l1": (34, 35, "Alexander-Hirschowitz: 9 fourth powers in 4 variables"),
    "5,l14^4,l1": (69, 70, "Alexander-Hirschowitz: 14 fourth powers in 5 variables"),
    "5,l7^3,l1": (34, 35, "Alexander-Hirschowitz: 7 cubes in 5 variables"),
    "3,l2^2,l1": (5, 6, "Alexander-Hirschowitz: 2 squares in 3 variables (rank <= 2 quadrics)"),
    "4,l2^2,l1": (7, 8, "Alexander-Hirschowitz: 2 squares in 4 variables"),
    "4,l3^2,l1": (9, 10, "Alexander-Hirschowitz: 3 squares in 4 variables"),
    "2,l3^2,l2^2,l3^2,l4": (16, 22, "Kileel-Trager-Bruna 2019, deep defective example"),
}
MIN_LIE_PRIME = 2
FIELD_COLUMNS = ["architecture", "exponent", "num_parameters", "dimension_computed",
                 "ambient_dimension", "is_full_dimension", "expected_dimension", "defect"]


# ---------------------------------------------------------------------------- symmetry group

def _hidden_pairs(spec: NetworkSpec):
    """``(layout of hidden layer i, layout of layer i + 1)`` for each hidden layer."""
    from ..learn.numpy_backend import layout

    lays = layout(spec)
    return list(zip(lays[:-1], lays[1:]))


def _translations(lay, nxt) -> bool:
    return lay.power == 1 and lay.c_idx is not None and nxt.c_idx is not None \
        and nxt.b_idx is not None


def symmetry_dim(spec: NetworkSpec | str) -> int:
    """Dimension of the symmetry group of the parametrisation (table in the module docstring).

    Examples
    --------
    >>> symmetry_dim("2,l3^2,l2^2,l3^2,l4"), symmetry_dim("2,q2,q1"), symmetry_dim("2,l2,l1")
    (8, 6, 4)
    """
    spec = parse_spec(spec)
    g = 0
    for lay, nxt in _hidden_pairs(spec):
        m = lay.width
        g += m if lay.power != 1 else m * m + (m if _translations(lay, nxt) else 0)
    if spec.full:
        for layer, p in zip(spec.layers, spec.input_widths):
            if layer.has_quadratic:
                g += layer.width * p * (p - 1) // 2
    return g


def lie_matrix(spec: NetworkSpec | str, w: np.ndarray, p: int) -> np.ndarray:
    """Tangent vectors (columns, ``n_weights x symmetry_dim``) of the group at ``w``, mod ``p``.

    A generator ``h -> h + eps (E h + v)`` of hidden layer ``i`` moves layer
    ``i``'s neurons (``E_ab``: neuron ``a`` gains neuron ``b``'s weights; a
    scaling of a power layer: neuron ``a`` gains its own) and layer ``i + 1``
    compensates, ``f -> f(h - eps (E h + v))``: with ``f = h^T Q h + beta h + c``,
    ``dQ = -(E^T Q + Q E)``, ``dbeta = -E^T beta - 2 Q v``, ``dc = -beta . v``
    (``E = R e_a e_a^T`` for a scaling of a power-``R`` layer). int64
    arithmetic (a product of two residues fits), so any prime ``p < 2^31``;
    ``w`` holds residues mod ``p``.

    Examples
    --------
    >>> L = lie_matrix("2,l2,l1", np.arange(1, 7), 101)
    >>> L.shape, rank_mod_p(L, 101)     # GL(2) acts freely here
    ((6, 4), 4)
    """
    spec = parse_spec(spec)
    N = spec.n_weights
    g = symmetry_dim(spec)
    check_memory(N, g, 0, None, f"the symmetry group of {spec}")
    if not MIN_LIE_PRIME < p < 2**31:
        raise MethodError(f"prime {p} is invalid for the symmetry group's tangent vectors; "
                          "give 2 < p < 2^31")
    w = np.asarray(w).astype(np.int64) % p
    L = np.zeros((N, g), dtype=np.int64)
    inv2 = (p + 1) // 2
    col = 0
    for lay, nxt in _hidden_pairs(spec):
        m, K = lay.width, nxt.width
        own = np.concatenate([a for a in (lay.a_idx, lay.b_idx) if a is not None]
                             + ([lay.c_idx[:, None]] if lay.c_idx is not None else []), axis=1)
        Q = np.zeros((K, m, m), dtype=np.int64)
        if nxt.a_idx is not None:
            Q[:, nxt.I, nxt.J] = w[nxt.a_idx]
            Q = (Q + Q.transpose(0, 2, 1)) * inv2 % p
        beta = w[nxt.b_idx] if nxt.b_idx is not None else None
        coeff = np.where(nxt.I == nxt.J, 1, 1 if spec.full else 2)
        idx = np.arange(m)

        def next_part(a: int, scale: int, cols: np.ndarray, bs: np.ndarray) -> None:
            # Columns cols[t] for E = scale e_a e_{bs[t]}^T.
            nb = len(bs)
            if nxt.a_idx is not None:
                D = np.zeros((nb, K, m, m), dtype=np.int64)
                D[np.arange(nb), :, bs, :] -= Q[:, a, :]
                D[np.arange(nb), :, :, bs] -= Q[:, :, a]
                vals = D[:, :, nxt.I, nxt.J] * coeff * scale        # (nb, K, pairs)
                L[nxt.a_idx.ravel()[:, None], cols[None, :]] += vals.reshape(nb, -1).T
            if beta is not None:
                for t, b in enumerate(bs):
                    L[nxt.b_idx[:, b], cols[t]] -= scale * beta[:, a]

        if lay.power != 1:
            for a in range(m):
                L[own[a], col] += w[own[a]]
                next_part(a, lay.power, np.array([col]), np.array([a]))
                col += 1
            continue
        for a in range(m):
            cols = np.arange(col, col + m)
            L[own[a][:, None], cols[None, :]] += w[own].T
            next_part(a, 1, cols, idx)
            col += m
        if _translations(lay, nxt):
            for a in range(m):
                L[lay.c_idx[a], col] += 1
                if Q is not None and nxt.a_idx is not None:
                    L[nxt.b_idx, col] -= 2 * Q[:, :, a]
                L[nxt.c_idx, col] -= beta[:, a]
                col += 1
    if spec.full:
        from ..learn.numpy_backend import layout

        for lay in layout(spec):
            if lay.a_idx is None:
                continue
            pos = {(int(i), int(j)): t for t, (i, j) in enumerate(zip(lay.I, lay.J))}
            for k in range(lay.width):
                for (i, j), t in pos.items():
                    if i < j:
                        L[lay.a_idx[k, t], col] = 1
                        L[lay.a_idx[k, pos[(j, i)]], col] = -1
                        col += 1
    assert col == g
    return L % p


def orbit_dim(spec: NetworkSpec | str, *, seed: int = 0, p: int = PRIMES[0],
              deadline: float | None = None) -> int:
    """Dimension of the generic orbit of the symmetry group (:func:`symmetry_dim` less stabilisers).

    Power networks without the full indexing: :func:`symmetry_dim` (finite
    stabilisers, see the module docstring). Otherwise the rank mod ``p`` of
    :func:`lie_matrix` at a random point: a lower bound on the generic orbit
    dimension, exact with high probability.

    Examples
    --------
    >>> orbit_dim("2,l5,l1"), symmetry_dim("2,l5,l1")
    (13, 25)
    """
    spec = parse_spec(spec)
    if not spec.full and all(lay.power != 1 for lay, _ in _hidden_pairs(spec)):
        return symmetry_dim(spec)
    rng = np.random.default_rng([seed, p, 7])
    w = rng.integers(1, p, size=spec.n_weights)
    return rank_mod_p(lie_matrix(spec, w, p), p, deadline=deadline)


def expected_dim(spec: NetworkSpec | str, *, seed: int = 0) -> int:
    """``min(ambient, params - orbit_dim)``: the expected dimension of the neurovariety.

    Examples
    --------
    >>> expected_dim("2,l3^2,l2^2,l3^2,l4"), expected_dim("3,q3,q1")
    (22, 28)
    """
    spec = parse_spec(spec)
    return min(ambient_dim(spec), spec.n_weights - orbit_dim(spec, seed=seed))


# ---------------------------------------------------------------------------- the report

@dataclass
class NeurovarietyResult(ResultMixin):
    """Dimension of a neurovariety with its ambient and expected dimensions.

    Attributes
    ----------
    spec : str
    dim : int or None
        The larger of the two ranks (``None`` on a timeout); a rigorous lower
        bound, the dimension with high probability (when ``agree``).
    ambient, expected, defect : int
        ``defect = expected - dim`` (``None`` on a timeout).
    filling : bool or None
        ``dim == ambient``.
    params, symmetry, orbit : int
        Weights, the symmetry group's dimension and its generic orbit's.
    primes, ranks : list of int
    agree : bool or None
    samples : int
        Sample rows of the Jacobian.
    degrees : list of int
        Degrees of the output's monomials.
    status : str
        ``ok`` or ``timeout`` (stopped before the symmetry orbit was known:
        ``orbit`` 0 and ``expected`` the trivial ``min(ambient, params)``).
    seconds : float
    """

    spec: str
    dim: int | None
    ambient: int
    expected: int
    defect: int | None
    filling: bool | None
    params: int
    symmetry: int
    orbit: int
    primes: list[int] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    agree: bool | None = None
    samples: int = 0
    degrees: list[int] = field(default_factory=list)
    status: str = "ok"
    seed: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """Plain values: the CLI's JSON."""
        return {"spec": self.spec, "dim": self.dim, "ambient": self.ambient,
                "expected": self.expected, "defect": self.defect, "filling": self.filling,
                "params": self.params, "symmetry": self.symmetry, "orbit": self.orbit,
                "primes": list(self.primes), "ranks": list(self.ranks), "agree": self.agree,
                "samples": self.samples, "degrees": list(self.degrees), "status": self.status,
                "seed": self.seed, "seconds": round(self.seconds, 4)}

    def to_row(self) -> dict:
        """The field's columns (:data:`FIELD_COLUMNS`), then ``spec`` and the checks."""
        spec = parse_spec(self.spec)
        widths = [spec.n_inputs] + [layer.width for layer in spec.layers]
        powers = sorted({layer.power for layer in spec.layers[:-1]}) or [1]
        return {"architecture": "(" + ", ".join(map(str, widths)) + ")",
                "exponent": "-".join(map(str, powers)), "num_parameters": self.params,
                "dimension_computed": self.dim, "ambient_dimension": self.ambient,
                "is_full_dimension": self.filling, "expected_dimension": self.expected,
                "defect": self.defect, "spec": self.spec,
                "kinds": "-".join(layer.kind for layer in spec.layers),
                "agree": self.agree, "samples": self.samples}

    def to_frame(self):
        """A one-row pandas DataFrame of :meth:`to_dict`."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])

    def summary(self) -> str:
        """A few lines for people."""
        if self.dim is None:
            head = f"{self.spec}: time limit reached before the ranks were done"
        else:
            state = "filling" if self.filling else (
                "defective" if self.defect else "non-defective")
            head = (f"{self.spec}: neurovariety of dimension {self.dim} in an ambient space of "
                    f"dimension {self.ambient} ({state}; expected {self.expected}, defect "
                    f"{self.defect})")
        agree = "agree" if self.agree else "DISAGREE (the larger is a lower bound)"
        return "\n".join([
            head,
            f"  {self.params} weights, symmetry group of dimension {self.symmetry} "
            f"(generic orbit {self.orbit}); output degrees {self.degrees}",
            f"  ranks {self.ranks} mod {self.primes}, which {agree}; {self.samples} sample "
            f"rows; {self.seconds:.3f} s (modular)"])


def neurovariety(spec: NetworkSpec | str, *, primes: Sequence[int] = PRIMES, seed: int = 0,
                 timeout: float | None = None, max_memory: float | None = None,
                 progress: bool = False) -> NeurovarietyResult:
    """Dimension, ambient and expected dimension, and defect of the network's neurovariety.

    Parameters
    ----------
    spec : NetworkSpec or str
        Any network (every layer kind, power and depth, both indexings).
    primes : two primes, ``2^10 < p < 2^26``
    seed : int
        Seed of the random points (weights, sample inputs).
    timeout : float, optional
        Seconds; past them the result has ``status`` ``timeout`` and no ``dim``.
    max_memory : float, optional
        GB the sample Jacobian may take (default: 3/4 of the available memory);
        more raises :class:`~varieties.errors.MethodError`, with the size.
    progress : bool
        A progress bar on long runs (on a terminal).

    Examples
    --------
    >>> r = neurovariety("2,l3^2,l2^2,l3^2,l4")      # Kileel-Trager-Bruna's example
    >>> r.dim, r.expected, r.ambient, r.agree
    (16, 22, 36, True)
    """
    from ..learn.numpy_backend import check_seed
    from ..timelimit import TimeLimit, check_timeout

    start = time.perf_counter()
    spec = parse_spec(spec)
    seed = check_seed(seed)
    if len(primes) < 1:
        raise MethodError("give at least one prime (two are recommended), e.g. --primes "
                          f"{PRIMES[0]},{PRIMES[1]}")
    deadline = None if timeout is None else start + check_timeout(timeout, "timeout",
                                                                  MethodError)
    ambient = ambient_dim(spec)
    base = dict(spec=str(spec), ambient=ambient, params=spec.n_weights,
                symmetry=symmetry_dim(spec), seed=seed, degrees=sorted(output_degrees(spec)))
    try:
        orbit = orbit_dim(spec, seed=seed, deadline=deadline)
    except TimeLimit:
        return NeurovarietyResult(dim=None, defect=None, filling=None, status="timeout",
                                  expected=min(ambient, spec.n_weights), orbit=0,
                                  primes=[int(q) for q in primes],
                                  seconds=time.perf_counter() - start, **base)
    expected = min(ambient, spec.n_weights - orbit)
    base.update(expected=expected, orbit=orbit)
    try:
        res = evaluation_ranks(spec, primes=primes, seed=seed, deadline=deadline,
                               progress=progress, max_memory=max_memory)
    except TimeLimit:
        return NeurovarietyResult(dim=None, defect=None, filling=None, status="timeout",
                                  primes=[int(q) for q in primes],
                                  seconds=time.perf_counter() - start, **base)
    dim = max(res["ranks"])
    return NeurovarietyResult(dim=dim, defect=expected - dim, filling=dim == ambient,
                              primes=res["primes"], ranks=res["ranks"], agree=res["agree"],
                              samples=res["samples"], seconds=time.perf_counter() - start,
                              **base)
