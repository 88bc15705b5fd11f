"""Function-space dimension: the rank of ``w -> (x-coefficients of F)``.

The network functions a set of weights can realise form the image of the
polynomial map ``phi: w -> (coefficients of F in x)``; its dimension is the
generic rank of the Jacobian of ``phi``. It is computed **exactly modulo a
large prime** at a random integer point and confirmed with a second prime and
point: the rank mod ``p`` at a point never exceeds the generic rank over
``QQ``, so each value is a rigorous lower bound, and two independent draws
agreeing make it the generic rank with overwhelming probability.

With no symmetry (``kind="none"``) and a network ``n, l d1^r, ..., l dL``
this is the dimension of the *neurovariety* of Kileel, Trager and Bruna
(2019) and Kubjas, Li and Wiesmann (2024), whose expected dimension is
:func:`expected_neurovariety_dim`. With a group, the weights are restricted
to the layer-wise tied subspace (:func:`varieties.tying.tying`) and the rank
is that of ``J_phi M``.

Examples
--------
>>> function_dim("2,l2^2,l1")      # binary quadratic forms: 3-dimensional
3
>>> function_dim("3,l2^2,l1"), expected_neurovariety_dim("3,l2^2,l1")   # defective
(5, 6)
"""

from __future__ import annotations

import random
from math import comb
from typing import Sequence

import numpy as np

from ..errors import SpecError
from ..expand import expand
from ..network import NetworkSpec, parse_spec
from .families import rank_mod_p

PRIMES = (2**31 - 1, 2**31 - 19)


def _jacobian_rows(spec: NetworkSpec, point: Sequence[int], p: int,
                   deadline: float | None = None, e=None):
    """Rows = x-coefficients of all outputs, columns = weights; exact mod ``p``.

    ``deadline``: checked per row (:class:`~.engines.TimeLimit` past it);
    ``e``: the expansion of ``spec``, when the caller already has it.
    """
    from .engines import check_deadline

    e = e if e is not None else expand(spec, backend="auto")
    rows = []
    nv = len(spec.weights)
    for k in range(spec.n_outputs):
        for m, c in sorted(e.coeffs[k].items()):
            check_deadline(deadline)
            row = []
            if e.backend == "flint":
                for j in range(nv):
                    d = c.derivative(j)
                    v = d(*point) if d != 0 else 0
                    row.append(int(v.p) * pow(int(v.q), -1, p) % p if v != 0 else 0)
            else:
                R = e.ring
                for j in range(nv):
                    d = c.diff(R.gens[j])
                    v = d(*point) if d else 0
                    row.append(int(v.numerator) * pow(int(v.denominator), -1, p) % p if v else 0)
            rows.append(row)
    return rows


def jacobian_mod_p(spec: NetworkSpec | str, point: Sequence[int], p: int) -> list[list[int]]:
    """The Jacobian of ``w -> coefficients`` at an integer ``point``, mod ``p``."""
    spec = parse_spec(spec)
    return _jacobian_rows(spec, point, p)


def _tied_matrix(spec, group, kind):
    from ..tying import tying
    from .families import _tying_matrix

    t = tying(spec, group, kind, full=spec.full)
    return _tying_matrix(t)


def function_dim(spec: NetworkSpec | str, group=None, kind: str = "none",
                 subspace: Sequence[Sequence[int]] | None = None, seed: int = 0,
                 primes: Sequence[int] = PRIMES, return_details: bool = False,
                 deadline: float | None = None):
    """Dimension of the space of functions the network (optionally symmetric) computes.

    Parameters
    ----------
    spec : NetworkSpec or str
    group : str or PermutationGroup, optional
        With a group (and ``kind`` not ``none``) the weights are restricted to
        the layer-wise tied subspace of that symmetry.
    kind : str
        ``none`` (the neurovariety), or an output action for the tying.
    subspace : matrix, optional
        An explicit ``n_weights x k`` integer matrix ``M``: the rank of ``J M``.
    seed : int
    primes : two primes
        The rank is computed mod each, at independent random points. Each rank
        is a rigorous lower bound and the larger is returned; they should
        agree, and ``details["agree"]`` says whether they did (a disagreement
        means one point or prime was unlucky: treat the value with care).
    deadline : float, optional
        A ``time.perf_counter()`` value; past it the computation stops and
        the value is ``None`` (``details["timeout"]`` is then true).

    Returns
    -------
    int or None, or ``(int or None, dict)`` with ``return_details``; the dict
    has ``ranks`` (per prime), ``agree``, ``seed`` and ``timeout``.
    """
    from .engines import TimeLimit

    spec = parse_spec(spec)
    M = subspace
    if M is None and group is not None and kind != "none":
        M = _tied_matrix(spec, group, kind)
    try:
        ranks = _ranks(spec, M, seed, primes, deadline)
    except TimeLimit:
        details = {"ranks": {}, "agree": None, "seed": seed, "timeout": True}
        return (None, details) if return_details else None
    value = max(ranks)
    details = {"ranks": dict(zip(map(int, primes), ranks)), "agree": len(set(ranks)) == 1,
               "seed": seed, "timeout": False}
    return (value, details) if return_details else value


def _ranks(spec, M, seed, primes, deadline) -> list[int]:
    from .engines import check_deadline

    check_deadline(deadline)
    e = expand(spec, backend="auto")
    ranks = []
    for r, p in enumerate(primes):
        rng = random.Random(f"fdim:{seed}:{r}")
        if M is None:
            point = [rng.randrange(1, p) for _ in spec.weights]
        else:
            theta = [rng.randrange(1, p) for _ in range(len(M[0]) if M else 0)]
            point = [sum(a * t for a, t in zip(row, theta)) % p for row in M]
        J = _jacobian_rows(spec, point, p, deadline, e)
        if M is not None:
            Jn = np.array(J, dtype=object)
            Mn = np.array(M, dtype=object) % p
            J = ((Jn.dot(Mn)) % p).tolist() if len(J) else []
        check_deadline(deadline)
        ranks.append(rank_mod_p(J, p) if J else 0)
    return ranks


def function_dim_float(spec: NetworkSpec | str, seed: int = 0, tol: float = 1e-9) -> int:
    """Independent float64 check: SVD rank of the Jacobian at a random real point.

    Numerical (float64); singular values below ``tol * max`` count as zero.
    """
    spec = parse_spec(spec)
    e = expand(spec, backend="sympy")
    rng = np.random.default_rng(seed)
    w = rng.normal(size=len(spec.weights))
    R = e.ring
    rows = []
    for k in range(spec.n_outputs):
        for m, c in sorted(e.coeffs[k].items()):
            rows.append([float(c.diff(g)(*w)) if c.diff(g) else 0.0 for g in R.gens])
    s = np.linalg.svd(np.array(rows, dtype=float), compute_uv=False)
    return int((s > tol * s.max()).sum())


def expected_neurovariety_dim(spec: NetworkSpec | str) -> int:
    """``min(ambient, sum d_i d_{i-1} - sum_hidden d_i)`` for ``n, l d1^r, ..., l dL``.

    The formula of Kileel, Trager and Bruna (2019) for polynomial networks with
    one power ``r`` on every hidden layer and a linear last layer; ``ambient``
    is ``dL * C(n + D - 1, D)``, homogeneous forms of degree ``D = r^(L-1)``.
    """
    spec = parse_spec(spec)
    layers = spec.layers
    if any(l.kind != "l" for l in layers) or layers[-1].power != 1:
        raise SpecError(f"{spec} is not of the form n,l d1^r,...,l dL (linear layers, powers on "
                        "hidden layers, linear last layer) for which the formula is stated")
    powers = {l.power for l in layers[:-1]}
    if len(powers) > 1:
        raise SpecError(f"{spec} mixes activation powers {sorted(powers)}; the formula needs one r")
    r = powers.pop() if powers else 1
    d = [spec.n_inputs] + [l.width for l in layers]
    D = r ** (len(layers) - 1)
    ambient = d[-1] * comb(d[0] + D - 1, D)
    params = sum(d[i] * d[i - 1] for i in range(1, len(d))) - sum(d[1:-1])
    return min(ambient, params)
