"""Function-space dimension: the rank of ``w -> F_w``, by evaluation mod ``p``.

The network functions a set of weights can realise form the image of the
polynomial map ``phi: w -> F_w``; its dimension is the generic rank of the
differential of ``phi``. It is computed as the field does (Kileel, Trager
and Bruna 2019; Kubjas, Li and Wiesmann 2024): the rank of the Jacobian of
``w -> (F_w(x_s))_s`` at random sample inputs, by back-propagation, **exactly
modulo a prime** at a random point, and again for a second prime and point
(:mod:`varieties.algebra.evaluation`; nothing is expanded). Each rank mod
``p`` is a rigorous lower bound on the generic rank over ``QQ``; two
independent draws agreeing make it the generic rank with overwhelming
probability.

With no symmetry (``kind="none"``) this is the dimension of the
*neurovariety* (:func:`varieties.algebra.neurovariety.neurovariety` reports it with the
expected dimension and the defect). With a group, the weights are
restricted to the layer-wise tied subspace (:func:`varieties.tying.tying`)
and the rank is that of ``J_phi M``; ``subspace`` gives ``M`` directly (a
family of :mod:`~varieties.algebra.families`).

The expansion-based rank (:func:`function_dim_expansion`, the Jacobian of
``w -> x-coefficients``) is kept as an independent test oracle for small
networks.

Examples
--------
>>> function_dim("2,l2^2,l1")      # binary quadratic forms: 3-dimensional
3
>>> function_dim("3,l2^2,l1"), expected_neurovariety_dim("3,l2^2,l1")   # defective
(5, 6)
"""

from __future__ import annotations

import random
from typing import Sequence

import numpy as np

from .._deprecate import deadline_to_timeout, deprecated_call
from ..actions import resolve_kind
from ..expand import expand
from ..network import NetworkSpec, parse_spec
from ..timelimit import deadline_after
from .evaluation import PRIMES, evaluation_ranks, rank_mod_p

# The oracle's primes (python-flint takes any prime below 2^63).
ORACLE_PRIMES = (2**31 - 1, 2**31 - 19)


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


@deprecated_call(positional=("subspace", "seed", "primes", "return_details", "deadline"),
                 renamed={"deadline": ("timeout", deadline_to_timeout)})
def function_dim(spec: NetworkSpec | str, group=None, kind: str | None = None, *,
                 subspace: Sequence[Sequence[int]] | None = None, seed: int = 0,
                 primes: Sequence[int] = PRIMES, return_details: bool = False,
                 timeout: float | None = None, progress: bool = False,
                 max_memory: float | None = None):
    """Dimension of the space of functions the network (optionally symmetric) computes.

    Parameters
    ----------
    spec : NetworkSpec or str
    group : str or PermutationGroup, optional
        Without a group (the default) the dimension of the neurovariety, all
        weights free. With one (and ``kind`` not ``none``) the weights are
        restricted to the layer-wise tied subspace of that symmetry.
    kind : str, optional
        The output action for the tying (``none``: no tying). Used only with a
        group; default :func:`~varieties.actions.default_kind` (invariant for
        one output, equivariant for ``n``), as everywhere.
    subspace : matrix, optional
        An explicit ``n_weights x k`` integer matrix ``M``: the rank of ``J M``.
    seed : int
    primes : two primes, ``2^10 < p < 2^26``
        The rank is computed mod each, at independent random points. Each rank
        is a rigorous lower bound and the larger is returned; they should
        agree, and ``details["agree"]`` says whether they did (a disagreement
        means one point or prime was unlucky: treat the value with care).
    timeout : float, optional
        Seconds; past them the computation stops and the value is ``None``
        (``details["timeout"]`` is then true).
    progress : bool
        A progress bar on long runs (on a terminal).
    max_memory : float, optional
        GB the sample Jacobian may take; more raises :class:`~varieties.errors.MethodError`.

    Returns
    -------
    int or None, or ``(int or None, dict)`` with ``return_details``; the dict
    has ``ranks`` (per prime), ``agree``, ``seed``, ``samples`` and ``timeout``.

    Examples
    --------
    >>> function_dim("2,q2,q1"), function_dim("2,q2,q1", group="symmetric", kind="invariant")
    (12, 7)
    """
    from ..timelimit import TimeLimit

    deadline = deadline_after(timeout)
    spec = parse_spec(spec)
    M = subspace
    if M is None and group is not None:
        kind = resolve_kind(kind, spec)
        if kind != "none":
            M = _tied_matrix(spec, group, kind)
    try:
        res = evaluation_ranks(spec, subspace=M, primes=primes, seed=seed, deadline=deadline,
                               progress=progress, max_memory=max_memory, rank=_rank)
    except TimeLimit:
        details = {"ranks": {}, "agree": None, "seed": seed, "timeout": True}
        return (None, details) if return_details else None
    ranks = res["ranks"]
    value = max(ranks)
    details = {"ranks": dict(zip(res["primes"], ranks)), "agree": res["agree"],
               "seed": seed, "samples": res["samples"], "timeout": False}
    return (value, details) if return_details else value


def _rank(J, p: int) -> int:
    # Looked up at call time, so that a test can replace rank_mod_p.
    return rank_mod_p(J, p)


def function_dim_expansion(spec: NetworkSpec | str, subspace=None, seed: int = 0,
                           primes: Sequence[int] = ORACLE_PRIMES) -> list[int]:
    """Test oracle: ranks of the Jacobian of ``w -> x-coefficients`` (the expansion), per prime.

    Expands the network symbolically, so only for small networks; the
    weights are drawn at random (``w = M theta`` with a ``subspace``).
    """
    spec = parse_spec(spec)
    M = subspace
    e = expand(spec, backend="auto")
    ranks = []
    for r, p in enumerate(primes):
        rng = random.Random(f"fdim:{seed}:{r}")
        if M is None:
            point = [rng.randrange(1, p) for _ in spec.weights]
        else:
            theta = [rng.randrange(1, p) for _ in range(len(M[0]) if M else 0)]
            point = [sum(a * t for a, t in zip(row, theta)) % p for row in M]
        J = _jacobian_rows(spec, point, p, None, e)
        if M is not None:
            Jn = np.array(J, dtype=object)
            Mn = np.array(M, dtype=object) % p
            J = ((Jn.dot(Mn)) % p).tolist() if len(J) else []
        ranks.append(rank_mod_p(np.array(J, dtype=object), p) if len(J) and len(J[0]) else 0)
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
    """Expected dimension of the neurovariety (:func:`~varieties.algebra.neurovariety.expected_dim`).

    For ``n, l d1^r, ..., l dL`` (one power ``r`` on the hidden layers, a
    linear last layer) it is the formula of Kileel, Trager and Bruna (2019),
    ``min(ambient, d_L + sum (d_{i-1} - 1) d_i)`` with ``ambient = d_L C(n + D
    - 1, D)``, ``D = r^(L-1)``; any other network gets the general count of
    :mod:`~varieties.algebra.neurovariety`.

    Examples
    --------
    >>> expected_neurovariety_dim("3,l5^4,l1"), expected_neurovariety_dim("2,q2,q1")
    (15, 12)
    """
    from .neurovariety import expected_dim

    return expected_dim(parse_spec(spec))
