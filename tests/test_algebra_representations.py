"""Hidden-layer actions and the families they give: checked by brute force over the group."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from varieties.algebra.representations import (hidden_actions, signed_transitive_actions,
                                               transitive_actions)
from varieties.groups import compose, get_group, inverse

from conftest import act_on_input

GROUPS = [("symmetric", 3), ("symmetric", 4), ("cyclic", 4), ("cyclic", 6), ("dihedral", 4),
          ("dihedral", 5), ("hyperoctahedral", 4)]


def _signed_compose(a, b):
    """(a after b) for signed permutations given as (perm, signs)."""
    pa, sa = a
    pb, sb = b
    return (tuple(pa[pb[i]] for i in range(len(pb))),
            tuple(sb[i] * sa[pb[i]] for i in range(len(pb))))


def is_homomorphism(G, act) -> bool:
    """The generators' images extend to a map on the whole group (closure of pairs)."""
    k = act.size
    e = (tuple(range(G.degree)), (tuple(range(k)), (1,) * k))
    gens = [(g, (p, s)) for g, p, s in zip(G.generators, act.perms, act.signs)]
    image = {e[0]: e[1]}
    frontier = [e]
    while frontier:
        nxt = []
        for h in frontier:
            for g in gens:
                x = (compose(g[0], h[0]), _signed_compose(g[1], h[1]))
                if x[0] in image:
                    if image[x[0]] != x[1]:
                        return False
                else:
                    image[x[0]] = x[1]
                    nxt.append(x)
        frontier = nxt
    return True


def subgroup_classes_by_index(G) -> dict[int, int]:
    """Conjugacy classes of subgroups by index, by brute force: closures of element pairs."""
    els = G.elements()
    order = len(els)

    def closure(gens):
        seen = {tuple(range(G.degree))}
        frontier = list(seen)
        while frontier:
            nxt = []
            for h in frontier:
                for g in gens:
                    x = compose(g, h)
                    if x not in seen:
                        seen.add(x)
                        nxt.append(x)
            frontier = nxt
        return frozenset(seen)

    subs = {closure([a, b]) for a in els for b in els}
    # Every subgroup of these small groups is 2-generated except a few 3-generated ones.
    subs |= {closure([a, b, c]) for a, b, c in itertools.combinations(els, 3)
             if order <= 24}
    classes = set()
    for H in subs:
        classes.add(min(tuple(sorted(compose(compose(g, h), inverse(g)) for h in H))
                        for g in els))
    out: dict[int, int] = {}
    for H in classes:
        out[order // len(H)] = out.get(order // len(H), 0) + 1
    return out


@pytest.mark.parametrize("name,n", GROUPS)
def test_every_action_is_a_homomorphism(name, n):
    G = get_group(name, n)
    for k in range(1, 5):
        for act in signed_transitive_actions(G, k):
            assert is_homomorphism(G, act), (name, n, k, act)
    for act in hidden_actions(G, 4):
        assert is_homomorphism(G, act), act.name


@pytest.mark.parametrize("name,n", [("symmetric", 3), ("symmetric", 4), ("cyclic", 6),
                                    ("dihedral", 4)])
def test_transitive_actions_are_the_subgroup_classes(name, n):
    """One transitive action per conjugacy class of subgroups of that index."""
    G = get_group(name, n)
    classes = subgroup_classes_by_index(G)
    for k in range(1, 7):
        assert len(transitive_actions(G, k)) == classes.get(k, 0), (name, n, k)


def test_characters_and_names():
    S3 = get_group("symmetric", 3)
    assert sorted(a.name for a in signed_transitive_actions(S3, 1)) == ["sign", "trivial"]
    assert [a.name for a in transitive_actions(S3, 3)] == ["standard + trivial"]
    # C4 has four characters into C4, two of them real: trivial and -1 on the generator.
    assert len(signed_transitive_actions(get_group("cyclic", 4), 1)) == 2
    # The natural action is given by the group's own generators.
    G = get_group("dihedral", 5)
    natural = [a for a in transitive_actions(G, 5) if a.name == "natural"]
    assert len(natural) == 1 and natural[0].perms == G.generators


# ---------------------------------------------------------------------------- families

def _family_point(spec, fam, rng):
    theta = [Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(fam.n_params)]
    return {w: sum(a * t for a, t in zip(row, theta)) for w, row in zip(spec.weights, fam.matrix)}


def _assert_symmetric(spec, group, kind, fams, seed):
    """``F(g x) = rho(g) F(x)`` exactly at a random rational point of each family, every ``g``."""
    from varieties.actions import make_action
    from varieties.network import evaluate

    G = get_group(group, spec.n_inputs)
    act = make_action(G, kind, spec.n_outputs)
    rng = random.Random(seed)
    for fam in fams:
        w = _family_point(spec, fam, rng)
        x = [Fraction(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(spec.n_inputs)]
        y = evaluate(spec, w, x)
        for g in G.elements():
            assert evaluate(spec, w, act_on_input(g, x)) == act_on_input(act.rho(g), y), \
                (fam.name, g)


@pytest.mark.parametrize("spec,group,kind", [
    ("2,q2,q1", "symmetric", "invariant"), ("3,q3,q1", "symmetric", "invariant"),
    ("3,q2,q1", "cyclic", "invariant"), ("3,q3,q3", "symmetric", "equivariant"),
    ("4,q2,q1", "dihedral", "invariant"), ("3,l2^2,l1", "symmetric", "invariant"),
    ("3,q2,q2,q1", "symmetric", "invariant"), ("4,q2,q2", "hyperoctahedral", "folded"),
    ("3,q3,q1,full", "symmetric", "invariant"),
])
def test_every_family_is_symmetric_by_brute_force(spec, group, kind):
    """F(g x) = rho(g) F(x) exactly, for every group element, at random rational weights."""
    from varieties.algebra.rep_families import representation_families
    from varieties.network import parse_spec

    s = parse_spec(spec)
    fams = representation_families(s, group, kind)
    assert fams
    _assert_symmetric(s, group, kind, fams, 7)


def test_families_are_checked_in_v_and_bounded_by_the_function_bounds():
    from varieties.algebra.families import family_dimension
    from varieties.algebra.function_bounds import equivariant_poly_dim
    from varieties.algebra.function_dim import function_dim
    from varieties.algebra.rep_families import representation_families
    from varieties.algebra.system import build_problem

    for spec, group, kind in [("2,q2,q1", "symmetric", "invariant"),
                              ("3,q3,q1", "symmetric", "invariant"),
                              ("4,q2,q1", "cyclic", "invariant")]:
        pr = build_problem(spec, group, kind)
        count = equivariant_poly_dim(spec, group, kind)
        neuro = function_dim(spec)
        for fam in representation_families(spec, group, kind):
            family_dimension(pr.spec, fam, pr.polys(), seed=1)
            assert fam.in_variety, fam.name          # every constraint vanishes mod p
            fd = function_dim(pr.spec, subspace=fam.matrix)
            assert fd <= count and fd <= neuro and fam.dim_lower <= pr.n_weights


@pytest.mark.parametrize("spec", ["4,a4,q1", "3,q3,q1", "3,l3^2,l2^2,l1"])
def test_dead_unit_families_in_v_are_symmetric_by_brute_force(spec):
    from varieties.algebra.families import families
    from varieties.algebra.system import build_problem

    pr = build_problem(spec)
    dead = [f for f in families(pr.spec, "symmetric", "invariant", polys=pr.polys())
            if "dead" in f.name and f.matrix]
    assert dead
    _assert_symmetric(pr.spec, "symmetric", "invariant", dead, 3)


@pytest.mark.parametrize("spec,group", [("3,q2,q2,q1", "symmetric"), ("3,a2,q2,q1", "cyclic")])
def test_unread_unit_families_are_symmetric_by_brute_force(spec, group):
    from varieties.algebra.families import families
    from varieties.network import parse_spec

    sp = parse_spec(spec)
    unread = [f for f in families(sp, group, "invariant") if "unread" in f.name and f.matrix]
    assert unread
    _assert_symmetric(sp, group, "invariant", unread, 5)


def test_unread_units_beat_the_other_families_minus_the_constant_output():
    # 3,q2,q2,q1: the deep normal form's central rank-1 strata (base 10)
    # have fibres of dimension 18 by their slices (modular); the unread-unit
    # family reaches the same 28 exactly, and no family without unread units does.
    from varieties.algebra.deep_normal_form import strata
    from varieties.algebra.exclusions import exclusion_poly, excluded_at
    from varieties.algebra.families import families
    from varieties.algebra.slicing import slice_bounds

    ex = exclusion_poly("3,q2,q2,q1", "constant-output", 0)
    best = {}
    for f in families("3,q2,q2,q1", "symmetric", "invariant"):
        if f.dim_lower is not None and not excluded_at(ex, f.point, f.prime):
            key = "unread" in f.name
            best[key] = max(best.get(key, -1), f.dim_lower)
    # Each piece from one codimension below the family's (a slice of the full
    # positive-dimensional system would take minutes): its upper bound.
    rank1 = max(st.base + slice_bounds(st.system, lower=best[True] - st.base - 1,
                                       n_weights=st.n_unknowns, timeout=60).upper
                for st in strata("3,q2,q2,q1", "symmetric", exclude=("constant-output",))
                if st.central and st.r == 1)
    assert best[False] < best[True] == rank1


def test_dead_units_close_the_gap_of_an_affine_hidden_layer():
    """4,a4,q1: a dead-unit family reaches the slices' upper bound, no other family does.

    The slice just above the best family is tested directly (not inside
    analyze's time budget), with a limit that only a hung engine reaches.
    """
    from varieties.algebra.engines import resolve_engine
    from varieties.algebra.families import families
    from varieties.algebra.slicing import slice_test
    from varieties.algebra.system import build_problem

    engine = resolve_engine("auto", 32003)
    if engine == "sympy":
        pytest.skip("the codimension-27 slice needs msolve or Singular")
    pr = build_problem("4,a4,q1")
    fams = families(pr.spec, "symmetric", "invariant", polys=pr.polys())
    best_dead = max(f.dim_lower for f in fams if f.matrix and "dead" in f.name)
    assert max(f.dim_lower for f in fams if f.matrix and "dead" not in f.name) < best_dead
    t = slice_test(pr.system(32003), best_dead + 1, engine, seed=0, timeout=600,
                   n_weights=pr.n_weights)
    assert t.status == "ok" and t.empty is True      # dim < best_dead + 1: settled


def test_families_are_checked_to_lie_in_v_without_the_constraints():
    """``2,a2,q1``: two dead-unit variants ('layerwise + 1 dead', 'hidden: standard +
    trivial + 1 dead') are not symmetric and would claim dim >= 11; dim V = 10 (V's own
    slices). They are dropped whether or not the constraints are passed."""
    from varieties.algebra.families import families
    from varieties.algebra.slicing import slice_bounds
    from varieties.algebra.system import build_problem

    pr = build_problem("2,a2,q1")
    sb = slice_bounds(pr.system(32003), lower=0, timeout=60, n_weights=pr.n_weights)
    for fams in (families("2,a2,q1", timeout=60), families("2,a2,q1", polys=pr.polys())):
        found = [f for f in fams if f.dim_lower is not None]
        assert all(f.in_variety for f in found)
        assert max(f.dim_lower for f in found) == sb.upper == 10
