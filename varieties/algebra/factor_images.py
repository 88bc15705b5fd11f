r"""The image of a rank-2 output by unique factorisation: ``{u v + c : u v in Inv}``.

The central rank-2 stratum of the output's normal form (:mod:`.normal_form`)
has the functions ``F = q_1^2 + q_2^2 + c`` with ``q_1^2 + q_2^2`` invariant
and ``q_i`` of degree ``<= D``. Over an algebraically closed field (char not
2) ``q_1^2 + q_2^2 = u v`` with ``u = q_1 + i q_2``, ``v = q_1 - i q_2``, and
every ``(u, v)`` arises, so the image is ``{g + c : g = u v in Inv, deg u,
deg v <= D}``. Its random image slices are hard (``3,q2,q1`` cyclic: the
codimension-9 slice runs past 25 s); unique factorisation gives it exactly.

Write ``g = c_0 prod p_i`` (irreducible factors, with repetition). As ``g``
is invariant, G permutes the classes ``[p_i]`` (up to scalars), keeping
multiplicities. For an orbit of ``[p]`` let ``H`` be the stabiliser of
``[p]``: then ``p o h = chi(h) p`` for a character ``chi`` of ``H``, and the
orbit's product is ``prod_{s in G/H} p o s``. Up to conjugating ``p``, ``H``
is one of the subgroups of index ``<= 2D / deg p`` listed up to conjugacy
(:mod:`.representations`, low-index subgroups). So every ``g`` lies in one
of finitely many *types*: a multiset of orbits ``(deg d, H, chi, power e)``,
each with its own ``p in P_{<=d}^{H, chi}`` (the ``chi``-semi-invariants of
degree ``<= d``), whose factors (``[G:H] e`` of degree ``d`` per orbit) fit
into two bins of capacity ``D`` (``u`` and ``v``), and whose product is
invariant (its character is the same at every point of the type, so one
point decides). Conversely every member of such a type is a ``u v`` in
``Inv``. Hence

``dim image = max over the types of the generic rank of (c, c_0, p's) -> c + c_0 prod ...``,

an exact description; the ranks are computed mod primes ``= 1`` modulo the
group's exponent (so that every character takes its values there), at
random points. The rank at a point is a lower bound of the generic rank
(rigorous for the lower bound); it equals it except with probability about
``deg / p`` (so the upper bound is modular and probabilistic, like a slice).
The ``constant-output`` exclusion drops the types whose members are
constants (it removes only constant ``g``).

Examples
--------
``3,q2,q1`` under ``C_3``, where the slices do not finish, has 8 (the
families' value), reached by products of two invariant quadrics:

>>> im = rank2_image("3,q2,q1", "cyclic")
>>> im.value, im.best.count("|H| 3, chi 0/3")
(8, 2)
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass, field

from .._result_methods import ResultMixin
from ..groups import PermutationGroup, compose, get_group, identity
from ..network import parse_spec
from .evaluation import x_monomials

#: Two primes near this, each ``= 1`` modulo the group's exponent.
PRIME_FLOOR = 1 << 30


@dataclass
class Rank2Image(ResultMixin):
    """The dimension of ``{u v + c : u v in Inv}`` and how it was found."""

    spec: str
    group: str
    exclude_constant: bool
    value: int
    best: str                 # the type reaching it
    types: int                # invariant types examined
    primes: list = field(default_factory=list)
    seed: int = 0
    seconds: float = 0.0

    def certificate(self) -> str:
        return (f"central rank-2 image (u v + c) = {self.value}: max over {self.types} "
                f"factorisation types (unique factorisation), Jacobian ranks mod "
                f"{' and '.join(map(str, self.primes))}, seed {self.seed} "
                "(modular, probabilistic)")


def _primes(L: int, count: int = 2) -> list[int]:
    from sympy import isprime

    out, k = [], PRIME_FLOOR // L + 1
    while len(out) < count:
        if isprime(k * L + 1):
            out.append(k * L + 1)
        k += 1
    return out


def _order(g) -> int:
    k, h, e = 1, tuple(g), identity(len(g))
    while h != e:
        h, k = compose(g, h), k + 1
    return k


def _stabiliser(G: PermutationGroup, elements, perms) -> list:
    """The elements of G fixing point 0 of the action with generator images ``perms``."""
    for flip in (False, True):
        act = {identity(G.degree): identity(len(perms[0]))}
        frontier, ok = list(act), True
        while frontier and ok:
            nxt = []
            for e in frontier:
                for g, pg in zip(G.generators, perms):
                    ge = compose(g, e)
                    a = compose(act[e], pg) if flip else compose(pg, act[e])
                    if ge in act:
                        if act[ge] != a:
                            ok = False
                            break
                    else:
                        act[ge] = a
                        nxt.append(ge)
                if not ok:
                    break
            frontier = nxt
        if ok:
            return [e for e in elements if act[e][0] == 0]
    raise ValueError("a low-index action is neither a homomorphism nor an anti-homomorphism")


def _subgroups(G: PermutationGroup, elements, max_index: int) -> list[tuple[int, list]]:
    """``(index, elements)`` of the subgroups of index ``<= max_index``, up to conjugacy."""
    from .representations import _presentation, _transitive

    if G.generators and max_index > 1 and _presentation(G)[0] is None:
        # Without a presentation the low-index search lists nothing, and a
        # missing subgroup would make the image look smaller than it is.
        raise ValueError(f"no presentation of {G} for its low-index subgroups")
    out = [(1, list(elements))]
    for k in range(2, max_index + 1):
        if len(elements) % k:
            continue
        for perms in _transitive(G, k):
            out.append((k, _stabiliser(G, elements, perms)))
    return out


def _generators(H: list) -> list:
    """A small generating set of the subgroup with elements ``H``."""
    gens, span = [], {identity(len(H[0]))}
    for h in H:
        if h not in span:
            gens.append(h)
            span = set(PermutationGroup(len(h), tuple(gens)).elements())
    return gens


def _sub_perm(monos, index, s) -> list[int]:
    """Where ``p -> p o s`` (``x_j -> x_{s(j)}``) sends each monomial, as indices."""
    out = []
    for e in monos:
        v = [0] * len(e)
        for j, k in enumerate(e):
            v[s[j]] += k
        out.append(index[tuple(v)])
    return out


def _semi_invariants(monos, index, gens, p, L, z) -> list[tuple[tuple, list]]:
    """``(chi on gens, basis)`` of every nonzero joint eigenspace of ``p -> p o h``.

    ``z`` is a primitive ``L``-th root of unity mod ``p`` (``L`` the group's exponent).
    """
    import flint

    N = len(monos)
    spaces = [((), [[1 if i == j else 0 for i in range(N)] for j in range(N)])]
    for h in gens:
        perm = _sub_perm(monos, index, h)
        o = _order(h)
        nxt = []
        for chi, basis in spaces:
            # Vectors b of the space with b o h = lam b: coefficients c with
            # sum c_i (P b_i - lam b_i) = 0.
            for k in range(o):
                lam = pow(z, (L // o) * k, p)
                rows = []
                for b in basis:
                    img = [0] * N
                    for i, c in enumerate(b):
                        if c:
                            img[perm[i]] = (img[perm[i]] + c) % p
                    rows.append([(img[i] - lam * b[i]) % p for i in range(N)])
                M = flint.nmod_mat(rows, p).transpose()     # N x k
                ns, nullity = M.nullspace()
                if not nullity:
                    continue
                new = []
                for j in range(nullity):
                    coeffs = [int(ns[i, j]) for i in range(len(basis))]
                    new.append([sum(c * b[i] for c, b in zip(coeffs, basis)) % p
                                for i in range(N)])
                nxt.append((chi + (f"{k}/{o}",), new))
        spaces = nxt
    return spaces


def _root_of_unity(p: int, L: int) -> int:
    """A primitive ``L``-th root of unity mod ``p`` (``L`` divides ``p - 1``)."""
    from sympy import primitive_root

    return pow(primitive_root(p), (p - 1) // L, p)


def _left_cosets(elements, H) -> list:
    """Representatives ``s`` of ``s H`` (``p o (s h) = chi(h) p o s`` for ``chi``-semi-invariant ``p``)."""
    seen, reps = set(), []
    for s in elements:
        if s in seen:
            continue
        reps.append(s)
        for h in H:
            seen.add(compose(s, h))
    return reps


def _packs(degrees: list[int], D: int) -> bool:
    """Whether factors of these degrees fit into two bins of capacity ``D``."""
    if sum(degrees) > 2 * D:
        return False
    reach = {0}
    for d in degrees:
        reach |= {r + d for r in reach if r + d <= D}
    return any(sum(degrees) - r <= D for r in reach)


@dataclass
class _Kind:
    d: int
    index: int
    chi: tuple
    basis: list          # coefficient vectors over the monomials of degree <= d
    reps: list           # left coset representatives of H
    label: str


def _kinds(n, D, G, elements, p, L, z, deadline=None) -> list[_Kind]:
    out = []
    subs = _subgroups(G, elements, 2 * D)
    for d in range(1, D + 1):
        if deadline is not None and time.perf_counter() > deadline:
            raise TimeoutError("rank-2 image: time limit")
        monos = x_monomials(n, d)
        index = {m: i for i, m in enumerate(monos)}
        for k, H in subs:
            if k * d > 2 * D:
                continue
            gens = _generators(H)
            reps = _left_cosets(elements, H)
            for chi, basis in _semi_invariants(monos, index, gens, p, L, z):
                out.append(_Kind(d, k, chi, basis, reps,
                                 f"deg {d}, orbit {k}, |H| {len(H)}, chi " + ",".join(chi)))
    return out


def _types(kinds: list[_Kind], D: int):
    """Multisets of orbit slots ``(kind, power)`` whose factors pack into ``u`` and ``v``."""
    slots = [(i, e) for i, k in enumerate(kinds) for e in range(1, 2 * D // (k.d * k.index) + 1)]

    def rec(start, chosen, degrees):
        yield list(chosen)
        for j in range(start, len(slots)):
            i, e = slots[j]
            k = kinds[i]
            extra = [k.d] * (k.index * e)
            if _packs(degrees + extra, D):
                chosen.append(slots[j])
                yield from rec(j, chosen, degrees + extra)
                chosen.pop()

    yield from rec(0, [], [])


def _factor_polys(ctx, monos_by_d, kinds, slot_list, coeffs, n):
    """The factors ``p o s`` of each slot, as flint polynomials in x."""
    out = []
    for (i, e), c in zip(slot_list, coeffs):
        k = kinds[i]
        monos = monos_by_d[k.d]
        facs = []
        for s in k.reps:
            terms = {}
            for m, a in zip(monos, c):
                if a:
                    v = [0] * n
                    for j, t in enumerate(m):
                        v[s[j]] += t
                    terms[tuple(v)] = a
            facs.append(ctx.from_dict(terms))
        out.append(facs)
    return out


def _type_rank(ctx, p, n, D, kinds, slot_list, rng, monos_all, gens):
    """``(rank, invariant, constant)`` of one type at a random point mod ``p``."""
    import flint

    monos_by_d = {d: x_monomials(n, d) for d in range(1, D + 1)}
    coeffs = []
    for i, _e in slot_list:
        basis = kinds[i].basis
        lam = [rng.randrange(p) for _ in basis]
        coeffs.append([sum(a * b[j] for a, b in zip(lam, basis)) % p
                       for j in range(len(basis[0]))])
    facs = _factor_polys(ctx, monos_by_d, kinds, slot_list, coeffs, n)
    c0 = rng.randrange(1, p)
    one = ctx.from_dict({(0,) * n: 1})

    def product(skip=None):
        """``c0`` times every factor to its power, one factor ``skip = (slot, index)`` once less."""
        out = one * c0
        for sj, ((_i, e), fs) in enumerate(zip(slot_list, facs)):
            for fj, h in enumerate(fs):
                for _ in range(e - (1 if skip == (sj, fj) else 0)):
                    out = out * h
        return out

    g = product()
    if g == 0:
        return None
    xs = ctx.gens()
    for s in gens:
        gs = g.compose(*[xs[s[j]] for j in range(n)])
        if gs != g:
            return 0, False, False
    constant = g.total_degree() <= 0
    # Jacobian columns: d/dc = 1, d/dc0 = g / c0, and for each slot's basis
    # direction b: sum over its factors f of e (b o s) * (g without one f).
    cols = [one, g]
    for si, ((i, e), fs) in enumerate(zip(slot_list, facs)):
        rests = [product((si, fi)) * e for fi in range(len(fs))]
        for b in kinds[i].basis:
            dbs = _factor_polys(ctx, monos_by_d, kinds, [(i, e)], [b], n)[0]
            tot = ctx.from_dict({})
            for db, rest in zip(dbs, rests):
                tot = tot + db * rest
            cols.append(tot)
    index = {m: j for j, m in enumerate(monos_all)}
    rows = []
    for f in cols:
        row = [0] * len(monos_all)
        for m, a in f.to_dict().items():
            row[index[tuple(int(t) for t in m)]] = int(a)
        rows.append(row)
    return flint.nmod_mat(rows, p).rank(), True, constant


def rank2_image(spec, group="symmetric", *, exclude_constant: bool = False, seed: int = 0,
                deadline: float | None = None) -> Rank2Image:
    """The dimension of the central rank-2 image ``{u v + c : u v in Inv}`` of ``spec``.

    Parameters
    ----------
    spec, group : a two-layer network ``n,qh,q1`` or ``n,ah,q1`` and its group
    exclude_constant : bool
        The ``constant-output`` exclusion (``u v`` not constant).
    seed : int
        Seeds the random points.
    deadline : float or None
        A ``time.perf_counter()`` value; :class:`TimeoutError` past it.

    Raises ``ValueError`` for a group without a presentation (its subgroups
    of small index cannot be listed).

    Returns
    -------
    Rank2Image
        ``value`` is the dimension (``-1`` when nothing is left, with the exclusion).

    Examples
    --------
    >>> rank2_image("2,q2,q1", "symmetric").value
    8
    """
    import flint

    t0 = time.perf_counter()
    spec = parse_spec(spec)
    n = spec.n_inputs
    hid = spec.layers[0]
    D = 2 if hid.kind == "q" else 1
    G = get_group(group, n)
    elements = G.elements()
    L = math.lcm(*[_order(g) for g in elements]) if elements else 1
    L = max(L, 2)
    primes = _primes(L)
    monos_all = x_monomials(n, 2 * D)
    rng = random.Random(f"rank2-image:{seed}")
    best, name, ntypes = (-1 if exclude_constant else 1), "constants", 0
    per_prime = []
    for p in primes:
        kinds = _kinds(n, D, G, elements, p, L, _root_of_unity(p, L), deadline)
        ctx = flint.nmod_mpoly_ctx.get(tuple(f"x{i}" for i in range(n)), p, "degrevlex")
        results = []
        for slot_list in _types(kinds, D):
            if deadline is not None and time.perf_counter() > deadline:
                raise TimeoutError("rank-2 image: time limit")
            if not slot_list:
                continue
            r = _type_rank(ctx, p, n, D, kinds, slot_list, rng, monos_all, G.generators)
            if r is None or not r[1]:
                continue
            rank, _inv, constant = r
            if exclude_constant and constant:
                continue
            label = " * ".join(f"({kinds[i].label})^{e}" if e > 1 else f"({kinds[i].label})"
                               for i, e in slot_list)
            results.append((rank, label))
        per_prime.append(results)
    # A type's rank is the larger of its two primes' (each is a lower bound).
    ntypes = max(len(r) for r in per_prime)
    for results in per_prime:
        for rank, label in results:
            if rank > best:
                best, name = rank, label
    return Rank2Image(str(spec), str(G), exclude_constant, best, name, ntypes, primes, seed,
                      round(time.perf_counter() - t0, 4))
