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

from dataclasses import dataclass

import numpy as np

from ..groups import PermutationGroup
from ..network import LayerSpec, NetworkSpec
from ..orbits import layer_symmetries

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
    role : {"equivariant", "invariant", "dense"}
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

    @property
    def n_a(self) -> int:
        p = self.n_in
        return (p * p if self.full else p * (p + 1) // 2) if self.layer.has_quadratic else 0

    @property
    def n_b(self) -> int:
        return self.n_in if self.layer.has_linear else 0

    @property
    def n_c(self) -> int:
        return 1 if self.layer.has_constant else 0

    @property
    def stride(self) -> int:
        """Weights per neuron."""
        return self.n_a + self.n_b + self.n_c

    @property
    def size(self) -> int:
        """Weights of the layer."""
        return self.layer.width * self.stride


def is_symmetric_group(G: PermutationGroup) -> bool:
    """Whether ``G`` is the full symmetric group (by name, else by its order)."""
    return G.name == "symmetric" or G.is_symmetric()


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
    stride = layer.n_weights(n) // K
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
    stride = layer.n_weights(n_in, full) // layer.width
    # Weights of one neuron carrying each parameter (for the initialisation).
    pairs_kc = np.unique(np.stack([t.rows // max(stride, 1), t.cols]), axis=1)
    mult = np.bincount(t.cols, minlength=t.n_free) / np.maximum(
        np.bincount(pairs_kc[1], minlength=t.n_free), 1)
    per_neuron = len(np.unique(t.cols[t.rows < stride]))
    return LayerPlan(l, layer, n_in, full, "dense", t.n_free, None,
                     (t.rows.astype(np.int64), t.cols.astype(np.int64), vals),
                     (lr.astype(np.int64), lc.astype(np.int64), ln / ld),
                     np.maximum(mult, 1.0), per_neuron, tuple(t.params))


def colors(plan: LayerPlan) -> np.ndarray:
    """The parameter of every weight of a power-sum layer (layer-local, spec order).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> from varieties.network import parse_spec
    >>> plan = plan_network(parse_spec("2,l2"), symmetric(2), "equivariant")[0]
    >>> colors(plan).tolist()   # B_00, B_01, B_10, B_11 = e, f, f, e
    [0, 1, 1, 0]
    """
    n, layer, K = plan.n_in, plan.layer, plan.layer.width
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
        return f"A{plan.l}_{k}_{i}_{j}"
    if s < plan.n_a + plan.n_b:
        return f"B{plan.l}_{k}_{s - plan.n_a}"
    return f"C{plan.l}_{k}"


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
