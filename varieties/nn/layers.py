r"""Layer plans of :class:`~varieties.nn.SymmetricNetwork`: its parameters and how a layer runs.

A :class:`LayerPlan` says, for one layer of the layer-wise tying, how many
free parameters it has, in which order, and how the layer is evaluated:

=================  ===================================================================
role               evaluation
=================  ===================================================================
``equivariant``    ``S_n``-equivariant layer through power sums, ``O(n)`` per sample
                   (:func:`varieties.learn.power_sum.equivariant_layer`); parameters in
                   the tying's order ``a, c, b, d, e, f, g`` (those the layer has)
``invariant``      ``K`` ``S_n``-invariant neurons through power sums
                   (:func:`~varieties.learn.power_sum.invariant_layer`); parameters
                   neuron by neuron, ``alpha, beta, gamma, delta`` each
``dense``          any group (and ``S_n`` layers whose inputs the group fixes, and the
                   full indexing): the layer's weights gathered from the parameters by
                   index tensors (``theta[cols]``, or ``M theta`` with signs for the full
                   indexing), then the quadratic features ``o_i o_j`` times a matrix
=================  ===================================================================

For ``S_n`` (default indexing) the plans are closed forms: no tying, no weight
names and no expansion are built, so planning a 256-input network takes
milliseconds. For other groups the plans read the orbit tying
(:func:`varieties.tying.tying`). Either way the parameters of layer ``l`` are
exactly ``tying(spec, group, kind).layers[l - 1].params``, in that order
(the tests compare them).

Everything here is numpy index bookkeeping; the torch evaluation is in
:mod:`varieties.nn.symmetric`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..groups import PermutationGroup
from ..network import LayerSpec, NetworkSpec, weight_name as _weight_name
from ..orbits import (LayerSymmetry, _components, first_appearance, image, layer_layout,
                      layer_symmetries)

#: ``orbit`` layers of at most this many weights gather their dense weights (one matrix
#: product beats the per-orbit gathers there); larger ones never build them.
ORBIT_DENSE_MAX_WEIGHTS = 20_000
_SMALLER_FAMILIES = ("cyclic", "dihedral", "hyperoctahedral", "trivial")
#: Stabiliser generators whose weight images are checked at once (memory ``chunk * stride``).
_IMAGE_CHUNK = 32

EQ_LETTERS = "abcdefg"      # kernel order of power_sum.equivariant_layer
TYING_ORDER = "acbdefg"     # first appearance in spec order (A_000, A_001, A_011, A_012, ...)


@dataclass(frozen=True)
class LayerPlan:
    """How one layer's free parameters make its weights, and how the layer is evaluated.

    Attributes
    ----------
    l : int
        1-based layer number.
    layer : LayerSpec
    n_in : int
        Width of the layer's input.
    full : bool
        The full indexing ``A_kij`` for all ``i, j``.
    role : {"equivariant", "invariant", "orbit", "dense"}
        See the module docstring.
    n_params : int
        Free parameters of the layer (the tying's ``n_free``).
    coef : ndarray or None
        Power-sum roles: parameter index of each kernel coefficient, ``-1`` where
        the layer lacks it; shape ``(7,)`` (``a..g``) or ``(4, K)``.
    matrix : tuple of ndarray or None
        ``dense``: ``(rows, cols, vals)`` of ``w_layer = M theta`` (layer-local
        positions in spec order); power-sum roles compute it on demand.
    left : tuple of ndarray or None
        ``dense``: ``(rows, cols, vals)`` of a left inverse, ``theta = L w_layer``.
    mult : ndarray
        For each parameter, how many weights of one neuron carry it (for the
        initialisation).
    per_neuron : int
        Parameters one neuron's weights depend on (for the initialisation).
    names : tuple of str or None
        Parameter names when read from a tying; ``None`` for the closed forms,
        whose names :func:`param_names` derives.
    blocks : tuple of OrbitBlock or None
        ``orbit``: the output orbits of the layer, grouped by shape.
    """

    l: int
    layer: LayerSpec
    n_in: int
    full: bool
    role: str
    n_params: int
    coef: np.ndarray | None
    matrix: tuple | None
    left: tuple | None
    mult: np.ndarray
    per_neuron: int
    names: tuple | None = None
    blocks: tuple | None = None

    # The counts come from LayerSpec.part_sizes, the one place that computes them.
    @property
    def n_a(self) -> int:
        return self.layer.part_sizes(self.n_in, self.full)[0]

    @property
    def n_b(self) -> int:
        return self.layer.part_sizes(self.n_in, self.full)[1]

    @property
    def n_c(self) -> int:
        return self.layer.part_sizes(self.n_in, self.full)[2]

    @property
    def stride(self) -> int:
        """Weights per neuron."""
        return sum(self.layer.part_sizes(self.n_in, self.full))

    @property
    def size(self) -> int:
        """Weights of the layer."""
        return self.layer.width * self.stride


def is_symmetric_group(G: PermutationGroup) -> bool:
    """Whether ``G`` is the full symmetric group (by name, else :meth:`~varieties.groups.PermutationGroup.is_symmetric`).

    The named families of degree 4 and more have orders ``n``, ``2n``,
    ``2^m m!`` and 1, below ``n!``, so they are answered by name.
    """
    if G.name == "symmetric":
        return True
    if G.name in _SMALLER_FAMILIES and G.degree >= 4:
        return False
    return G.is_symmetric()


def pairs(p: int, full: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(I, J)``: the quadratic index pairs in spec order (``i <= j``, or all if ``full``).

    Examples
    --------
    >>> [a.tolist() for a in pairs(3, False)]
    [[0, 0, 0, 1, 1, 2], [0, 1, 2, 1, 2, 2]]
    """
    if full:
        return np.repeat(np.arange(p), p), np.tile(np.arange(p), p)
    I, J = np.triu_indices(p)
    return I.astype(np.int64), J.astype(np.int64)


def plan_network(spec: NetworkSpec, G: PermutationGroup, kind: str) -> list[LayerPlan]:
    """The :class:`LayerPlan` of every layer of ``spec`` under ``G`` (last layer of ``kind``).

    Raises what :func:`varieties.orbits.layer_symmetries` raises for a kind
    the network or group cannot have (:class:`~varieties.errors.ActionError`).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> from varieties.network import parse_spec
    >>> [(p.role, p.n_params) for p in plan_network(parse_spec("5,q5,q2"), symmetric(5),
    ...                                               "invariant")]
    [('equivariant', 7), ('invariant', 8)]
    """
    syms = layer_symmetries(spec, G, kind)
    # Folding (outputs mod n/2) has no power-sum form; under S_n it exists only for n = 2.
    if not spec.full and kind != "folded" and is_symmetric_group(G):
        return [_sn_plan(s.l, s.layer, s.n_in, s.input_action, s.output_kind) for s in syms]
    if not spec.full:
        return [_orbit_plan(s) for s in syms]
    # The full indexing has one antisymmetric parameter per weight pair: read the tying.
    from ..tying import tying

    T = tying(spec, G, kind, full=spec.full, method="orbits")
    return [_tying_plan(s.l, s.layer, s.n_in, spec.full, t) for s, t in zip(syms, T.layers)]


def _present(layer: LayerSpec, n: int) -> str:
    """The ``S_n``-equivariant coefficients a layer has, in the tying's order."""
    quad = "a" + ("cb" if n >= 2 else "") + ("d" if n >= 3 else "")
    lin = "e" + ("f" if n >= 2 else "")
    return ((quad if layer.has_quadratic else "") + (lin if layer.has_linear else "")
            + ("g" if layer.has_constant else ""))


def _sn_plan(l: int, layer: LayerSpec, n: int, inp: str, out: str) -> LayerPlan:
    K = layer.width
    if inp == "group" and out == "equivariant":
        present = _present(layer, n)
        coef = np.array([present.find(c) for c in EQ_LETTERS], dtype=np.int64)
        m = {"a": 1, "b": n - 1, "c": n - 1, "d": (n - 1) * (n - 2) // 2, "e": 1,
             "f": n - 1, "g": 1}
        return LayerPlan(l, layer, n, False, "equivariant", len(present), coef, None, None,
                         np.array([m[c] for c in present], dtype=np.int64), len(present))
    if inp == "group" and out == "invariant":
        quad = ("ab" if n >= 2 else "a") if layer.has_quadratic else ""
        per = quad + ("c" if layer.has_linear else "") + ("d" if layer.has_constant else "")
        base = np.arange(K, dtype=np.int64) * len(per)
        coef = np.stack([base + per.find(c) if c in per else np.full(K, -1, np.int64)
                         for c in "abcd"])
        m = {"a": n, "b": n * (n - 1) // 2, "c": n, "d": 1}
        return LayerPlan(l, layer, n, False, "invariant", K * len(per), coef, None, None,
                         np.tile(np.array([m[c] for c in per], dtype=np.int64), K), len(per))
    # Inputs fixed by the group: neurons free (invariant, none) or one shared neuron.
    stride = sum(layer.part_sizes(n))
    shared = out == "equivariant"
    n_params = stride if shared else K * stride
    ids = np.arange(K * stride, dtype=np.int64)
    cols = ids % stride if shared else ids
    ones = np.ones(K * stride)
    reps = np.arange(n_params, dtype=np.int64)
    return LayerPlan(l, layer, n, False, "dense", n_params, None, (ids, cols, ones),
                     (reps, reps, np.ones(n_params)), np.ones(n_params, dtype=np.int64), stride)


def _tying_plan(l: int, layer: LayerSpec, n_in: int, full: bool, t) -> LayerPlan:
    vals = t.num / t.den
    lr, lc, ln, ld = t.left
    stride = sum(layer.part_sizes(n_in, full))
    # Weights of one neuron carrying each parameter (for the initialisation).
    pairs_kc = np.unique(np.stack([t.rows // max(stride, 1), t.cols]), axis=1)
    mult = np.bincount(t.cols, minlength=t.n_free) / np.maximum(
        np.bincount(pairs_kc[1], minlength=t.n_free), 1)
    per_neuron = len(np.unique(t.cols[t.rows < stride]))
    return LayerPlan(l, layer, n_in, full, "dense", t.n_free, None,
                     (t.rows.astype(np.int64), t.cols.astype(np.int64), vals),
                     (lr.astype(np.int64), lc.astype(np.int64), ln / ld),
                     np.maximum(mult, 1.0), per_neuron, tuple(t.params))


@dataclass(frozen=True)
class OrbitBlock:
    """Output orbits of one layer with the same size and the same stabiliser colors.

    Attributes
    ----------
    ks : ndarray
        ``(nb, size)``: the neurons of each orbit, its smallest (``k0``) first.
    perms : ndarray
        ``(nb, size, n_in)``: the input permutation ``a`` of a group element
        carrying ``k0`` to ``ks[b, r]`` (identity for ``r = 0``); weight ``s`` of
        ``k0`` equals weight ``a.s`` of that neuron.
    local : ndarray
        ``(stride,)``: the stabiliser orbit of each weight of ``k0``, numbered by
        first appearance (spec order).
    offsets : ndarray
        ``(nb,)``: the layer-local index of each orbit's first parameter;
        parameter ``offsets[b] + local[s]`` is weight ``s`` of ``k0``.
    """

    ks: np.ndarray
    perms: np.ndarray
    local: np.ndarray
    offsets: np.ndarray

    @property
    def m(self) -> int:
        """Parameters per orbit."""
        return int(self.local.max()) + 1 if len(self.local) else 0


def _stabiliser_colors(lay1, gens: np.ndarray) -> np.ndarray:
    """Orbits of the group generated by input permutations ``gens`` on one neuron's weights."""
    labels = np.arange(lay1.size, dtype=np.int64)
    zero = np.zeros(1, dtype=np.int64)
    for lo in range(0, len(gens), _IMAGE_CHUNK):
        imgs = np.stack([image(lay1, a, zero) for a in gens[lo:lo + _IMAGE_CHUNK]])
        moved = labels[imgs] != labels[None, :]
        if not moved.any():
            continue
        # Merge on the current labels only: the graph has one node per orbit found so far.
        n_lab = int(labels.max()) + 1
        rows = np.broadcast_to(labels, imgs.shape)[moved]
        labels = _components(n_lab, rows, labels[imgs][moved])[labels]
    return first_appearance(labels)


def _known_stabiliser(sym: LayerSymmetry) -> np.ndarray | None:
    """Generators (rows, input permutations) of the stabiliser of unit 0, when known in closed form.

    The hyperoctahedral group ``B_m`` of :func:`varieties.groups.hyperoctahedral`
    in its natural action on an equivariant layer: the stabiliser of point 0
    fixes its partner ``m`` too and is ``B_{m-1}`` on the other pairs (one sign
    swap and ``S_{m-1}`` on the pairs). The Schreier generators would be ``3 * 2m``
    (768 at ``n = 256``, 0.29 s of sifting); these are at most three.
    """
    from ..groups import hyperoctahedral

    G, n = sym.group, sym.n_in
    if (G.name != "hyperoctahedral" or sym.output_kind != "equivariant"
            or sym.input_action != "group" or n % 2 or sym.layer.width != n
            or tuple(G.generators) != hyperoctahedral(n // 2).generators):
        return None
    m = n // 2
    ident = list(range(n))
    gens = []
    if m >= 2:
        swap = ident.copy()
        swap[1], swap[1 + m] = 1 + m, 1
        gens.append(swap)
    if m >= 3:
        tr = ident.copy()
        for a, b in ((1, 2), (1 + m, 2 + m)):
            tr[a], tr[b] = b, a
        gens.append(tr)
    if m >= 4:
        cyc = ident.copy()
        for i in range(1, m):
            cyc[i] = i % (m - 1) + 1
            cyc[i + m] = i % (m - 1) + 1 + m
        gens.append(cyc)
    return np.array(gens, dtype=np.int64).reshape(len(gens), n)


def _orbit_plan(sym: LayerSymmetry) -> LayerPlan:
    """The ``orbit`` plan of a layer (default indexing, any group)."""
    layer, n, w = sym.layer, sym.n_in, sym.layer.width
    lay1 = layer_layout(replace(layer, width=1), n, False)
    pairs_ = sym.generator_pairs()
    A = np.array([a for a, _ in pairs_], dtype=np.int64).reshape(len(pairs_), n)
    B = np.array([b for _, b in pairs_], dtype=np.int64).reshape(len(pairs_), w)
    ident = np.arange(n, dtype=np.int64)
    trans = np.empty((w, n), dtype=np.int64)
    seen = np.zeros(w, dtype=bool)
    orbits = []
    for k0 in range(w):       # breadth first from the smallest unseen neuron: k0 = min(orbit)
        if seen[k0]:
            continue
        seen[k0], trans[k0], members = True, ident, [k0]
        for x in members:
            for g in range(len(A)):
                y = int(B[g, x])
                if not seen[y]:
                    seen[y], trans[y] = True, A[g][trans[x]]
                    members.append(y)
        orbits.append(np.array(members, dtype=np.int64))
    inv_trans = np.empty_like(trans)
    np.put_along_axis(inv_trans, trans, np.broadcast_to(ident, trans.shape), axis=1)
    cache: dict = {}
    groups: dict = {}   # (size, stabiliser key) -> orbit numbers
    locals_ = []
    known = _known_stabiliser(sym)
    for o, X in enumerate(orbits):
        if known is not None and X[0] == 0 and len(X) == w:
            S = [known]
        else:
            # Schreier generators u_{g x}^{-1} g u_x of the stabiliser of k0.
            S = [np.take_along_axis(inv_trans[B[g, X]], A[g][trans[X]], axis=1)
                 for g in range(len(A))]
        # Distinct non-identity generators, in a canonical order (rows as bytes: cheaper
        # than np.unique(axis=0)); the cache key is the set.
        rows = {r.tobytes(): r for r in (np.concatenate(S) if S else ())}
        rows.pop(ident.tobytes(), None)
        keys = sorted(rows)
        S = np.stack([rows[r] for r in keys]) if keys else np.empty((0, n), np.int64)
        key = b"".join(keys)
        if key not in cache:
            cache[key] = _stabiliser_colors(lay1, S)
        locals_.append(cache[key])
        groups.setdefault((len(X), key), []).append(o)
    ms = np.array([int(loc.max()) + 1 if len(loc) else 0 for loc in locals_], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(ms)[:-1]]).astype(np.int64)
    blocks = tuple(
        OrbitBlock(np.stack([orbits[o] for o in os_]),
                   np.stack([trans[orbits[o]] for o in os_]), locals_[os_[0]], offsets[os_])
        for os_ in groups.values())
    mult = np.concatenate([np.bincount(loc) for loc in locals_]) if w else np.ones(0)
    return LayerPlan(sym.l, layer, n, False, "orbit", int(ms.sum()), None, None, None,
                     np.maximum(mult, 1), int(ms[0]) if w else 0, blocks=blocks)


def colors(plan: LayerPlan) -> np.ndarray:
    """The parameter of every weight of a power-sum or orbit layer (layer-local, spec order).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> from varieties.network import parse_spec
    >>> plan = plan_network(parse_spec("2,l2"), symmetric(2), "equivariant")[0]
    >>> colors(plan).tolist()   # B_00, B_01, B_10, B_11 = e, f, f, e
    [0, 1, 1, 0]
    """
    n, layer, K = plan.n_in, plan.layer, plan.layer.width
    if plan.role == "orbit":
        lay1 = layer_layout(replace(layer, width=1), n, False)
        out = np.empty((K, plan.stride), dtype=np.int64)
        zero = np.zeros(1, dtype=np.int64)
        for bl in plan.blocks:
            for k_row, p_row, off in zip(bl.ks, bl.perms, bl.offsets.tolist()):
                for k, a in zip(k_row.tolist(), p_row):
                    out[k, image(lay1, a, zero)] = off + bl.local
        return out.ravel()
    k = np.arange(K, dtype=np.int64)[:, None]
    parts = []
    I, J = pairs(n, False)
    if plan.role == "equivariant":
        a, b, c, d, e, f, g = plan.coef.tolist()
        if layer.has_quadratic:
            parts.append(np.where(I == J, np.where(I == k, a, b),
                                  np.where((I == k) | (J == k), c, d)))
        if layer.has_linear:
            parts.append(np.where(np.arange(n) == k, e, f))
        if layer.has_constant:
            parts.append(np.full((K, 1), g))
    else:
        alpha, beta, gamma, delta = (plan.coef[r][:, None] for r in range(4))
        if layer.has_quadratic:
            parts.append(np.where(I == J, alpha, beta))
        if layer.has_linear:
            parts.append(np.broadcast_to(gamma, (K, n)))
        if layer.has_constant:
            parts.append(delta)
    return np.concatenate(parts, axis=1).astype(np.int64).ravel()


def layer_matrix(plan: LayerPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, cols, vals)`` of ``w_layer = M theta`` for any plan."""
    if plan.matrix is not None:
        return plan.matrix
    cols = colors(plan)
    return np.arange(len(cols), dtype=np.int64), cols, np.ones(len(cols))


def left_inverse(plan: LayerPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, cols, vals)`` of ``L`` with ``theta = L w_layer`` on tied weights."""
    if plan.left is not None:
        return plan.left
    if plan.role == "orbit":
        # The first weight of a color is in the orbit's first neuron k0.
        first = np.empty(plan.n_params, dtype=np.int64)
        for bl in plan.blocks:
            pos = np.unique(bl.local, return_index=True)[1]
            first[bl.offsets[:, None] + np.arange(bl.m)] = (bl.ks[:, :1] * plan.stride + pos)
        return np.arange(plan.n_params, dtype=np.int64), first, np.ones(plan.n_params)
    _, first = np.unique(colors(plan), return_index=True)   # a representative per parameter
    return np.arange(plan.n_params, dtype=np.int64), first.astype(np.int64), np.ones(plan.n_params)


def weight_name(plan: LayerPlan, pos: int) -> str:
    """Name of the weight at layer-local position ``pos`` (spec order).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> from varieties.network import parse_spec
    >>> plan = plan_network(parse_spec("3,q3"), symmetric(3), "equivariant")[0]
    >>> weight_name(plan, 0), weight_name(plan, 7), weight_name(plan, 10)
    ('A1_0_0_0', 'B1_0_1', 'A1_1_0_0')
    """
    k, s = divmod(int(pos), plan.stride)
    if s < plan.n_a:
        if plan.full:
            i, j = divmod(s, plan.n_in)
        else:
            I, J = pairs(plan.n_in, False)
            i, j = int(I[s]), int(J[s])
        return _weight_name("A", plan.l, k, i, j)
    if s < plan.n_a + plan.n_b:
        return _weight_name("B", plan.l, k, s - plan.n_a)
    return _weight_name("C", plan.l, k)


def param_names(plan: LayerPlan) -> tuple[str, ...]:
    """The layer's parameter names: the tying's representative weights, in its order.

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> from varieties.network import parse_spec
    >>> param_names(plan_network(parse_spec("3,q3"), symmetric(3), "equivariant")[0])
    ('A1_0_0_0', 'A1_0_0_1', 'A1_0_1_1', 'A1_0_1_2', 'B1_0_0', 'B1_0_1', 'C1_0')
    """
    if plan.names is not None:
        return plan.names
    _, reps, _ = left_inverse(plan)
    return tuple(weight_name(plan, r) for r in reps.tolist())
