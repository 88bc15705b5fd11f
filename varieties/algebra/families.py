"""Exact families of symmetric networks inside ``V``: rigorous lower bounds on ``dim V``.

Each family is a linear subspace ``L`` of weight space contained in ``V``:

``constant``
    The network is constant: the last layer's non-constant weights vanish,
    everything else is free (constants tied across output orbits).
``invariant-units``
    Every first-layer unit is invariant under the group (its weights tied on
    orbits), later hidden layers are free, and the last layer is free
    (``invariant``) or tied across output orbits.
``layerwise``
    The layer-wise tying of :func:`varieties.tying.tying` (hidden layers of
    width ``n`` equivariant, others invariant, the last of the given kind).

The hidden layers carry a reparametrisation group that leaves the network
function, hence ``V``, unchanged: ``h -> A h + b`` on a hidden layer (when
its power is 1, ``b`` only when it and the next layer have constants), undone
by the next layer; a scaling per unit for a layer with power ``R``; and, with
the notes' full indexing, moving weight between ``A_kij`` and ``A_kji``. The
family's orbit ``{g . w : w in L}`` lies in ``V``, and its dimension is at
least the rank of the differential of ``(theta, g) -> g . (M theta)`` at any
point. That rank is computed exactly modulo a prime at a random integer
point; since a rank mod ``p`` never exceeds the rank over ``QQ`` and the rank
at a point never exceeds the generic rank, the rank step involves no
probability: **given** ``L`` inside ``V`` **the result is a rigorous lower
bound**.

That ``L`` lies in ``V`` holds by construction (each family's layers are
symmetric by design) and is *checked*, not proven, by evaluating the network
at a random point of ``L`` (:func:`symmetric_mod_p`): ``F(g x) = rho(g) F(x)``
for every generator at random inputs, modulo the evaluation prime
``2^21 - 9``, with nothing expanded (every constraint vanishes at ``w``
exactly when ``F_w`` is symmetric). A failure proves ``L`` is not in ``V``
(the family is dropped), while a family not in ``V`` would pass only if the
point or the inputs hit the zero set of a nonzero polynomial (by
Schwartz-Zippel, probability at most its degree over ``p``), or if ``p``
divides all of its coefficients. So the bound is as rigorous as the
construction, and the check guards it with that small failure probability.

Examples
--------
>>> fams = families("2,q2,q1")
>>> [(f.name, f.n_params) for f in fams][:1]
[('constant', 13)]
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from .._deprecate import deadline_to_timeout, deprecated_call
from .._result_methods import ResultMixin, jsonable
from ..actions import make_action, resolve_kind
from ..groups import get_group
from ..network import NetworkSpec, iter_layers, parse_spec, quadratic_pairs, weight_name
from ..timelimit import deadline_after

LARGE_PRIME = 2**31 - 1


@dataclass
class Family(ResultMixin):
    """A linear family ``w = M theta`` inside ``V`` and the dimension of its orbit.

    Attributes
    ----------
    name : str
    matrix : list of list of int
        ``n_weights x n_params`` integer matrix in spec weight order.
    n_params : int
    dim_lower : int | None
        Rank of the orbit map's differential mod ``prime`` (a rigorous lower bound).
    in_variety : bool | None
        Whether every constraint vanished at the test point (mod ``prime``;
        ``False`` is a proof, ``True`` a Schwartz-Zippel check).
    """

    name: str
    matrix: list[list[int]]
    n_params: int
    dim_lower: int | None = None
    in_variety: bool | None = None
    prime: int = LARGE_PRIME
    seed: int = 0
    note: str = ""
    point: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        """Name, parameters, ``dim_lower``, membership, prime, seed, note and the matrix."""
        return {"name": self.name, "n_params": self.n_params, "dim_lower": self.dim_lower,
                "in_variety": self.in_variety, "prime": self.prime, "seed": self.seed,
                "note": self.note, "matrix": jsonable(self.matrix)}

    def summary(self) -> str:
        """One line: name, parameters, orbit rank and membership (or the note)."""
        return (f"family '{self.name}': {self.n_params} parameters, dim >= {self.dim_lower}, "
                f"in V: {self.in_variety}" + (f" ({self.note})" if self.note else ""))

    def certificate(self) -> str:
        return (f"exact family '{self.name}' ({self.n_params} linear parameters plus the "
                f"hidden-layer reparametrisations): orbit map rank {self.dim_lower} mod "
                f"{self.prime} at a random point (seed {self.seed}), rigorous (family in V by "
                "construction, checked at that point)")


def _output_orbits(spec: NetworkSpec, group, kind: str) -> list[int]:
    """Representative output neuron of each last-layer neuron under the output action."""
    n_out = spec.n_outputs
    if kind == "none":
        return list(range(n_out))
    G = get_group(group, spec.n_inputs)
    act = make_action(G, kind, n_out)
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n_out))
    for gen in G.generators:
        r = act.rho(gen)
        g.add_edges_from((k, r[k]) for k in range(n_out))
    rep = {}
    for comp in nx.connected_components(g):
        m = min(comp)
        for k in comp:
            rep[k] = m
    return [rep[k] for k in range(n_out)]


def _matrix_from_labels(weights, labels: dict) -> tuple[list[list[int]], int]:
    """Weights with equal labels are equal; label ``None`` means zero."""
    ids: dict = {}
    for w in weights:
        lab = labels[w]
        if lab is not None and lab not in ids:
            ids[lab] = len(ids)
    M = [[0] * len(ids) for _ in weights]
    for r, w in enumerate(weights):
        if labels[w] is not None:
            M[r][ids[labels[w]]] = 1
    return M, len(ids)


def constant_family(spec: NetworkSpec, group, kind: str) -> Family:
    """The constant networks (last layer's non-constant weights zero)."""
    L = len(spec.layers)
    rep = _output_orbits(spec, group, kind)
    labels = {}
    for w in spec.weight_index:
        if w.layer < L:
            labels[w.name] = w.name
        elif w.part == "C":
            labels[w.name] = ("C", rep[w.k])
        else:
            labels[w.name] = None
    M, k = _matrix_from_labels(spec.weights, labels)
    return Family("constant", M, k)


def _tying_matrix(t) -> list[list[int]]:
    M = t.matrix(dtype=object)
    rows = []
    for row in M:
        den = 1
        for v in row:
            den = den * Fraction(v).denominator // _gcd(den, Fraction(v).denominator)
        rows.append([int(Fraction(v) * den) for v in row])
    return rows


def _gcd(a, b):
    from math import gcd

    return gcd(a, b)


def invariant_units_family(spec: NetworkSpec, group, kind: str) -> Family | None:
    """First-layer units invariant, later hidden layers free, last layer tied on output orbits."""
    if len(spec.layers) < 2:
        return None
    from ..tying import tying

    first = NetworkSpec(spec.n_inputs, spec.layers[:1], spec.full)
    t1 = tying(first, group, "invariant", full=spec.full)
    M1 = _tying_matrix(t1)
    n1 = len(M1[0]) if M1 else 0
    rep = _output_orbits(spec, group, kind)
    L = len(spec.layers)
    labels = {}
    for w in spec.weight_index:
        if w.layer == 1:
            continue
        if w.layer < L:
            labels[w.name] = w.name
        else:
            labels[w.name] = (w.part, rep[w.k], w.i, w.j)
    rest = [w for w in spec.weights if w not in t1.weights]
    M2, n2 = _matrix_from_labels(rest, labels)
    M = [row + [0] * n2 for row in M1] + [[0] * n1 + row for row in M2]
    return Family("invariant-units", M, n1 + n2)


def single_unit_family(spec: NetworkSpec, group, kind: str) -> Family | None:
    """Two-layer networks whose output reads one invariant hidden unit only.

    Hidden unit 0 is invariant (tied on orbits), the other hidden units are
    free, and the last layer's weights touching other units vanish: then
    ``F = q(h_0(x))`` with ``h_0`` invariant. Under the ``Aff(h)``
    reparametrisation the distinguished direction ``e_0`` moves, which the
    orbit rank counts. This family is not constant, so it bounds the
    non-degenerate part of ``V`` (``2,q2,q1``: 14, ``3,q3,q1``: 29).
    """
    if len(spec.layers) != 2 or spec.layers[0].width < 2:
        return None
    from ..tying import tying

    l1 = spec.layers[0]
    unit = NetworkSpec(spec.n_inputs, (type(l1)(l1.kind, 1, l1.power),), spec.full)
    t1 = tying(unit, group, "invariant", full=spec.full)
    M1 = _tying_matrix(t1)
    pos = {w: r for r, w in enumerate(t1.weights)}
    n1 = len(M1[0]) if M1 else 0
    rep = _output_orbits(spec, group, kind)
    labels = {}
    for w in spec.weight_index:
        if w.layer == 1:
            labels[w.name] = None if w.k == 0 else w.name
        else:
            touches = [v for v in (w.i, w.j) if v is not None]
            labels[w.name] = None if any(v != 0 for v in touches) else (w.part, rep[w.k], w.i, w.j)
    M2, n2 = _matrix_from_labels(spec.weights, labels)
    M = []
    for r, w in enumerate(spec.weights):
        row1 = M1[pos[w]] if w in pos else [0] * n1
        M.append(list(row1) + M2[r])
    return Family("single-unit", M, n1 + n2)


def layerwise_family(spec: NetworkSpec, group, kind: str) -> Family | None:
    """The layer-wise equivariant tying (from :mod:`varieties.tying`)."""
    from ..tying import tying

    t = tying(spec, group, kind, full=spec.full)
    return Family("layerwise", _tying_matrix(t), t.n_free)


# ---------------------------------------------------------------------------- reparametrisations

def _quad_of_neuron(w: dict, l: int, k: int, p_in: int, layer, full: bool, p: int) -> dict:
    """Neuron ``k`` of layer ``l`` as ``{exponent tuple in its inputs: value mod p}``."""
    q: dict = {}
    z = (0,) * p_in

    def add(m, v):
        q[m] = (q.get(m, 0) + v) % p

    if layer.has_quadratic:
        for i, j in quadratic_pairs(p_in, full):
            m = list(z)
            m[i] += 1
            m[j] += 1
            add(tuple(m), w.get(weight_name("A", l, k, i, j), 0))
    if layer.has_linear:
        for i in range(p_in):
            m = list(z)
            m[i] += 1
            add(tuple(m), w.get(weight_name("B", l, k, i), 0))
    if layer.has_constant:
        add(z, w.get(weight_name("C", l, k), 0))
    return q


def _poly_to_weights(q: dict, l: int, k: int, layer, full: bool) -> dict:
    out = {}
    for m, v in q.items():
        if not v:
            continue
        idx = [i for i, e in enumerate(m) for _ in range(e)]
        if len(idx) == 2:
            out[weight_name("A", l, k, idx[0], idx[1])] = v
        elif len(idx) == 1:
            out[weight_name("B", l, k, idx[0])] = v
        else:
            out[weight_name("C", l, k)] = v
    return out


def _d(q: dict, i: int, p: int) -> dict:
    out = {}
    for m, v in q.items():
        if m[i]:
            mm = list(m)
            mm[i] -= 1
            out[tuple(mm)] = (out.get(tuple(mm), 0) + v * m[i]) % p
    return out


def _mul_lin(q: dict, lin: dict, p: int) -> dict:
    out = {}
    for m, v in q.items():
        for m2, v2 in lin.items():
            mm = tuple(a + b for a, b in zip(m, m2))
            out[mm] = (out.get(mm, 0) + v * v2) % p
    return out


def lie_vectors(spec: NetworkSpec, w: dict, p: int) -> list[dict]:
    """Tangent vectors at ``w`` of the reparametrisations that keep the network function."""
    vecs: list[dict] = []
    layers = list(iter_layers(spec))
    for idx in range(len(layers) - 1):
        l, layer, p_in = layers[idx]
        l2, nxt, h = layers[idx + 1]
        units = [[x for x in spec.layer_weights(l) if x.k == k] for k in range(layer.width)]
        gens = []  # (E as dict (i,m)->1, beta as dict i->1, scale R)
        if layer.power == 1:
            for i in range(h):
                for m in range(h):
                    gens.append(({(i, m): 1}, {}, 1))
            if layer.has_constant and nxt.has_constant and nxt.has_linear:
                for i in range(h):
                    gens.append(({}, {i: 1}, 1))
        else:
            for i in range(h):
                gens.append(({(i, i): 1}, {}, layer.power))
        for E, beta, R in gens:
            v: dict = {}
            # Hidden layer: unit i gains E_im * (unit m's weights) and beta_i on its constant.
            for (i, m), e in E.items():
                for x in units[m]:
                    name = weight_name(x.part, l, i, x.i, x.j)   # x.k == m
                    v[name] = (v.get(name, 0) + e * w.get(x.name, 0)) % p
            for i, b in beta.items():
                name = weight_name("C", l, i)
                v[name] = (v.get(name, 0) + b) % p
            # Next layer: dq = -R * grad q . (E y + beta).
            for k in range(nxt.width):
                q = _quad_of_neuron(w, l2, k, h, nxt, spec.full, p)
                dq: dict = {}
                for i in range(h):
                    lin = {}
                    for (ii, m), e in E.items():
                        if ii == i:
                            mm = [0] * h
                            mm[m] = 1
                            lin[tuple(mm)] = (lin.get(tuple(mm), 0) + e) % p
                    if i in beta:
                        lin[(0,) * h] = (lin.get((0,) * h, 0) + beta[i]) % p
                    if not lin:
                        continue
                    term = _mul_lin(_d(q, i, p), lin, p)
                    for mm, val in term.items():
                        dq[mm] = (dq.get(mm, 0) - R * val) % p
                for name, val in _poly_to_weights(dq, l2, k, nxt, spec.full).items():
                    v[name] = (v.get(name, 0) + val) % p
            vecs.append(v)
    if spec.full:
        for x in spec.weight_index:
            if x.part == "A" and x.i < x.j:
                vecs.append({x.name: 1, weight_name("A", x.layer, x.k, x.j, x.i): p - 1})
    return vecs


def family_dimension(spec: NetworkSpec, fam: Family, polys=None, p: int = LARGE_PRIME,
                     seed: int = 0, deadline: float | None = None) -> Family:
    """Fill in ``fam.dim_lower`` (orbit rank mod ``p``) and ``fam.in_variety``.

    ``deadline`` (a ``time.perf_counter()`` value) is checked between
    constraints; past it :class:`~.engines.TimeLimit` is raised.
    """
    from .engines import check_deadline

    wv = family_point(fam, p, seed)
    # The reparametrisations' tangent vectors, vectorised (the same group as
    # lie_vectors, which stays as the readable reference).
    import numpy as np

    from .evaluation import rank_mod_p, residues
    from .neurovariety import lie_matrix

    cols = np.hstack([residues(fam.matrix, p).astype(np.int64).reshape(len(wv), fam.n_params),
                      lie_matrix(spec, wv, p)])
    check_deadline(deadline)
    fam.dim_lower = rank_mod_p(cols, p, deadline=deadline) if cols.size else 0
    fam.prime, fam.seed, fam.point = p, seed, wv
    if polys is not None:
        fam.in_variety = True
        for f in polys:
            check_deadline(deadline)
            if eval_mod_p(f, wv, p) != 0:
                fam.in_variety = False
                break
    return fam


def family_point(fam: Family, p: int = LARGE_PRIME, seed: int = 0) -> list[int]:
    """The family's random test point ``M theta`` mod ``p`` (seeded by its name and ``seed``)."""
    rng = random.Random(f"family:{fam.name}:{seed}")
    theta = [rng.randrange(1, p) for _ in range(fam.n_params)]
    return [sum(a * t for a, t in zip(row, theta)) % p for row in fam.matrix]


def symmetric_mod_p(spec: NetworkSpec, group, kind: str, points, *, seed: int = 0,
                    samples: int = 3, deadline: float | None = None) -> list[bool]:
    """Whether the network at each weight point satisfies ``F(g x) = rho(g) F(x)`` mod ``p``.

    The network is evaluated (by :func:`.evaluation.forward_mod`, nothing is
    expanded) at ``samples`` random inputs and their images under each
    generator, mod the evaluation prime ``p``; the points are integer weight
    vectors, read mod ``p``. Every constraint vanishes at ``w`` exactly when
    ``F_w`` is symmetric, and a nonzero ``F_w(g x) - rho(g) F_w(x)``, a
    polynomial in ``x`` of the network's degree ``d``, vanishes at a random
    input with probability at most ``d / p`` (Schwartz-Zippel).

    Examples
    --------
    >>> from varieties.network import parse_spec
    >>> spec = parse_spec("2,l1")     # b0 x0 + b1 x1 is S_2-invariant iff b0 = b1
    >>> symmetric_mod_p(spec, "symmetric", "invariant", [[3, 3], [1, 2]])
    [True, False]
    """
    import numpy as np

    from ..timelimit import check_deadline
    from .evaluation import PRIMES, forward_mod, residues

    p = PRIMES[0]
    G = get_group(group, spec.n_inputs)
    act = make_action(G, kind, spec.n_outputs) if kind != "none" else None
    rng = np.random.default_rng([seed, 0x5EED])
    X = rng.integers(0, p, size=(samples, spec.n_inputs)).astype(np.float64)
    out = []
    for point in points:
        check_deadline(deadline)
        w = residues(point, p)
        Y = forward_mod(spec, w, X, p)
        ok = True
        for g in (G.generators if act is not None else ()):
            Xg = np.empty_like(X)
            Xg[:, list(g)] = X          # (g x)_{g(i)} = x_i
            r = act.rho(g)
            want = np.empty_like(Y)
            want[:, list(r)] = Y
            if not np.array_equal(forward_mod(spec, w, Xg, p), want):
                ok = False
                break
        out.append(ok)
    return out


def eval_mod_p(f, point: Sequence[int], p: int) -> int:
    """Value mod ``p`` of a sympy ``PolyElement`` (integer coefficients) at ``point``."""
    total = 0
    for m, c in f.items():
        t = int(c.numerator) * pow(int(c.denominator), -1, p)
        for v, e in zip(point, m):
            if e:
                t = t * pow(v, e, p) % p
        total += t
    return total % p


@deprecated_call(positional=("polys", "seed", "p", "deadline", "representations"),
                 renamed={"p": "prime", "deadline": ("timeout", deadline_to_timeout)})
def families(spec: NetworkSpec | str, group="symmetric", kind: str | None = None, *,
             polys=None, seed: int = 0, prime: int = LARGE_PRIME,
             timeout: float | None = None, representations: bool = True) -> list[Family]:
    """All exact families that apply, with their orbit dimensions.

    ``kind`` defaults to :func:`~varieties.actions.default_kind` (invariant
    for one output, equivariant for ``n``); ``prime`` is the prime of the
    orbit ranks.

    ``representations``: also the families of every (signed) action of the
    group on the hidden units (:mod:`.rep_families`), named ``hidden: ...``.

    Every family is checked to lie in ``V`` by evaluating the network at a
    point of it (:func:`symmetric_mod_p`); families failing it are dropped
    (some dead-unit variants of the built-in families are not symmetric).
    ``polys`` (the constraints) is accepted for compatibility and not needed:
    the check always runs.
    ``timeout`` (seconds): families not finished by then are returned
    without a matrix and with the note ``skipped: time limit reached``.

    Examples
    --------
    >>> [f.name for f in families("2,l1")][:2]
    ['constant', 'layerwise']
    """
    from .engines import TimeLimit

    from .rep_families import (DEAD_BASES, dead_unit_families, representation_families,
                                unread_unit_families)

    deadline = deadline_after(timeout)
    p = prime
    spec = parse_spec(spec)
    kind = resolve_kind(kind, spec)
    out = [constant_family(spec, group, kind)]
    for maker in (invariant_units_family, single_unit_family, layerwise_family):
        try:
            f = maker(spec, group, kind)
        except Exception as exc:  # a family that does not apply is skipped, not fatal
            f = None
            out.append(Family(maker.__name__.replace("_family", ""), [], 0,
                              note=f"skipped: {type(exc).__name__}: {exc}"))
            continue
        if f is not None:
            out.append(f)
    if representations:
        # One family per action of the group on the hidden units (.rep_families),
        # and the built-in ones with dead hidden units, or unread ones in two layers.
        reps = representation_families(spec, group, kind)
        builtin = [f for f in out if f.matrix]
        out.extend(dead_unit_families(spec, builtin + reps[:DEAD_BASES]))
        out.extend(unread_unit_families(spec, builtin))
        out.extend(reps)
    done = []
    # Membership first, for all families at once: the ranks are only worth
    # computing for the families that lie in V.
    with_matrix = [f for f in out if f.matrix]
    if with_matrix:
        from .evaluation import PRIMES

        try:
            inside = symmetric_mod_p(spec, group, kind,
                                     [family_point(f, PRIMES[0], seed) for f in with_matrix],
                                     seed=seed, deadline=deadline)
        except TimeLimit:
            inside = [None] * len(with_matrix)
        for f, ok in zip(with_matrix, inside):
            f.in_variety = ok
    for f in out:
        if not f.matrix:
            done.append(f)
            continue
        if f.in_variety is False:
            continue
        if f.in_variety is None:
            done.append(Family(f.name, [], f.n_params, note=TIME_LIMIT_NOTE))
            continue
        try:
            family_dimension(spec, f, None, p, seed, deadline)
        except TimeLimit:
            done.append(Family(f.name, [], f.n_params, note=TIME_LIMIT_NOTE))
            continue
        done.append(f)
    return [f for f in done if f.in_variety is not False]


TIME_LIMIT_NOTE = "skipped: time limit reached"
