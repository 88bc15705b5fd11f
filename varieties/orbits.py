"""Orbit engine: weight-sharing classes of a layer from the group alone, no expansion.

A layer computes ``t_k(o) = sum_{i<=j} A_kij o_i o_j + sum_i B_ki o_i + C_k``.
If a group element acts on the layer's inputs by ``a`` and on its outputs by
``b`` (both permutations), the layer is symmetric, ``t(a.o) = b.t(o)``, exactly
when

.. math:: A_{b(k),\\{a(i),a(j)\\}} = A_{k,\\{i,j\\}},\\quad
          B_{b(k),a(i)} = B_{k,i},\\quad C_{b(k)} = C_k,

because a permutation of the inputs maps x-monomials to x-monomials. So the
solution space is "constant on orbits" of the index tuples ``(k, {i, j})``,
``(k, i)``, ``(k)``, and orbits of the group are the connected components of
the graph joining every tuple to its images under the *generators* (every
element is a word in them). The engine builds that graph with numpy array
operations (one vectorised image per generator) and labels its components with
:func:`scipy.sparse.csgraph.connected_components`.

In the full indexing the layer only sees ``A_kij + A_kji``; the engine works on
those symmetrised coordinates (the canonical positions ``i <= j``) and the
tying adds the antisymmetric parts as free parameters (see
:mod:`varieties.tying`).

The layer-wise rule for a multi-layer network (:func:`layer_symmetries`): a
hidden layer whose input carries the group's action and whose width equals the
number of inputs ``n`` is equivariant; any other hidden layer is invariant, and
from then on the layers' inputs carry the trivial action. The last layer has
the requested ``kind``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .actions import make_action
from .errors import MethodError
from .groups import Perm, PermutationGroup, get_group, identity
from .network import LayerSpec, NetworkSpec, parse_spec, quadratic_pairs

#: Group orders up to which :func:`brute_force_labels` enumerates all elements.
BRUTE_FORCE_LIMIT = 50_000


@dataclass(frozen=True)
class LayerSymmetry:
    """How the group acts on one layer: on its inputs and on its outputs.

    Attributes
    ----------
    l : int
        The 1-based layer number.
    layer : LayerSpec
    n_in : int
        Width of the layer's input.
    group : PermutationGroup
        The group acting on the network's inputs.
    input_action : str
        ``"group"`` (inputs permuted like the network's inputs) or ``"trivial"``.
    output_kind : str
        ``"equivariant"``, ``"invariant"``, ``"folded"`` or ``"none"``.

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> sym = layer_symmetries("3,q3,q1", "symmetric", "invariant")
    >>> [(s.input_action, s.output_kind) for s in sym]
    [('group', 'equivariant'), ('group', 'invariant')]
    """

    l: int
    layer: LayerSpec
    n_in: int
    group: PermutationGroup
    input_action: str
    output_kind: str

    def in_perm(self, g: Perm) -> Perm:
        """How ``g`` permutes the layer's inputs."""
        return tuple(g) if self.input_action == "group" else identity(self.n_in)

    def out_perm(self, g: Perm) -> Perm:
        """How ``g`` permutes the layer's outputs."""
        w = self.layer.width
        if self.output_kind == "equivariant":
            return tuple(g)
        if self.output_kind == "folded":
            return tuple(g[b] % w for b in range(w))
        return identity(w)

    @property
    def is_trivial(self) -> bool:
        """Whether the group acts trivially on both sides (no constraints)."""
        return self.input_action == "trivial" and self.output_kind in ("invariant", "none")

    def generator_pairs(self) -> list[tuple[Perm, Perm]]:
        """``(input permutation, output permutation)`` of each generator."""
        if self.output_kind == "none":
            return []
        return [(self.in_perm(g), self.out_perm(g)) for g in self.group.generators]

    def describe(self) -> str:
        return f"layer {self.l} ({self.layer}): inputs {self.input_action}, outputs {self.output_kind}"


def layer_symmetries(
    spec: NetworkSpec | str, group: str | PermutationGroup = "symmetric", kind: str = "equivariant"
) -> list[LayerSymmetry]:
    """The layer-wise symmetry of a network (see the module docstring).

    Raises :class:`~varieties.errors.ActionError` when the last layer does not
    fit ``kind`` (e.g. folded outputs under ``S_n``).

    Examples
    --------
    >>> [s.output_kind for s in layer_symmetries("4,q2,q4,l1", "symmetric", "invariant")]
    ['invariant', 'invariant', 'invariant']
    """
    if not isinstance(spec, NetworkSpec):
        spec = parse_spec(spec)
    G = get_group(group, spec.n_inputs)
    make_action(G, kind, spec.n_outputs)  # validates width and that the rule is an action
    n = spec.n_inputs
    out = []
    inp = "group"
    for l, layer in enumerate(spec.layers, start=1):
        p = spec.input_widths[l - 1]
        last = l == len(spec.layers)
        if kind == "none":
            okind = "none"
        elif last:
            okind = kind
        elif inp == "group" and layer.width == n:
            okind = "equivariant"
        else:
            okind = "invariant"
        out.append(LayerSymmetry(l, layer, p, G, inp if kind != "none" else "trivial", okind))
        inp = "group" if okind == "equivariant" else "trivial"
    return out


@dataclass(frozen=True)
class LayerLayout:
    """Where each weight of a layer sits, as numpy arrays in spec order.

    Weight ``t`` of the layer (0-based, spec order) has ``part[t]`` 0/1/2 for
    A/B/C, neuron ``k[t]`` and inputs ``i[t]``, ``j[t]`` (``-1`` where absent).
    ``canonical[t]`` is the position of its symmetrised coordinate: itself,
    except for ``A_kij`` with ``i > j`` in the full indexing, which maps to
    ``A_kji``. The part sizes ``n_a, n_b, n_c`` are
    :meth:`~varieties.network.LayerSpec.part_sizes`; where a layer sits in a
    network's flat weight vector is :class:`varieties.learn.numpy_backend.LayerSlices`.
    """

    n_in: int
    width: int
    full: bool
    n_a: int
    n_b: int
    n_c: int
    part: np.ndarray
    k: np.ndarray
    i: np.ndarray
    j: np.ndarray
    canonical: np.ndarray
    pair_pos: np.ndarray  # (p, p): position inside a neuron of the canonical A_{min, max}

    @property
    def stride(self) -> int:
        return self.n_a + self.n_b + self.n_c

    @property
    def size(self) -> int:
        return self.width * self.stride


def layer_layout(layer: LayerSpec, n_in: int, full: bool) -> LayerLayout:
    """The :class:`LayerLayout` of a layer with ``n_in`` inputs.

    Examples
    --------
    >>> from varieties.network import LayerSpec
    >>> lay = layer_layout(LayerSpec("q", 1), 2, full=True)
    >>> lay.size, lay.canonical.tolist()
    (7, [0, 1, 1, 3, 4, 5, 6])
    """
    p, w = n_in, layer.width
    pairs = np.array(quadratic_pairs(p, full), dtype=np.int64).reshape(-1, 2)
    n_a, n_b, n_c = layer.part_sizes(p, full)
    stride = n_a + n_b + n_c
    part_n = np.concatenate([np.zeros(n_a, np.int64), np.ones(n_b, np.int64), np.full(n_c, 2)])
    i_n = np.concatenate([pairs[:n_a, 0], np.arange(n_b), np.full(n_c, -1)]).astype(np.int64)
    j_n = np.concatenate([pairs[:n_a, 1], np.full(n_b, -1), np.full(n_c, -1)]).astype(np.int64)
    pos = np.full((p, p), -1, dtype=np.int64)
    if n_a:
        pos[pairs[:, 0], pairs[:, 1]] = np.arange(n_a)
    lo, hi = np.minimum.outer(np.arange(p), np.arange(p)), np.maximum.outer(np.arange(p), np.arange(p))
    pair_pos = pos[lo, hi] if n_a else pos
    canon_n = np.arange(stride, dtype=np.int64)
    if n_a:
        canon_n[:n_a] = pair_pos[pairs[:, 0], pairs[:, 1]]
    base = (np.arange(w, dtype=np.int64) * stride)[:, None]
    return LayerLayout(
        n_in=p, width=w, full=full, n_a=n_a, n_b=n_b, n_c=n_c,
        part=np.tile(part_n, w), k=np.repeat(np.arange(w, dtype=np.int64), stride),
        i=np.tile(i_n, w), j=np.tile(j_n, w),
        canonical=(base + canon_n[None, :]).ravel(), pair_pos=pair_pos,
    )


def image(lay: LayerLayout, a: Perm, b: Perm) -> np.ndarray:
    """Canonical position of the image of every weight under inputs ``a``, outputs ``b``.

    Vectorised: one fancy-indexing pass over all weights.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    out = b[lay.k] * lay.stride
    isA, isB, isC = lay.part == 0, lay.part == 1, lay.part == 2
    out[isA] += lay.pair_pos[a[lay.i[isA]], a[lay.j[isA]]]
    out[isB] += lay.n_a + a[lay.i[isB]]
    out[isC] += lay.n_a + lay.n_b
    return out


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="weak")
    return labels


def first_appearance(labels: np.ndarray) -> np.ndarray:
    """Renumber labels ``0, 1, ...`` in order of first appearance.

    Examples
    --------
    >>> first_appearance(np.array([5, 5, 2, 5, 9])).tolist()
    [0, 0, 1, 0, 2]
    """
    if len(labels) == 0:
        return labels.astype(np.int64)
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inv.ravel()]


def orbit_labels(sym: LayerSymmetry, full: bool = False) -> np.ndarray:
    """Orbit of every weight of a layer, numbered by first appearance (spec order).

    In the full indexing ``A_kij`` and ``A_kji`` share the label of their
    symmetrised coordinate. Union over generator images, vectorised with
    numpy; components by scipy.

    Examples
    --------
    >>> sym = layer_symmetries("3,l3", "symmetric", "equivariant")[0]
    >>> orbit_labels(sym).reshape(3, 3).tolist()   # W = alpha I + beta 11^T
    [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    """
    lay = layer_layout(sym.layer, sym.n_in, full)
    canon = lay.canonical
    keep = canon == np.arange(lay.size)
    src_parts, dst_parts = [np.arange(lay.size)], [canon]
    for a, b in sym.generator_pairs():
        src_parts.append(np.flatnonzero(keep))
        dst_parts.append(image(lay, a, b)[keep])
    labels = _components(lay.size, np.concatenate(src_parts), np.concatenate(dst_parts))
    return first_appearance(labels)


def brute_force_labels(sym: LayerSymmetry, full: bool = False, limit: int = BRUTE_FORCE_LIMIT):
    """Orbits by applying *every* group element (an independent check of :func:`orbit_labels`).

    Raises :class:`~varieties.errors.MethodError` for groups of more than
    ``limit`` elements: use :func:`orbit_labels` (method ``orbits``) there.

    Examples
    --------
    >>> sym = layer_symmetries("3,l3", "symmetric", "equivariant")[0]
    >>> brute_force_labels(sym).tolist() == orbit_labels(sym).tolist()
    True
    """
    order = sym.group.order()
    if order > limit:
        raise MethodError(
            f"brute-force orbit enumeration over all {order} elements of {sym.group} exceeds "
            f"the limit of {limit}; use method 'orbits' (generators only)"
        )
    lay = layer_layout(sym.layer, sym.n_in, full)
    elements = sym.group.elements(limit=limit) if sym.output_kind != "none" else []
    orbit_of = np.full(lay.size, -1, dtype=np.int64)
    imgs = [image(lay, sym.in_perm(g), sym.out_perm(g)) for g in elements]
    # An orbit is the set of images of one point under all elements: no closure needed.
    for t in range(lay.size):
        c = lay.canonical[t]
        if orbit_of[c] >= 0:
            orbit_of[t] = orbit_of[c]
            continue
        members = {c} | {int(im[c]) for im in imgs}
        for m in members:
            orbit_of[m] = c
        orbit_of[t] = c
    return first_appearance(orbit_of)
