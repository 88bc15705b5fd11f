r"""Exact families from the actions of the group on the hidden units.

For every hidden layer choose a signed permutation action of G on its units
(:func:`.representations.hidden_actions`); then ask every layer to be
equivariant, from the action on its inputs (the network's inputs for the
first layer, the previous layer's units otherwise) to the action on its
units (the output action of ``kind`` for the last layer). The weights doing
that form a linear subspace ``w = M theta``, and every network in it is
symmetric: each generator's layer-wise equivariance composes to
``F(g x) = rho(g) F(x)``. So each choice is an exact family inside ``V``
(:class:`~.families.Family`, orbit rank under the reparametrisations as for
the built-in families), named after its actions, e.g. ``hidden: standard +
trivial``.

With ``P e_i = s(i) e_{p(i)}`` on a layer's inputs and ``Q e_k = t(k) e_{q(k)}``
on its units, equivariance ``t(P o) = Q t(o)`` holds exactly when

    A_kij = t(k) s(i) s(j) A_{q(k), p(i), p(j)},   B_ki = t(k) s(i) B_{q(k), p(i)},
    C_k = t(k) C_{q(k)}

for every generator (indices of ``A`` sorted in the triangular indexing):
the weights fall into signed orbits, each one free parameter, or zero when
an orbit meets itself with the opposite sign. A layer ``^R`` is equivariant
through its pre-activation, and its units then carry signs ``t^R``: an even
power absorbs the signs (Agrawal and Ostrowski's signed permutation
representations), an odd power or none keeps them.

Examples
--------
>>> fams = representation_families("2,q2,q1")
>>> [f.name for f in fams][:3]
['hidden: standard + trivial', 'hidden: trivial + trivial', 'hidden: trivial + sign']
"""

from __future__ import annotations

import itertools

from ..actions import make_action
from ..groups import get_group
from ..network import NetworkSpec, parse_spec, weight_name
from .families import Family
from .representations import HiddenAction, hidden_actions

#: At most this many families per network (the product over hidden layers grows fast).
MAX_FAMILIES = 48
#: Dead-unit variants are made of the built-in families and this many action families.
DEAD_BASES = 8


def _layer_columns(spec: NetworkSpec, l: int, inp: HiddenAction, out: HiddenAction):
    """Signed orbits of layer ``l``'s weights: ``(name -> (orbit, sign))``, zero orbits dropped."""
    ws = spec.layer_weights(l)
    names = [w.name for w in ws]
    pos = {n: i for i, n in enumerate(names)}
    edges = [[] for _ in names]
    for p, s, q, t in zip(inp.perms, inp.signs, out.perms, out.signs):
        for r, w in enumerate(ws):
            k = w.k
            if w.part == "A":
                a, b = p[w.i], p[w.j]
                if not spec.full and a > b:
                    a, b = b, a
                tgt, sign = weight_name("A", l, q[k], a, b), t[k] * s[w.i] * s[w.j]
            elif w.part == "B":
                tgt, sign = weight_name("B", l, q[k], p[w.i]), t[k] * s[w.i]
            else:
                tgt, sign = weight_name("C", l, q[k]), t[k]
            u = pos[tgt]
            edges[r].append((u, sign))
            edges[u].append((r, sign))
    label = [None] * len(names)
    cols: dict[str, tuple[int, int]] = {}
    n_orbits = 0
    for start in range(len(names)):
        if label[start] is not None:
            continue
        label[start] = 1
        comp, todo, zero = [start], [start], False
        while todo:
            v = todo.pop()
            for u, sign in edges[v]:
                want = label[v] * sign
                if label[u] is None:
                    label[u] = want
                    comp.append(u)
                    todo.append(u)
                elif label[u] != want:
                    zero = True
        if zero:
            continue
        for v in comp:
            cols[names[v]] = (n_orbits, label[v])
        n_orbits += 1
    return cols, n_orbits


def action_family(spec: NetworkSpec, group, kind: str, actions) -> Family:
    """The family of ``spec`` whose hidden layer ``l`` carries ``actions[l - 1]``."""
    G = get_group(group, spec.n_inputs)
    n = spec.n_inputs
    inp = HiddenAction(n, tuple(G.generators), tuple((1,) * n for _ in G.generators), "inputs")
    out_act = make_action(G, kind, spec.n_outputs)
    last = HiddenAction(spec.n_outputs, tuple(out_act.rho(g) for g in G.generators),
                        tuple((1,) * spec.n_outputs for _ in G.generators), kind)
    where: dict[str, tuple[int, int]] = {}
    offset = 0
    for l, layer in enumerate(spec.layers, start=1):
        out = actions[l - 1] if l < len(spec.layers) else last
        cols, k = _layer_columns(spec, l, inp, out)
        where.update({name: (offset + c, s) for name, (c, s) in cols.items()})
        offset += k
        # The units carry t^R: an even power absorbs the signs.
        inp = out.unsigned() if layer.power % 2 == 0 else out
    M = [[0] * offset for _ in spec.weights]
    for r, name in enumerate(spec.weights):
        if name in where:
            c, s = where[name]
            M[r][c] = s
    label = "; ".join(a.name for a in actions)
    return Family(f"hidden: {label}", M, offset)


def _with_free_rows(fam: Family, rows, free, name: str) -> Family:
    """``rows`` (``fam``'s matrix, edited) without its zero columns, plus one free parameter per row in ``free``."""
    keep = [c for c in range(fam.n_params) if any(row[c] for row in rows)]
    M = [[row[c] for c in keep] + [int(r == e) for e in free] for r, row in enumerate(rows)]
    return Family(name, M, len(keep) + len(free))


def dead_unit_family(spec: NetworkSpec, fam: Family, layer: int, dead) -> Family:
    """``fam`` with the hidden units ``dead`` of ``layer`` switched off.

    Their incoming weights are zero, so they output 0 (a power of 0 is 0),
    and every weight of the next layer that reads one of them multiplies 0:
    those become free parameters. If ``fam`` lies in ``V`` so does this
    family whenever ``dead`` is a union of orbits of the family's action on
    the layer (the rest stays equivariant); the membership check of
    :func:`.families.families` drops the others. Dead units matter where a
    lower-rank hidden layer leaves more freedom in the next one:
    ``4,a4,q1`` has dimension 26, and only these families reach it.
    """
    dead = set(dead)
    rows = [list(r) for r in fam.matrix]
    free = []
    for r, w in enumerate(spec.weight_index):
        if w.layer == layer and w.k in dead:
            rows[r] = [0] * fam.n_params
        elif w.layer == layer + 1 and any(v in dead for v in (w.i, w.j) if v is not None):
            rows[r] = [0] * fam.n_params
            free.append(r)
    return _with_free_rows(fam, rows, free, f"{fam.name} + {len(dead)} dead (layer {layer})")


def dead_unit_families(spec: NetworkSpec, bases) -> list[Family]:
    """Each base family with its last ``k`` units dead, for each hidden layer and ``0 < k <= width``.

    All units dead is the constant network with the next layer's weights on
    them free: the top component of ``3,a3,q3`` equivariant (dimension 31).
    """
    out = []
    for l, layer in enumerate(spec.layers[:-1], start=1):
        for fam in bases:
            for k in range(1, layer.width + 1):
                out.append(dead_unit_family(spec, fam, l, range(layer.width - k, layer.width)))
    return out


def unread_unit_family(spec: NetworkSpec, fam: Family, unread: dict) -> Family:
    """``fam`` with the hidden units ``unread[layer]`` not read by the next layer.

    The next layer's weights that read them are zero, so the output does not
    depend on them and their incoming weights become free parameters. If
    ``fam`` lies in ``V`` so does this family whenever each set is a union of
    orbits of the family's action (the membership check of
    :func:`.families.families` drops the others). Unlike a dead unit (output
    0, outgoing weights free), an unread unit is any function: with a unit
    unread in each hidden layer of ``3,q2,q2,q1`` (the remaining first-layer
    unit invariant, the second-layer unit reading only it) the family has
    dimension 28 minus the constant output, one more than any other family.
    """
    rows = [list(r) for r in fam.matrix]
    free = []
    # Layer by layer, so that an unread unit's incoming weights are free even
    # where they read an unread unit of the layer before.
    for layer in sorted(unread):
        units = set(unread[layer])
        for r, w in enumerate(spec.weight_index):
            if w.layer == layer + 1 and any(v in units for v in (w.i, w.j) if v is not None):
                rows[r] = [0] * fam.n_params
                if r in free:
                    free.remove(r)
            elif w.layer == layer and w.k in units and r not in free:
                rows[r] = [0] * fam.n_params
                free.append(r)
    label = ", ".join(f"{len(u)} unread (layer {l})" for l, u in sorted(unread.items()))
    return _with_free_rows(fam, rows, free, f"{fam.name} + {label}")


def unread_unit_families(spec: NetworkSpec, bases) -> list[Family]:
    """Each base with its last ``k_l`` units unread in every hidden layer ``l``, networks of 3+ layers.

    One family per choice of ``0 <= k_l < width_l`` with at least two hidden
    layers having ``k_l > 0`` (one unread layer alone is, up to the
    reparametrisations, often a dead-unit family already).
    """
    hidden = list(enumerate(spec.layers[:-1], start=1))
    if len(hidden) < 2:
        return []
    out = []
    for ks in itertools.product(*[range(layer.width) for _, layer in hidden]):
        if sum(1 for k in ks if k) < 2:
            continue
        unread = {l: range(layer.width - k, layer.width)
                  for (l, layer), k in zip(hidden, ks) if k}
        out.extend(unread_unit_family(spec, fam, unread) for fam in bases)
    return out


def representation_families(spec: NetworkSpec | str, group="symmetric", kind: str = "invariant",
                            *, limit: int = MAX_FAMILIES) -> list[Family]:
    """One family per choice of (signed) actions on the hidden layers, at most ``limit``.

    Their dimensions are not computed here: :func:`.families.families` does
    that (and checks membership in ``V``) for these as for the built-in ones.
    """
    spec = parse_spec(spec)
    if kind == "none" or len(spec.layers) < 2:
        return []
    G = get_group(group, spec.n_inputs)
    if not G.generators:
        return []
    per_layer = [hidden_actions(G, layer.width) for layer in spec.layers[:-1]]
    out = []
    for combo in itertools.islice(itertools.product(*per_layer), limit):
        out.append(action_family(spec, G, kind, combo))
    return out
