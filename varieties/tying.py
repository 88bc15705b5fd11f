r"""Linear tyings: which weights are shared, which are zero, which are free.

For one layer, equivariance ``t(a.o) = b.t(o)`` is *linear* in the weights, so
its solution set is a linear subspace ``w = M theta`` of weight space. A
:class:`Tying` is that subspace, given three ways:

* ``colors``: weights equal on the whole subspace get the same color (the
  notes' "colors"), weights forced to 0 get ``-1``;
* ``basis``: every weight as an exact rational combination of free parameters;
* ``matrix()``: the same as a matrix ``M`` with ``w = M @ theta``.

Two independent methods compute it and agree exactly (the tests check this):

``constraints``
    Expand each layer exactly, take the x-coefficients of ``t(a.x) - b.t(x)``
    for the generators, join weights related by an equality ``w_a = w_b`` in a
    networkx graph (its components are the colors), set weights with ``w = 0``
    to zero, and row-reduce the remaining ("additive") constraints exactly over
    QQ into dependent weights written in free ones -- the notes' "make one of
    the variables depend on the other 3" (eq. 35).
``orbits``
    No expansion at all: orbits of the group on the index tuples
    (:mod:`varieties.orbits`), vectorised with numpy/scipy; fast for large n.

**Full indexing.** With ``full=True`` a layer sees only ``A_kij + A_kji``, so
equalities alone cannot describe the solutions: the constraints are additive.
The orbit method ties the symmetrised coordinates and adds the antisymmetric
parts ``D_kij`` (``A_kij = s + D``, ``A_kji = s - D``) as free parameters that
change nothing; the constraint method finds the same subspace by row
reduction. Both count those parameters in ``n_free`` (the weight-space
dimension); ``function_dim`` (the rank of the linear map from parameters to
the layer's polynomial coefficients) does not.

**Layers.** For a multi-layer network the tying is layer-wise
(:func:`varieties.orbits.layer_symmetries`): a layer with a power ``^R`` is
tied through its pre-activation, a sufficient condition (for even ``R`` the
exact solution set also has sign-flipped, nonlinear components: see
``varieties analyze``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Mapping, Sequence

import numpy as np

from ._deprecate import deprecated_call
from ._result_methods import ResultMixin, dataclass_eq
from .actions import resolve_kind
from .errors import MethodError, NonlinearError, VarietiesError
from .groups import PermutationGroup, get_group, inverse
from .network import LayerSpec, NetworkSpec, parse_spec
from .orbits import LayerSymmetry, first_appearance, layer_layout, layer_symmetries, orbit_labels

METHODS = ("auto", "orbits", "constraints")

#: Largest layer (in weights) the constraint method expands before asking for ``orbits``.
CONSTRAINT_MAX_WEIGHTS = 60_000


# eq=False: the generated __eq__ compares the arrays with ``==`` and raises numpy's
# "truth value of an array is ambiguous"; dataclass_eq compares them by value.
@dataclass(eq=False)
class Tying(ResultMixin):
    """A linear subspace of weight space ``w = M theta``, with its colors.

    Attributes
    ----------
    spec : NetworkSpec
    group, kind : str
    full : bool
    method : str
        ``"orbits"`` or ``"constraints"``.
    weights : tuple of str
        The weights covered (all of the spec's, or one layer's), spec order.
    params : tuple of str
        Free parameter names: representative weights, and in the full indexing
        of the orbit method ``D{l}_{k}_{i}_{j}`` for the antisymmetric parts.
    n_weights, n_colors, n_zero, n_free : int
        Counts: weights, nonzero equality classes, weights forced to 0, free
        parameters (the weight-space dimension).
    function_dim : int or None
        Rank of the linear map ``theta ->`` polynomial coefficients of the
        layer (pre-activation); for one layer with a power this is also the
        dimension of its function set. ``None`` for several layers.
    layers : list of Tying
        Per-layer tyings (one entry for a one-layer network).
    symmetries : list of LayerSymmetry
        How the group acts on each layer.

    Examples
    --------
    >>> t = tying("3,l3", "symmetric", "equivariant")
    >>> t.n_weights, t.n_colors, t.n_free, t.params
    (9, 2, 2, ('B1_0_0', 'B1_0_1'))
    >>> t.matrix(dtype=int).tolist()
    [[1, 0], [0, 1], [0, 1], [0, 1], [1, 0], [0, 1], [0, 1], [0, 1], [1, 0]]
    >>> t.to_weights([2, 5])["B1_1_1"], t.from_weights(t.to_weights([2, 5]))
    (Fraction(2, 1), [Fraction(2, 1), Fraction(5, 1)])
    """

    spec: NetworkSpec
    group: str
    kind: str
    full: bool
    method: str
    weights: tuple[str, ...]
    params: tuple[str, ...]
    function_dim: int | None
    color_ids: np.ndarray = field(repr=False)
    rows: np.ndarray = field(repr=False)  # M in COO form: rows, cols, num/den
    cols: np.ndarray = field(repr=False)
    num: np.ndarray = field(repr=False)
    den: np.ndarray = field(repr=False)
    left: tuple = field(repr=False)  # (rows, cols, num, den) of L with L M = I
    # Derived from the fields above (the per-layer parts of M): not compared.
    layers: list = field(default_factory=list, repr=False, compare=False)
    symmetries: list = field(default_factory=list, repr=False, compare=False)
    layer: int | None = None

    # Equal when the same network, symmetry and subspace M (arrays by value); mutable, so
    # unhashable like any dataclass with eq.
    __eq__ = dataclass_eq
    __hash__ = None

    @property
    def n_weights(self) -> int:
        return len(self.weights)

    @property
    def n_free(self) -> int:
        return len(self.params)

    @property
    def n_zero(self) -> int:
        return int(np.count_nonzero(self.color_ids < 0))

    @property
    def n_colors(self) -> int:
        return int(self.color_ids.max()) + 1 if len(self.color_ids) and self.color_ids.max() >= 0 else 0

    @cached_property
    def colors(self) -> dict[str, int]:
        """Weight -> color id (first appearance in spec order); ``-1`` for zero weights."""
        return dict(zip(self.weights, self.color_ids.tolist()))

    @cached_property
    def basis(self) -> dict[str, dict[str, Fraction]]:
        """Weight -> ``{param: coefficient}``; an empty dict means the weight is 0."""
        out: dict[str, dict[str, Fraction]] = {w: {} for w in self.weights}
        for r, c, a, b in zip(self.rows.tolist(), self.cols.tolist(),
                              self.num.tolist(), self.den.tolist()):
            out[self.weights[r]][self.params[c]] = Fraction(a, b)
        return out

    def counts(self) -> dict[str, Any]:
        """The JSON summary of the CLI: weights, colors, zero, free, function_dim, method."""
        return {
            "weights": self.n_weights, "colors": self.n_colors, "zero": self.n_zero,
            "free": self.n_free, "function_dim": self.function_dim, "method": self.method,
        }

    def matrix(self, dtype=float, sparse: bool = False):
        """``M`` of shape ``(n_weights, n_free)`` with ``w = M @ theta``.

        ``dtype=object`` gives exact :class:`fractions.Fraction` entries;
        ``sparse=True`` a ``scipy.sparse.csr_matrix`` (numeric dtypes only).
        """
        shape = (self.n_weights, self.n_free)
        if dtype is object:
            M = np.full(shape, Fraction(0), dtype=object)
            for r, c, a, b in zip(self.rows.tolist(), self.cols.tolist(),
                                  self.num.tolist(), self.den.tolist()):
                M[r, c] = Fraction(a, b)
            return M
        if np.dtype(dtype).kind in "iub" and (self.den != 1).any():
            raise VarietiesError(
                f"the tying matrix has non-integer entries; use matrix(dtype=object) for exact "
                f"Fractions or a float dtype, not {np.dtype(dtype)}"
            )
        vals = self.num / self.den
        if sparse:
            from scipy.sparse import coo_matrix

            return coo_matrix((vals.astype(dtype), (self.rows, self.cols)), shape=shape).tocsr()
        M = np.zeros(shape, dtype=dtype)
        M[self.rows, self.cols] = vals.astype(dtype)
        return M

    def to_weights(self, theta: Sequence) -> dict[str, Any]:
        """A full weight assignment ``{name: value}`` from parameter values ``theta``.

        Exact (Fractions) when every ``theta`` is an ``int`` or ``Fraction``;
        otherwise floats through the sparse matrix.
        """
        theta = list(theta)
        if len(theta) != self.n_free:
            raise VarietiesError(
                f"theta has {len(theta)} values but the tying has {self.n_free} free parameters "
                f"({', '.join(self.params[:5])}{', ...' if self.n_free > 5 else ''})"
            )
        if all(isinstance(v, (int, Fraction)) for v in theta):
            vals = [Fraction(0)] * self.n_weights
            for r, c, a, b in zip(self.rows.tolist(), self.cols.tolist(),
                                  self.num.tolist(), self.den.tolist()):
                vals[r] += Fraction(a, b) * theta[c]
            return dict(zip(self.weights, vals))
        w = self.matrix(sparse=True) @ np.asarray(theta, dtype=float)
        return dict(zip(self.weights, w.tolist()))

    def from_weights(self, weights: Mapping[str, Any], check: bool = False) -> list:
        """Parameters ``theta`` of a weight assignment on the tied subspace (missing = 0).

        With ``check=True`` raise :class:`VarietiesError` if the assignment is
        not on the subspace (exact for Fractions, ``1e-9`` relative otherwise).
        """
        lr, lc, ln, ld = self.left
        exact = all(isinstance(weights.get(w, 0), (int, Fraction)) for w in self.weights)
        theta: list = [Fraction(0) if exact else 0.0] * self.n_free
        for r, c, a, b in zip(lr.tolist(), lc.tolist(), ln.tolist(), ld.tolist()):
            v = weights.get(self.weights[c], 0)
            theta[r] += Fraction(a, b) * v if exact else (a / b) * float(v)
        if check:
            back = self.to_weights(theta)
            for name in self.weights:
                v, u = weights.get(name, 0), back[name]
                bad = v != u if exact else abs(float(v) - u) > 1e-9 * max(1.0, abs(u))
                if bad:
                    raise VarietiesError(
                        f"weight {name} = {v} is not on the tied subspace (the tying gives {u}); "
                        "project with to_weights(from_weights(w))"
                    )
        return theta

    def expression(self, weight: str) -> str:
        """The weight as a combination of parameters, e.g. ``'A1_0_0_1 + D1_0_0_1'``."""
        terms = self.basis[weight]
        if not terms:
            return "0"
        s = ""
        for p, c in terms.items():
            sign = "-" if c < 0 else "+"
            a = abs(c)
            t = p if a == 1 else f"{a}*{p}"
            s += (f" {sign} " if s else ("-" if c < 0 else "")) + t
        return s

    def to_frame(self):
        """One row per weight: weight, layer, part, k, i, j, color, expression."""
        import pandas as pd

        idx = {w.name: w for w in self.spec.weight_index}
        rows = []
        for name, color in zip(self.weights, self.color_ids.tolist()):
            w = idx[name]
            rows.append({"weight": name, "layer": w.layer, "part": w.part, "k": w.k,
                         "i": w.i, "j": w.j, "color": color, "expression": self.expression(name)})
        cols = ["weight", "layer", "part", "k", "i", "j", "color", "expression"]
        return pd.DataFrame(rows, columns=cols).astype({"i": "Int64", "j": "Int64"})

    def to_dict(self) -> dict:
        """The network, symmetry, :meth:`counts`, ``params``, and per weight its color
        (``color_of``) and :meth:`expression`: JSON-serialisable."""
        return {
            "spec": str(self.spec), "group": self.group, "kind": self.kind, "full": self.full,
            "layer": self.layer, **self.counts(), "params": list(self.params),
            "color_of": self.colors,
            "expressions": {w: self.expression(w) for w in self.weights},
        }

    def summary(self) -> str:
        """One line: counts and how the group acts."""
        fd = "n/a (several layers)" if self.function_dim is None else self.function_dim
        where = f"layer {self.layer}" if self.layer else str(self.spec)
        return (f"{where}: {self.n_weights} weights, {self.n_colors} colors, {self.n_zero} zero, "
                f"{self.n_free} free, function_dim {fd} ({self.method})")


# ---------------------------------------------------------------------------- entry point

@deprecated_call(positional=("full", "method", "layerwise"))
def tying(
    spec: NetworkSpec | str,
    group: str | PermutationGroup = "symmetric",
    kind: str | None = None,
    *,
    full: bool = False,
    method: str = "auto",
    layerwise: bool = True,
) -> Tying:
    """The linear tying of a network's weights under a group.

    Parameters
    ----------
    spec : NetworkSpec or str
        E.g. ``"3,q3"`` or ``"4,q4,q1"``.
    group : str or PermutationGroup
        As in :func:`varieties.groups.get_group`.
    kind : {"equivariant", "invariant", "folded", "none"}, optional
        The action on the last layer's outputs; hidden layers follow
        :func:`varieties.orbits.layer_symmetries`. Default
        :func:`~varieties.actions.default_kind`: invariant for one output,
        equivariant for ``n``.
    full : bool
        The notes' full indexing ``A_kij`` for all ``i, j``.
    method : {"auto", "orbits", "constraints"}
        ``auto`` is ``orbits``. Both give the same subspace and colors.
    layerwise : bool
        ``False`` ties the whole network's constraint set instead (method
        ``constraints`` only); it is linear only for one layer without power,
        and :class:`NonlinearError` says which constraint is not.

    Examples
    --------
    >>> t = tying("3,q3", "symmetric", "equivariant")
    >>> t.n_weights, t.n_colors, t.n_free, t.function_dim
    (30, 7, 7, 7)
    >>> tying("3,q3", full=True).counts()["free"]   # 7 + 3 antisymmetric parts per neuron
    16
    """
    if not (isinstance(spec, NetworkSpec) and spec.full == (spec.full or full)):
        spec = parse_spec(spec, full=full)  # building a NetworkSpec costs ~1 s at n = 100
    kind = resolve_kind(kind, spec)
    if method not in METHODS:
        raise MethodError(f"unknown tying method {method!r}; choose one of {', '.join(METHODS)}")
    G = get_group(group, spec.n_inputs)
    if not layerwise:
        if method == "orbits":
            raise MethodError(
                "a whole-network tying (layerwise=False) needs method 'constraints'; the orbit "
                "method ties layer by layer"
            )
        from .constraints import constraints

        t = tying_from_constraints(constraints(spec, G, kind, full=spec.full))
        return t
    method = "orbits" if method == "auto" else method
    syms = layer_symmetries(spec, G, kind)
    parts = []
    offset = 0
    for sym in syms:
        if method == "orbits":
            t = _orbit_layer(spec, sym, offset)
        else:
            t = _constraint_layer(spec, sym, offset)
        t.layer, t.symmetries = sym.l, [sym]
        parts.append(t)
        offset += t.n_weights
    whole = parts[0] if len(parts) == 1 else _concat(spec, parts)
    whole.group, whole.kind = G.name, kind
    whole.layers, whole.symmetries = parts, syms
    if len(parts) == 1:
        whole.layer = None
    return whole


# ---------------------------------------------------------------------------- orbit method

def _orbit_layer(spec: NetworkSpec, sym: LayerSymmetry, offset: int) -> Tying:
    lay = layer_layout(sym.layer, sym.n_in, spec.full)
    labels = orbit_labels(sym, spec.full)
    names = spec.weights[offset:offset + lay.size]
    n_orb = int(labels.max()) + 1 if lay.size else 0
    reps = np.unique(labels, return_index=True)[1].astype(np.int64)  # first member of each orbit
    params = [names[r] for r in reps.tolist()]
    t_all = np.arange(lay.size, dtype=np.int64)
    off = (lay.part == 0) & (lay.i != lay.j) if spec.full else np.zeros(lay.size, bool)
    if not off.any():
        rows, cols = t_all, labels
        num = np.ones(lay.size, np.int64)
        keys = labels
        left = (np.arange(n_orb), reps, np.ones(n_orb, np.int64), np.ones(n_orb, np.int64))
    else:
        # A_kij = s + D_kij, A_kji = s - D_kij for i < j; s is the orbit's parameter.
        upper = off & (lay.i < lay.j)
        up = np.flatnonzero(upper)
        d_col = np.full(lay.size, -1, dtype=np.int64)
        d_col[up] = n_orb + np.arange(len(up))
        d_col[off & ~upper] = d_col[lay.canonical[off & ~upper]]
        params += [f"D{sym.l}_{k}_{i}_{j}" for k, i, j in
                   zip(lay.k[up].tolist(), lay.i[up].tolist(), lay.j[up].tolist())]
        offs = np.flatnonzero(off)
        rows = np.concatenate([t_all, offs])
        cols = np.concatenate([labels, d_col[offs]])
        num = np.concatenate([np.ones(lay.size, np.int64),
                              np.where(upper[offs], 1, -1).astype(np.int64)])
        keys = np.where(off, n_orb + t_all, labels)
        # theta_s = (A_kij + A_kji)/2 on an off-diagonal orbit, A itself otherwise.
        rep_off = off[reps]
        lr, lc, ln, ld = [np.arange(n_orb)], [reps], [np.ones(n_orb, np.int64)], [np.where(rep_off, 2, 1)]
        twin = np.flatnonzero(rep_off)
        lr.append(twin)
        lc.append(_transpose_pos(lay, reps[twin]))
        ln.append(np.ones(len(twin), np.int64))
        ld.append(np.full(len(twin), 2, np.int64))
        lr += [n_orb + np.arange(len(up))] * 2
        lc += [up, _transpose_pos(lay, up)]
        ln += [np.ones(len(up), np.int64), -np.ones(len(up), np.int64)]
        ld += [np.full(len(up), 2, np.int64)] * 2
        left = tuple(np.concatenate(a).astype(np.int64) for a in (lr, lc, ln, ld))
    den = np.ones(len(num), np.int64)
    # Distinct orbits of symmetrised coordinates are distinct (output, monomial)
    # coefficients, and the D's cancel in A_kij + A_kji: the coefficient map has
    # one nonzero column per orbit, with disjoint supports, so its rank is n_orb.
    fdim = n_orb
    return Tying(spec, sym.group.name, sym.output_kind, spec.full, "orbits", tuple(names),
                 tuple(params), fdim, first_appearance(keys), rows, cols, num, den, left)


def _transpose_pos(lay, t: np.ndarray) -> np.ndarray:
    """Position of ``A_kji`` for the A-weights at positions ``t`` (full indexing)."""
    k, i, j = lay.k[t], lay.i[t], lay.j[t]
    return k * lay.stride + j * lay.n_in + i


# ---------------------------------------------------------------------------- constraint method

def _layer_spec(sym: LayerSymmetry, full: bool) -> NetworkSpec:
    """The layer alone, without its power (the tying is of the pre-activation)."""
    return NetworkSpec(sym.n_in, (LayerSpec(sym.layer.kind, sym.layer.width, 1),), full)


def layer_constraint_polys(sym: LayerSymmetry, full: bool = False, expansion=None):
    """Constraints of one layer's pre-activation, from its exact expansion.

    The x-coefficients of ``t_k(a.x) - t_{b^{-1}(k)}(x)`` for each generator's
    input permutation ``a`` and output permutation ``b``, as sympy polynomials
    in the ring of the layer's weights (named as in a one-layer network).

    Returns
    -------
    (ring, weights, polys)

    Examples
    --------
    >>> sym = layer_symmetries("2,l1", "symmetric", "invariant")[0]
    >>> [str(p.as_expr()) for p in layer_constraint_polys(sym)[2]]
    ['B1_0_0 - B1_0_1']
    """
    from .constraints import compared_coefficients
    from .expand import expand

    spec1 = _layer_spec(sym, full)
    ex = expansion if expansion is not None else expand(spec1, backend="sympy")
    R = ex.sympy_ring()
    coeffs = [{m: ex.to_sympy(c) for m, c in out.items()} for out in ex.coeffs]
    polys, seen = [], set()
    for a, b in sym.generator_pairs():
        binv = inverse(b)
        for k in range(spec1.n_outputs):
            for _, c_src, c_tgt in compared_coefficients(coeffs[k], coeffs[binv[k]], a):
                diff = (R.zero if c_src is None else c_src) - (R.zero if c_tgt is None else c_tgt)
                if not diff:
                    continue
                # Up to scalars, without sympy's monic() (slow ordering on many variables).
                terms = sorted(diff.items())
                key = tuple((e, c / terms[0][1]) for e, c in terms)
                if key not in seen:
                    seen.add(key)
                    polys.append(diff)
    return R, spec1.weights, polys


def _constraint_layer(spec: NetworkSpec, sym: LayerSymmetry, offset: int) -> Tying:
    lay = layer_layout(sym.layer, sym.n_in, spec.full)
    if lay.size > CONSTRAINT_MAX_WEIGHTS:
        raise MethodError(
            f"layer {sym.l} ({sym.layer} on {sym.n_in} inputs) has {lay.size} weights, more than "
            f"the constraint method expands ({CONSTRAINT_MAX_WEIGHTS}); use method 'orbits', which "
            "needs no expansion"
        )
    from .expand import expand

    ex = expand(_layer_spec(sym, spec.full), backend="sympy")
    R, w1, polys = layer_constraint_polys(sym, spec.full, ex)
    names = spec.weights[offset:offset + lay.size]
    t = _solve(spec, names, w1, polys, R)
    t.group, t.kind = sym.group.name, sym.output_kind
    t.function_dim = _expansion_rank(sym, spec.full, t, ex)
    return t


def tying_from_constraints(cs) -> Tying:
    """The tying of a :class:`~varieties.constraints.ConstraintSet` whose constraints are linear.

    Raises :class:`NonlinearError` naming the first nonlinear constraint.

    Examples
    --------
    >>> from varieties.constraints import constraints
    >>> tying_from_constraints(constraints("3,l3", kind="equivariant")).n_colors
    2
    >>> tying_from_constraints(constraints("2,q2,q1"))
    Traceback (most recent call last):
    ...
    varieties.errors.NonlinearError: constraint ...
    """
    t = _solve(cs.spec, cs.weights, cs.weights, cs.polys, cs.ring)
    t.group, t.kind = cs.group.name, cs.kind
    if len(cs.spec.layers) == 1:
        sym = LayerSymmetry(1, cs.spec.layers[0], cs.spec.n_inputs, cs.group, "group", cs.kind)
        t.function_dim = _expansion_rank(sym, cs.spec.full, t)
    return t


def _solve(spec, names, ring_names, polys, R) -> Tying:
    """Equality graph -> colors; exact rref of the rest -> free and dependent weights."""
    import networkx as nx
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    n = len(ring_names)
    zero: set[int] = set()
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    additive: list[dict[int, Fraction]] = []
    for p in polys:
        terms = {}
        for mono, c in p.terms():
            if sum(mono) != 1:
                raise NonlinearError(
                    f"constraint {p.as_expr()} = 0 is not linear in the weights, so it has no "
                    "tying (a linear subspace); analyse its variety with `varieties analyze` "
                    "(varieties.algebra.analyze), or tie layer by layer"
                )
            terms[mono.index(1)] = Fraction(int(c.numerator), int(c.denominator))
        vals = list(terms.values())
        if len(terms) == 1:
            zero.update(terms)
        elif len(terms) == 2 and vals[0] == -vals[1]:
            graph.add_edge(*terms)
        else:
            additive.append(terms)
    rep = np.arange(n)
    for comp in nx.connected_components(graph):
        r = min(comp)
        rep[list(comp)] = r
        if zero & comp:
            zero |= comp
    zero_reps = {int(rep[z]) for z in zero}
    rows = []
    for terms in additive:
        row: dict[int, Fraction] = {}
        for v, c in terms.items():
            r = int(rep[v])
            if r not in zero_reps:
                row[r] = row.get(r, Fraction(0)) + c
        row = {v: c for v, c in row.items() if c}
        if row:
            rows.append(row)
    active = sorted({v for row in rows for v in row}, reverse=True)  # pivots: latest weights
    col = {v: c for c, v in enumerate(active)}
    dependent: dict[int, dict[int, Fraction]] = {}
    if rows:
        dm = DomainMatrix({r: {col[v]: QQ(c.numerator, c.denominator) for v, c in row.items()}
                           for r, row in enumerate(rows)}, (len(rows), len(active)), QQ)
        rref, pivots = dm.rref()
        sdm = rref.rep.to_sdm() if hasattr(rref.rep, "to_sdm") else rref.rep
        for r, pc in enumerate(pivots):
            entries = sdm.get(r, {})
            dependent[active[pc]] = {active[c]: -Fraction(int(v.numerator), int(v.denominator))
                                     for c, v in entries.items() if c != pc}
    free = [v for v in range(n) if rep[v] == v and v not in zero_reps and v not in dependent]
    pcol = {v: c for c, v in enumerate(free)}
    expr_of_rep: dict[int, dict[int, Fraction]] = {}
    for v in range(n):
        r = int(rep[v])
        if r in expr_of_rep:
            continue
        if r in zero_reps:
            expr_of_rep[r] = {}
        elif r in dependent:
            expr_of_rep[r] = {pcol[f]: c for f, c in dependent[r].items() if c}
        else:
            expr_of_rep[r] = {pcol[r]: Fraction(1)}
    rr, cc, nn, dd, keys = [], [], [], [], {}
    color_ids = np.empty(n, dtype=np.int64)
    for v in range(n):
        expr = expr_of_rep[int(rep[v])]
        for c, q in sorted(expr.items()):
            rr.append(v), cc.append(c), nn.append(q.numerator), dd.append(q.denominator)
        key = tuple(sorted(expr.items()))
        color_ids[v] = -1 if not expr else keys.setdefault(key, len(keys))
    a = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
    k = len(free)
    left = (a(range(k)), a(free), np.ones(k, np.int64), np.ones(k, np.int64))
    return Tying(spec, "", "", spec.full, "constraints", tuple(names),
                 tuple(names[v] for v in free), None, color_ids, a(rr), a(cc), a(nn), a(dd), left)


def _expansion_rank(sym: LayerSymmetry, full: bool, t: Tying, expansion=None) -> int:
    """Rank over QQ of ``theta ->`` the layer's x-coefficients, from the exact expansion."""
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    from .expand import expand

    ex = expansion if expansion is not None else expand(_layer_spec(sym, full), backend="sympy")
    basis = [dict() for _ in range(t.n_weights)]
    for r, c, a, b in zip(t.rows.tolist(), t.cols.tolist(), t.num.tolist(), t.den.tolist()):
        basis[r][c] = Fraction(a, b)
    mat: dict = {}
    r = 0
    for out in ex.coeffs:
        for m, native in out.items():
            poly = ex.to_sympy(native)
            row: dict[int, Fraction] = {}
            for mono, c in poly.terms():
                for pc, q in basis[mono.index(1)].items():
                    row[pc] = row.get(pc, Fraction(0)) + q * Fraction(int(c.numerator), int(c.denominator))
            row = {pc: QQ(q.numerator, q.denominator) for pc, q in row.items() if q}
            if row:
                mat[r] = row
                r += 1
    if not mat or not t.n_free:
        return 0
    return int(DomainMatrix(mat, (r, t.n_free), QQ).rank())


# ---------------------------------------------------------------------------- layers

def _concat(spec: NetworkSpec, parts: list[Tying]) -> Tying:
    rows, cols, nums, dens, colors = [], [], [], [], []
    lrs, lcs, lns, lds = [], [], [], []
    w_off = p_off = c_off = 0
    for t in parts:
        rows.append(t.rows + w_off), cols.append(t.cols + p_off), nums.append(t.num), dens.append(t.den)
        lr, lc, ln, ld = t.left
        lrs.append(lr + p_off), lcs.append(lc + w_off), lns.append(ln), lds.append(ld)
        colors.append(np.where(t.color_ids >= 0, t.color_ids + c_off, -1))
        w_off += t.n_weights
        p_off += t.n_free
        c_off += t.n_colors
    cat = np.concatenate
    return Tying(spec, "", "", spec.full, parts[0].method,
                 tuple(w for t in parts for w in t.weights), tuple(p for t in parts for p in t.params),
                 None, cat(colors), cat(rows), cat(cols), cat(nums), cat(dens),
                 (cat(lrs), cat(lcs), cat(lns), cat(lds)))
