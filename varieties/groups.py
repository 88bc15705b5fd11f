"""Permutation groups given by generators, acting on the network's inputs.

A permutation of ``{0, ..., n-1}`` is a tuple ``g`` with ``g[i]`` the image of
``i``. It acts on an input vector by moving coordinates: ``(g.x)[g[i]] = x[i]``,
i.e. ``(g.x)_i = x_{g^{-1}(i)}``, which is a left action:
``g.(h.x) = (gh).x`` with ``(gh)[i] = g[h[i]]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable

from .errors import GroupError

Perm = tuple[int, ...]

GROUP_NAMES = ("symmetric", "cyclic", "dihedral", "hyperoctahedral", "trivial")


def compose(g: Perm, h: Perm) -> Perm:
    """The product ``gh`` (apply ``h`` first): ``(gh)[i] = g[h[i]]``."""
    return tuple(g[i] for i in h)


def inverse(g: Perm) -> Perm:
    """The inverse permutation."""
    inv = [0] * len(g)
    for i, gi in enumerate(g):
        inv[gi] = i
    return tuple(inv)


def identity(n: int) -> Perm:
    return tuple(range(n))


def cycle_lengths(g: Perm) -> list[int]:
    """The lengths of the cycles of ``g``, fixed points included, by first point.

    Examples
    --------
    >>> cycle_lengths((1, 0, 2, 4, 5, 3))
    [2, 1, 3]
    """
    seen = bytearray(len(g))
    out = []
    for start in range(len(g)):
        if not seen[start]:
            length, k = 0, start
            while not seen[k]:
                seen[k] = 1
                k = g[k]
                length += 1
            out.append(length)
    return out


def sign(g: Perm) -> int:
    """The sign of a permutation: ``(-1)^(n - number of cycles)``.

    Examples
    --------
    >>> sign((1, 0, 2)), sign((1, 2, 0))
    (-1, 1)
    """
    return (-1) ** (len(g) - len(cycle_lengths(g)))


def transposition(n: int, a: int, b: int) -> Perm:
    """The transposition swapping ``a`` and ``b`` in degree ``n``."""
    p = list(range(n))
    p[a], p[b] = p[b], p[a]
    return tuple(p)


def transpositions(n: int) -> list[Perm]:
    """All ``n(n-1)/2`` transpositions of ``{0..n-1}`` (the notes' method, section 4)."""
    return [transposition(n, a, b) for a, b in combinations(range(n), 2)]


def cycle_string(g: Perm) -> str:
    """Cycle notation with 0-based points, e.g. ``(0 1)(2 3)``; ``()`` for the identity."""
    seen, parts = set(), []
    for start in range(len(g)):
        if start in seen or g[start] == start:
            continue
        cyc, i = [], start
        while i not in seen:
            seen.add(i)
            cyc.append(i)
            i = g[i]
        parts.append("(" + " ".join(map(str, cyc)) + ")")
    return "".join(parts) or "()"


@dataclass(frozen=True)
class PermutationGroup:
    """A permutation group on ``degree`` points, given by ``generators``.

    Examples
    --------
    >>> G = symmetric(3)
    >>> G.order()
    6
    >>> [cycle_string(g) for g in G.generators]
    ['(0 1)', '(0 1 2)']
    """

    degree: int
    generators: tuple[Perm, ...]
    name: str = "custom"

    def __post_init__(self) -> None:
        gens = tuple(_as_images(g, self.degree) for g in self.generators)
        object.__setattr__(self, "generators", gens)

    def elements(self, limit: int = 100_000) -> list[Perm]:
        """All elements, by closure under the generators (breadth first).

        Raises :class:`GroupError` past ``limit`` elements: use generators instead.
        """
        e = identity(self.degree)
        seen = {e}
        frontier = [e]
        while frontier:
            nxt = []
            for h in frontier:
                for g in self.generators:
                    gh = compose(g, h)
                    if gh not in seen:
                        seen.add(gh)
                        nxt.append(gh)
                        if len(seen) > limit:
                            raise GroupError(
                                f"group {self.name} has more than {limit} elements; "
                                "enumerating it is too costly: use mode='generators'"
                            )
            frontier = nxt
        return sorted(seen)

    def order(self) -> int:
        """The group order (sympy's Schreier-Sims, so large groups are cheap)."""
        from sympy.combinatorics import Permutation
        from sympy.combinatorics import PermutationGroup as SPG

        if not self.generators:
            return 1
        return int(SPG([Permutation(list(g)) for g in self.generators]).order())

    def is_symmetric(self) -> bool:
        """Whether the group is the full symmetric group on its points (exact).

        Decided without the order where possible, since sympy's Schreier-Sims
        takes 10 s for ``S_64`` given by a transposition and a 64-cycle, and
        hours for ``S_256``:

        * an intransitive group, or one of even permutations (inside ``A_n``),
          is not ``S_n``;
        * a transitive group with an element having a cycle of prime length
          ``p``, ``n/2 < p < n - 2``, is primitive (a block system would put
          the ``p``-cycle, a power of that element, inside one block of at most
          ``n/2`` points) and so contains ``A_n`` by Jordan's theorem; with an
          odd generator it is ``S_n``. About one random element in seven of
          ``S_256`` has such a cycle, so a few products of the generators
          find one.

        * a transitive group with a nontrivial block system (imprimitive) is
          not ``S_n`` (``n >= 3``).

        Otherwise (degrees below 8, or a primitive group without such an
        element among :data:`JORDAN_TRIES` products, as for the primitive
        groups that are not ``A_n`` or ``S_n``, whose orders are small) the
        order decides.

        Examples
        --------
        >>> n = 200
        >>> G = from_generators(n, [[1, 0] + list(range(2, n)), [(i + 1) % n for i in range(n)]])
        >>> G.is_symmetric(), cyclic(n).is_symmetric()
        (True, False)
        """
        from math import factorial

        n = self.degree
        if self.name == "symmetric" or n <= 1:
            return True
        if not _is_transitive(n, self.generators) or all(sign(g) == 1 for g in self.generators):
            return False
        if n >= 8 and _has_jordan_element(n, self.generators):
            return True
        if n >= 3 and not _is_primitive(n, self.generators):
            return False
        return self.order() == factorial(n)

    def __str__(self) -> str:
        return f"{self.name}({self.degree})"


#: Random products of the generators searched for a Jordan element (see
#: :meth:`PermutationGroup.is_symmetric`) before the order is computed: in
#: ``S_n`` each has one with probability about ``log(log n / log(n/2))`` (0.13
#: at ``n = 256``), so 200 miss with probability below ``1e-12``.
JORDAN_TRIES = 200


def _is_transitive(n: int, generators) -> bool:
    seen, frontier = {0}, [0]
    while frontier:
        frontier = [g[i] for i in frontier for g in generators
                    if g[i] not in seen and not seen.add(g[i])]
    return len(seen) == n


def _is_primitive(n: int, generators) -> bool:
    """Whether a transitive group has no block system but the trivial ones.

    For each ``k``, the finest block system with ``0`` and ``k`` in one block
    (Atkinson's algorithm: merge the classes of ``g(a)`` and ``g(b)`` for every
    merged pair ``a, b`` and generator ``g``); primitive when each is one block.
    """
    for k in range(1, n):
        parent = list(range(n))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        parent[k] = 0
        queue, classes = [(0, k)], n - 1
        while queue and classes > 1:
            a, b = queue.pop()
            for g in generators:
                x, y = find(g[a]), find(g[b])
                if x != y:
                    parent[y] = x
                    classes -= 1
                    queue.append((x, y))
        if classes > 1:
            return False
    return True


def _is_prime(p: int) -> bool:
    return p >= 2 and all(p % d for d in range(2, int(p ** 0.5) + 1))


def _has_jordan_element(n: int, generators) -> bool:
    """Whether a random product of the generators has a cycle of prime length in ``(n/2, n-2)``.

    Product replacement (Celler et al.): a pool of generator copies, each
    step replacing one member by its product with another; the accumulator
    is the random element. Seeded, so the answer is reproducible.
    """
    import random

    primes = {p for p in range(n // 2 + 1, n - 2) if _is_prime(p)}
    if not primes:
        return False
    rng = random.Random(f"jordan:{n}")
    pool = [tuple(g) for g in generators] * max(1, 10 // max(1, len(generators)) + 1)
    acc = identity(n)
    for step in range(JORDAN_TRIES + 50):
        i, j = rng.randrange(len(pool)), rng.randrange(len(pool) - 1)
        j += j >= i
        pool[i] = compose(pool[i], pool[j])
        acc = compose(acc, pool[i])
        if step >= 50 and not primes.isdisjoint(cycle_lengths(acc)):   # after mixing
            return True
    return False


def _perm_error(g, n: int) -> GroupError:
    return GroupError(
        f"generator {g!r} is not a permutation of 0..{n - 1}; give each generator as the "
        f"list of images of 0..{n - 1} (each exactly once) or in cycle notation like '(0 1)(2 3)'"
    )


def _as_images(g, n: int) -> Perm:
    """``g`` as a tuple of integer images, checked to be a permutation of ``0..n-1``."""
    from operator import index

    try:
        # ``index`` refuses floats and strings, which ``int`` would silently truncate or parse.
        images = tuple(index(v) for v in g)
    except TypeError:
        raise _perm_error(g, n) from None
    if len(images) != n or sorted(images) != list(range(n)):
        raise _perm_error(list(images), n)
    return images


def symmetric(n: int) -> PermutationGroup:
    """The symmetric group ``S_n``, generated by ``(0 1)`` and ``(0 1 ... n-1)``."""
    _check_degree(n, "symmetric")
    gens = []
    if n >= 2:
        gens.append(transposition(n, 0, 1))
    if n >= 3:
        gens.append(tuple((i + 1) % n for i in range(n)))
    return PermutationGroup(n, tuple(gens), "symmetric")


def cyclic(n: int) -> PermutationGroup:
    """The cyclic group ``C_n`` of rotations ``i -> i+1 mod n``."""
    _check_degree(n, "cyclic")
    gens = (tuple((i + 1) % n for i in range(n)),) if n >= 2 else ()
    return PermutationGroup(n, gens, "cyclic")


def dihedral(n: int) -> PermutationGroup:
    """The dihedral group ``D_n`` of the n-gon: rotation and reflection ``i -> -i mod n``."""
    _check_degree(n, "dihedral")
    if n < 3:
        return PermutationGroup(n, symmetric(n).generators, "dihedral")
    rot = tuple((i + 1) % n for i in range(n))
    ref = tuple((-i) % n for i in range(n))
    return PermutationGroup(n, (rot, ref), "dihedral")


def hyperoctahedral(m: int) -> PermutationGroup:
    """The hyperoctahedral group ``B_m`` on ``2m`` points preserving the pairs ``{i, i+m}``.

    Generated by the swap ``(0 m)`` inside one pair and by ``S_m`` permuting the
    pairs. Its quotient action on the ``m`` pairs is what makes "folding" the
    outputs (notes, section 6) a well-defined group action.

    Examples
    --------
    >>> hyperoctahedral(2).order()
    8
    """
    if not isinstance(m, int) or m < 1:
        raise GroupError(f"hyperoctahedral(m) needs an integer m >= 1 pairs, got {m!r}")
    n = 2 * m
    gens = [transposition(n, 0, m)]
    for s in symmetric(m).generators:
        gens.append(tuple(list(s) + [s[i] + m for i in range(m)]))
    return PermutationGroup(n, tuple(gens), "hyperoctahedral")


def trivial(n: int) -> PermutationGroup:
    """The trivial group on ``n`` points."""
    _check_degree(n, "trivial")
    return PermutationGroup(n, (), "trivial")


def _check_degree(n: int, name: str) -> None:
    if not isinstance(n, int) or n < 1:
        raise GroupError(f"{name}(n) needs an integer degree n >= 1, got {n!r}")


_CYCLE_RE = re.compile(r"\(([^()]*)\)")


def parse_permutation(text: str, n: int) -> Perm:
    """Parse ``'(0 1)(2 3)'`` (cycles, 0-based) or ``'1 0 3 2'`` (images) into a permutation."""
    text = text.strip()
    if text.startswith("("):
        p = list(range(n))
        rest = _CYCLE_RE.sub("", text).strip()
        if rest:
            raise GroupError(f"cannot read {text!r} as cycles; write e.g. '(0 1)(2 3)'")
        used: set[int] = set()
        for cyc in _CYCLE_RE.findall(text):
            try:
                pts = [int(v) for v in cyc.replace(",", " ").split()]
            except ValueError:
                raise GroupError(f"cannot read cycle ({cyc}) in {text!r}: points are integers "
                                 f"0..{n - 1}, as in '(0 1)(2 3)'") from None
            if len(set(pts)) != len(pts) or any(not 0 <= v < n for v in pts):
                raise GroupError(
                    f"cycle ({cyc}) in {text!r} is not a cycle on 0..{n - 1}: points must be "
                    "distinct and within range"
                )
            # Products of overlapping cycles are read left-to-right by GAP and Sage but
            # right-to-left by others; rather than guess, ask for disjoint cycles.
            if used & set(pts):
                raise GroupError(
                    f"the cycles of {text!r} overlap in {sorted(used & set(pts))}; write a "
                    "permutation as disjoint cycles, or as its images like '1 0 3 2'"
                )
            used.update(pts)
            for a, b in zip(pts, pts[1:] + pts[:1]):
                p[a] = b
        return tuple(p)
    try:
        images = tuple(int(v) for v in text.replace(",", " ").split())
    except ValueError:
        raise GroupError(
            f"cannot read generator {text!r}; write cycles '(0 1)(2 3)' or images '1 0 3 2'"
        ) from None
    return _as_images(images, n)


def from_generators(n: int, generators: Iterable, name: str = "custom") -> PermutationGroup:
    """A custom group from generators: tuples of images or cycle strings.

    Examples
    --------
    >>> from_generators(4, ["(0 1)(2 3)"]).order()
    2
    """
    _check_degree(n, "custom")
    gens = []
    for g in generators:
        gens.append(parse_permutation(g, n) if isinstance(g, str) else _as_images(g, n))
    return PermutationGroup(n, tuple(gens), name)


def get_group(group: str | PermutationGroup, n: int) -> PermutationGroup:
    """Resolve a group name (or a group) for ``n`` inputs.

    Names: ``symmetric``, ``cyclic``, ``dihedral``, ``hyperoctahedral`` (n even),
    ``trivial``; or ``gens:CYCLES;CYCLES`` such as ``gens:(0 1);(0 1 2)``.
    """
    if isinstance(group, PermutationGroup):
        if group.degree != n:
            raise GroupError(
                f"group {group} acts on {group.degree} points but the network has {n} inputs; "
                f"build the group for degree {n}"
            )
        return group
    if not isinstance(group, str):
        raise GroupError(f"a group is a name or a PermutationGroup, not {type(group).__name__}")
    if group.startswith("gens:"):
        return from_generators(n, [g for g in group[5:].split(";") if g.strip()])
    if group == "hyperoctahedral":
        if n % 2:
            raise GroupError(
                f"hyperoctahedral acts on 2m inputs (pairs i, i+m); n={n} is odd"
            )
        return hyperoctahedral(n // 2)
    makers = {"symmetric": symmetric, "cyclic": cyclic, "dihedral": dihedral, "trivial": trivial}
    if group not in makers:
        raise GroupError(
            f"unknown group {group!r}; choose one of {', '.join(GROUP_NAMES)} or "
            "'gens:(0 1);(0 1 2)' for custom generators"
        )
    return makers[group](n)
