"""The output's normal form for three-layer networks, checked against families and V's own slices."""

import pytest
from conftest import family_lower, v_slices

from varieties.algebra.deep_normal_form import (applies, deep_normal_form_bounds,
                                                fibre_unknowns, strata)
from varieties.network import parse_spec


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,q2,q2,q1", "symmetric", ()),
    ("2,q2,q2,q1", "symmetric", ("constant-output",)),
    ("2,a2,q2,q1", "symmetric", ("constant-output",)),
    ("2,q1,q2,q1", "cyclic", ()),
    ("3,a2,a2,q1", "cyclic", ("constant-output",)),
])
def test_bounds_agree_with_v_slices_and_families(spec, group, exclude):
    lower = family_lower(spec, group, exclude)
    db = deep_normal_form_bounds(spec, group, dim_lower=lower, exclude=exclude,
                                 function_dim=False, timeout=120)
    assert db.complete
    # The strata's maximum is an upper bound; V's own slices (an independent
    # system: cubics in all the weights) settle the dimension on these small
    # cases, and the exact families are below it (3,a2,a2,q1: 16 < 17).
    sb = v_slices(spec, group, lower, exclude)
    assert sb.lower == sb.upper
    assert lower <= db.dim_upper == sb.upper
    assert db.dim_lower <= db.dim_upper


def test_three_layer_generic_stratum_counts_every_weight():
    # Central rank h2 uses every unit: base + unknowns is the number of weights.
    for spec in ("2,q2,q2,q1", "3,q3,a2,q1", "2,a3,q2,q1"):
        sp = parse_spec(spec)
        h = sp.layers[1].width
        top = [st for st in strata(sp, "symmetric") if st.central and st.r == h][0]
        assert top.base + top.n_unknowns == len(sp.weights)
        assert max(st.n_unknowns for st in strata(sp, "symmetric")) == fibre_unknowns(sp)


@pytest.mark.parametrize("spec,kind,exclude,words", [
    ("3,q3,q1", None, (), "three layers"),
    ("2,q2,q2,q2", "equivariant", (), "one quadratic neuron"),
    ("2,q2,q2,q1", "equivariant", (), "invariant"),
    ("2,q2,q2,q1", None, ("zero-unit",), "not covered"),
    ("2,q2^2,q2,q1", None, (), "without a power"),
])
def test_refusals_say_why(spec, kind, exclude, words):
    why = applies(spec, kind, exclude)
    assert why is not None and words in why
    with pytest.raises(ValueError, match=words):
        deep_normal_form_bounds(spec, "symmetric", kind, exclude=exclude)


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,q1,q2,q1", "symmetric", ("constant-output",)),
    ("2,a2,a2,q1", "symmetric", ()),
    ("3,a2,a2,q1", "symmetric", ("constant-output",)),
    ("3,a2,a2,q1", "cyclic", ()),
])
def test_rank_one_character_split_has_the_squared_fibres_dimension(spec, group, exclude):
    # The split (y1 o g = +-y1, linear in y1's coefficients) against the
    # stratum's direct system (y1^2 invariant, with the Rabinowitsch relation
    # on y1^2's coefficients): the same set, so the same dimension.
    from varieties.algebra.deep_normal_form import squared_rank_one_system
    from varieties.algebra.slicing import slice_bounds
    from varieties.groups import get_group

    sp = parse_spec(spec)
    pieces = [st for st in strata(sp, group, exclude=exclude) if st.central and st.r == 1]
    assert len(pieces) == 2 ** len(get_group(group, sp.n_inputs).generators)
    split = max(slice_bounds(st.system, n_weights=st.n_unknowns, timeout=60).upper
                for st in pieces)
    system, nw = squared_rank_one_system(sp, group, exclude_constant=bool(exclude), seed=1)
    direct = slice_bounds(system, n_weights=nw, timeout=60)
    assert direct.lower == direct.upper == split


def _rank_one_pieces(spec, group):
    from varieties.algebra.slicing import slice_bounds

    out = {}
    for st in strata(spec, group, exclude=("constant-output",)):
        if st.central and st.r == 1:
            b = slice_bounds(st.system, lower=-1, n_weights=st.n_unknowns, timeout=60)
            assert b.lower == b.upper
            out[st.name.rsplit("(", 1)[1].split(")")[0]] = b.upper
    return out


def test_rank_one_pieces_are_the_characters():
    # Minus the constant output. Under C_3 (one generator, a 3-cycle) the
    # pattern - is no character: P = 0, excluded. Under S_2 the pattern - is
    # the sign character, and its piece matches P o s = sgn(s) P imposed for
    # every permutation s, built here independently of the generators.
    import itertools
    import random

    from varieties.algebra import deep_normal_form as dnf
    from varieties.algebra.engines import DEFAULT_PRIME, System
    from varieties.algebra.evaluation import x_monomials
    from varieties.algebra.normal_form import _nonconstant_relation
    from varieties.algebra.slicing import slice_bounds

    cyc = _rank_one_pieces(parse_spec("3,a2,a2,q1"), "cyclic")
    assert cyc["-"] == -1 < cyc["+"]
    n, sp, p = 2, parse_spec("2,a2,a2,q1"), DEFAULT_PRIME
    pieces = _rank_one_pieces(sp, "symmetric")
    coef, nw, _, _ = dnf._expand(sp, 0, False, p, None)
    polys = []
    for perm in itertools.permutations(range(n)):
        sgn = (-1) ** sum(perm[i] > perm[j] for i in range(n) for j in range(i + 1, n))
        for mu in x_monomials(n, 1):
            nu = tuple(mu[perm[j]] for j in range(n))
            f = dict(coef.get(nu, {}))
            for e, c in coef.get(mu, {}).items():
                f[e] = (f.get(e, 0) - sgn * c) % p
            if any(f.values()):
                polys.append({e + (0,): c for e, c in f.items() if c})
    polys.append(_nonconstant_relation(coef, random.Random(2), p, nw + 1))
    sign = slice_bounds(System(tuple(f"w{i}" for i in range(nw + 1)), polys, p),
                        lower=-1, n_weights=nw, timeout=60)
    assert sign.lower == sign.upper == pieces["-"] >= 0


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,a2,a2,q1", "symmetric", ()),
    ("3,a2,a2,q1", "cyclic", ("constant-output",)),
])
def test_rank_one_image_on_the_root_matches_the_squared_image(spec, group, exclude):
    # Slices on P = y1(z) plus one dimension for c against slices on P^2 + c
    # (the old, sextic system): the same upper bound stratum by stratum.
    def bounds(root):
        db = deep_normal_form_bounds(spec, group, exclude=exclude, timeout=60, root_image=root)
        assert db.complete
        return [st.function_upper for st in db.strata if st.central and st.r == 1]

    assert bounds(True) == bounds(False)


@pytest.mark.parametrize("n", [3, 4])
def test_width_one_chain_has_the_closed_form_function_dimension(n):
    # n,q1,q1,q1 under S_n (n >= 3: no quadratic is sign-semi-invariant): a
    # nonconstant invariant F = R(phi) forces phi invariant, R = theta o psi a
    # decomposable quartic (4 dimensions), and the affine maps of the line
    # (2) act on the pair: dim = dim Inv_{<=2} + 4 - 2. Inv_{<=2} is counted
    # here by brute force over the permutations.
    import itertools

    from varieties.algebra.evaluation import x_monomials

    monos = x_monomials(n, 2)
    orbits = {frozenset(tuple(m[s[i]] for i in range(n)) for s in itertools.permutations(range(n)))
              for m in monos}
    closed = len(orbits) + 2
    # function_lower=0: the search bisects from nothing, so both bounds are found.
    db = deep_normal_form_bounds(f"{n},q1,q1,q1", "symmetric", function_lower=0, timeout=60)
    assert db.complete
    assert db.function_lower == db.function_upper == closed


def test_analyze_does_not_factor_a_deep_rank_two_stratum():
    # The rank-2 factorisation types are two-layer ones (u, v quadratic in x);
    # a three-layer stratum's u v has u, v polynomials in z(x).
    from varieties import analyze

    r = analyze("2,q2,q2,q1", "symmetric", timeout=30)
    assert r.function_dim_upper >= r.function_dim_lower >= 14
    assert not any("factorisation" in s.get("what", "") for s in r.steps)


def test_a_stratum_whose_image_is_too_big_for_the_time_left_keeps_its_trivial_bound():
    # 4,q2,q2,q1's central rank 2 has about 130k image terms: its corank alone
    # would take seconds (normal_form.IMAGE_SECONDS_PER_TERM), more than the
    # half second given, so no test runs and it gets the trivial bound (its
    # fibre's dimension plus c), which the maximum over the strata counts.
    import random
    import time

    from varieties.algebra import normal_form as nf
    from varieties.algebra.deep_normal_form import prepare

    out = prepare("4,q2,q2,q1", "symmetric")
    st = next(s for s in out.strata if s.central and s.r == 2)
    terms = sum(len(f) for f in st.image)
    assert terms * nf.IMAGE_SECONDS_PER_TERM > 1.0
    st.dim_lower = 0
    run = nf._Runner(out, "auto")
    nf._image_round(st, run, random.Random(0), {}, 14, time.perf_counter() + 0.5, 1e9,
                    factorise=False)
    assert not out.tests
    assert st.function_upper == nf._trivial_image_bound(st) == st.n_unknowns + 1 > 14
