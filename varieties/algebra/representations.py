r"""Actions of a permutation group on hidden units: its (signed) G-sets of a given size.

A G-invariant network is classified by how G acts on its hidden units
(Agrawal and Ostrowski 2022 classify G-invariant shallow networks by signed
permutation representations on the hidden neurons). Each such action gives
an exact family of symmetric weights (:mod:`.rep_families`). This module
lists the actions.

* A **transitive** action of G on ``k`` points is the action on the cosets of
  a subgroup ``H`` of index ``k``; up to isomorphism there is one per
  conjugacy class of such subgroups. They are found by the low-index
  subgroups algorithm (:func:`sympy.combinatorics.fp_groups.low_index_subgroups`)
  on a presentation of G: a standard one for ``S_n`` (Moore's), ``C_n`` and
  ``D_n`` in the generators :mod:`varieties.groups` uses, sympy's for other
  groups.
* A **signed** transitive action on ``k`` units (``g e_i = s_g(i) e_{g(i)}``,
  ``s = +-1``), the monomial representation induced from a character
  ``H -> {+-1}``, is a transitive permutation action with signs on the
  generators that satisfy every relator of the presentation; sign patterns
  that differ by flipping units (conjugation by a diagonal of signs) are the
  same action and are listed once.
* An action on ``m`` units is a **sum** (disjoint union) of transitive ones
  whose sizes add up to ``m``.

Every listed action is checked to be a homomorphism (the relators hold on
its generators), so layers equivariant for it are equivariant for the whole
group. Names: ``trivial``; ``sign`` for the sign character of ``S_n``, and
``char(+-...)`` for another ``+-1`` character, by its values on the
generators; ``natural`` for the action on the inputs (``standard + trivial``
for ``S_n``); otherwise ``G/H[k]``, the action on the ``k`` cosets of a
subgroup of order ``|G|/k``, with ``signed`` when it carries signs.

Examples
--------
>>> from varieties.groups import symmetric
>>> [a.name for a in transitive_actions(symmetric(3), 3)]
['standard + trivial']
>>> sorted(a.name for a in signed_transitive_actions(symmetric(3), 1))
['sign', 'trivial']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from ..groups import PermutationGroup, cyclic, dihedral, sign, symmetric

#: At most this many actions of one width are returned (the sums grow quickly).
MAX_ACTIONS = 64


@dataclass(frozen=True)
class HiddenAction:
    """A signed permutation action of G on ``size`` units, by its generators' images.

    Attributes
    ----------
    size : int
    perms : tuple of tuple of int
        For each generator of G, the permutation of the units (``g e_i = +-e_{perm[i]}``).
    signs : tuple of tuple of int
        For each generator, the sign ``+-1`` of each unit's image.
    name : str
        E.g. ``"standard + trivial + sign"``.
    """

    size: int
    perms: tuple
    signs: tuple
    name: str

    @property
    def signed(self) -> bool:
        return any(s < 0 for ss in self.signs for s in ss)

    def unsigned(self) -> "HiddenAction":
        """The same permutations without the signs (what an even power leaves)."""
        plus = tuple((1,) * self.size for _ in self.perms)
        return HiddenAction(self.size, self.perms, plus, self.name)

    def __add__(self, other: "HiddenAction") -> "HiddenAction":
        k = self.size
        perms = tuple(a + tuple(k + i for i in b) for a, b in zip(self.perms, other.perms))
        signs = tuple(a + b for a, b in zip(self.signs, other.signs))
        return HiddenAction(k + other.size, perms, signs, f"{self.name} + {other.name}")


# ---------------------------------------------------------------------------- presentations

def _standard_relators(G: PermutationGroup):
    """Relators of a standard presentation in G's own generators, or None.

    Words are tuples of ``(generator index, +-1)``. ``S_n`` with ``s = (0 1)``
    and ``c = (0 1 ... n-1)``: ``s^2, c^n, (sc)^(n-1), (s c^-1 s c)^3`` and
    ``(s c^-j s c^j)^2`` for ``2 <= j <= n - 2`` (Moore 1897). ``C_n``: ``c^n``.
    ``D_n`` with rotation ``r`` and reflection ``f``: ``r^n, f^2, (fr)^2``.
    The group's generators are compared with those the presentation is for.
    """
    n = G.degree
    s, c = [(0, 1)], [(1, 1)]
    if G.generators == symmetric(n).generators and n >= 3 and len(G.generators) == 2:
        ci = [(1, -1)]
        rels = [s * 2, c * n, (s + c) * (n - 1), (s + ci + s + c) * 3]
        rels += [(s + ci * j + s + c * j) * 2 for j in range(2, n - 1)]
        return [tuple(r) for r in rels]
    if G.generators == cyclic(n).generators and len(G.generators) == 1:
        return [tuple([(0, 1)] * n)]
    if n >= 3 and G.generators == dihedral(n).generators and len(G.generators) == 2:
        r, f = [(0, 1)], [(1, 1)]
        return [tuple(r * n), tuple(f * 2), tuple((f + r) * 2)]
    return None


@lru_cache(maxsize=32)
def _presentation(G: PermutationGroup):
    """``(FpGroup, relators as words)`` of G in its own generators, or ``(None, None)``.

    The relators are checked on G's generators (the action on the inputs);
    a presentation that fails the check is not used.
    """
    from sympy.combinatorics import Permutation
    from sympy.combinatorics import PermutationGroup as SymPermGroup
    from sympy.combinatorics.fp_groups import FpGroup
    from sympy.combinatorics.free_groups import free_group

    k = len(G.generators)
    rels = _standard_relators(G)
    if rels is None:
        P = SymPermGroup([Permutation(list(g)) for g in G.generators]).presentation()
        names = [str(g) for g in P.generators]
        if len(names) != k:
            return None, None
        rels = [tuple((names.index(str(sym)), 1 if e > 0 else -1)
                      for sym, e in r.array_form for _ in range(abs(e)))
                for r in P.relators]
    plus = tuple((1,) * G.degree for _ in G.generators)
    if not all(_holds(r, G.generators, plus) for r in rels):
        return None, None
    F, *xs = free_group(", ".join(f"x{i}" for i in range(k)))
    return FpGroup(F, [_word(xs, r) for r in rels]), rels


def _word(xs, rel):
    w = xs[0] ** 0
    for i, e in rel:
        w = w * xs[i] ** e
    return w


def _holds(rel, perms, signs) -> bool:
    """Whether a relator is the identity on the signed permutations (apply left to right)."""
    k = len(perms[0])
    # Track where unit u goes and with what sign; the word acts as a product,
    # its last letter applied first (the left action g e_i = s e_{g(i)}).
    for u in range(k):
        pos, sgn = u, 1
        for i, e in reversed(rel):
            if e > 0:
                sgn *= signs[i][pos]
                pos = perms[i][pos]
            else:
                inv = _inverse(perms[i])
                pos = inv[pos]
                sgn *= signs[i][pos]
        if pos != u or sgn != 1:
            return False
    return True


def _inverse(p):
    inv = [0] * len(p)
    for i, j in enumerate(p):
        inv[j] = i
    return inv


# ---------------------------------------------------------------------------- actions

@lru_cache(maxsize=128)
def _transitive(G: PermutationGroup, k: int) -> tuple:
    from sympy.combinatorics.fp_groups import low_index_subgroups

    if not G.generators:
        return ((),) if k == 1 else ()
    P, rels = _presentation(G)
    if P is None:
        return ()
    out = []
    for table in low_index_subgroups(P, k):
        rows = table.table
        if len(rows) != k:
            continue
        # Coset tables are right actions (coset i -> i.g); i -> i.g^-1 is a left action.
        perms = tuple(tuple(rows[i][2 * g + 1] for i in range(k)) for g in range(len(G.generators)))
        plus = tuple((1,) * k for _ in perms)
        if all(_holds(r, perms, plus) for r in rels):
            out.append(perms)
    return tuple(out)


def _name(G: PermutationGroup, k: int, perms, signs) -> str:
    if k == 1:
        if all(s == (1,) for s in signs):
            return "trivial"
        if all(s == (sign(g),) for s, g in zip(signs, G.generators)):
            return "sign"     # the sign of the permutation of the inputs
        return "char(" + "".join("+" if s == (1,) else "-" for s in signs) + ")"
    plain = all(all(x == 1 for x in s) for s in signs)
    if plain and k == G.degree and tuple(perms) == tuple(G.generators):
        return "standard + trivial" if G.name == "symmetric" else "natural"
    if plain and k == 2 and G.name == "symmetric" and G.degree >= 2:
        return "trivial + sign"
    base = f"G/H[{k}](|H|={G.order() // k})"
    return base if plain else f"signed {base}"


def _isomorphic(perms, gens) -> bool:
    """Whether two transitive actions (generator images) are isomorphic G-sets."""
    k = len(gens[0])
    if len(perms[0]) != k:
        return False
    for j in range(k):
        phi = {0: j}
        todo = [0]
        ok = True
        while todo and ok:
            u = todo.pop()
            for p, g in zip(perms, gens):
                a, b = p[u], g[phi[u]]
                if a in phi:
                    ok = phi[a] == b
                    if not ok:
                        break
                else:
                    phi[a] = b
                    todo.append(a)
        if ok and len(set(phi.values())) == k:
            return True
    return False


def _relabel(G: PermutationGroup, k: int, perms):
    """The natural action is given by G's own generators (the inputs' labels)."""
    if k == G.degree and _isomorphic(perms, G.generators):
        return tuple(G.generators)
    return perms


def transitive_actions(G: PermutationGroup, k: int) -> list[HiddenAction]:
    """The transitive (unsigned) actions of G on ``k`` points, one per isomorphism class."""
    out = []
    for perms in _transitive(G, k):
        perms = _relabel(G, k, perms)
        plus = tuple((1,) * k for _ in perms)
        out.append(HiddenAction(k, perms, plus, _name(G, k, perms, plus)))
    return out


@lru_cache(maxsize=128)
def _signed(G: PermutationGroup, k: int) -> tuple:
    out = []
    rels = _presentation(G)[1] if G.generators else []
    r = len(G.generators)
    for perms in _transitive(G, k):
        perms = _relabel(G, k, perms)
        tree = _spanning_tree(perms)
        free = [(g, u) for g in range(r) for u in range(k) if (g, u) not in tree]
        for flat in itertools.product((1, -1), repeat=len(free)):
            signs = [[1] * k for _ in range(r)]
            for (g, u), s in zip(free, flat):
                signs[g][u] = s
            signs = tuple(tuple(s) for s in signs)
            if all(_holds(rel, perms, signs) for rel in rels):
                out.append((perms, signs))
    return tuple(out)


def _spanning_tree(perms) -> set:
    """Generator edges ``(g, u)`` (unit ``u`` to ``perm_g(u)``) forming a spanning tree from unit 0.

    Conjugating by a diagonal of signs ``D`` changes the sign of edge
    ``(g, u)`` by ``d_u d_{g(u)}``; along a spanning tree ``D`` (with
    ``d_0 = 1``) can make every tree edge ``+1``, in exactly one way. So the
    sign patterns that are ``+1`` on the tree are one per conjugacy class.
    """
    tree, seen, todo = set(), {0}, [0]
    while todo:
        u = todo.pop()
        for g, p in enumerate(perms):
            if p[u] not in seen:
                seen.add(p[u])
                tree.add((g, u))
                todo.append(p[u])
    return tree


def signed_transitive_actions(G: PermutationGroup, k: int) -> list[HiddenAction]:
    """Transitive signed actions of G on ``k`` units (the unsigned ones among them)."""
    return [HiddenAction(k, perms, signs, _name(G, k, perms, signs))
            for perms, signs in _signed(G, k)]


def hidden_actions(G: PermutationGroup, m: int, *, signed: bool = True,
                   limit: int = MAX_ACTIONS) -> list[HiddenAction]:
    """Actions of G on ``m`` units: sums of transitive ones, at most ``limit`` of them.

    The sums are listed with their summands in a fixed order (largest orbits
    first), each multiset once; the first ``limit`` are returned, the ones
    with the fewest summands first (richer actions tie more weights together,
    but the few-orbit ones are those the layer-wise tying misses).

    Examples
    --------
    >>> from varieties.groups import symmetric
    >>> [a.name for a in hidden_actions(symmetric(2), 2, signed=False)]
    ['standard + trivial', 'trivial + trivial']
    """
    if m < 1:
        return []
    make = signed_transitive_actions if signed else transitive_actions
    atoms = []
    for k in range(m, 0, -1):
        atoms.extend(make(G, k))
    found: list[tuple[int, ...]] = []

    def extend(start: int, left: int, chosen: list[int]):
        if len(found) >= 4 * limit:
            return
        if left == 0:
            found.append(tuple(chosen))
            return
        for a in range(start, len(atoms)):
            if atoms[a].size <= left:
                extend(a, left - atoms[a].size, chosen + [a])

    extend(0, m, [])
    found.sort(key=len)
    out = []
    for combo in found[:limit]:
        act = atoms[combo[0]]
        for a in combo[1:]:
            act = act + atoms[a]
        out.append(act)
    return out
