"""The hidden layer's echelon normal form: strata bounds against V's own computations."""

import pytest

from varieties import analyze
from varieties.algebra.families import families
from varieties.algebra.hidden_normal_form import applies, hidden_normal_form_bounds
from varieties.algebra.slicing import slice_bounds
from varieties.algebra.system import build_problem
from varieties.network import parse_spec


def _v_bounds(spec, group, kind):
    """Bounds on dim V from random slices of V itself (no normal form), starting from the
    best exact family (rigorous, and independent of the strata)."""
    pb = build_problem(spec, group, kind)
    # polys: the families are checked to lie in V (dead-unit variants of some do not).
    low = max(f.dim_lower for f in families(spec, group, kind, polys=pb.polys(), timeout=60)
              if f.dim_lower is not None)
    sb = slice_bounds(pb.system(32003), lower=low, timeout=60, n_weights=pb.n_weights)
    return sb.lower, sb.upper


@pytest.mark.parametrize("spec,group,kind", [
    ("2,a1,q1", "symmetric", "invariant"),
    ("2,a2,q1", "symmetric", "invariant"),
    ("3,a2,q1", "symmetric", "invariant"),
    ("3,a2,q1", "cyclic", "invariant"),
    ("2,a2,q2", "symmetric", "equivariant"),
    ("2,l2,q1", "symmetric", "invariant"),
    ("2,a2,a2", "symmetric", "equivariant"),
    ("2,a2,a1^2", "symmetric", "invariant"),
    ("3,a2,q3", "cyclic", "equivariant"),
    ("2,q2,q1", "symmetric", "invariant"),
    ("2,q2,q2", "symmetric", "equivariant"),
    ("2,q1,q2", "symmetric", "equivariant"),
])
def test_the_strata_give_the_dimension_of_v(spec, group, kind):
    """Searched without a target (each stratum bisected to its dimension), the strata's
    bounds meet, and V's own slices (the constraints in every weight) give the same."""
    hb = hidden_normal_form_bounds(spec, group, kind, dim_lower=0, timeout=60)
    assert hb.complete and hb.dim_lower == hb.dim_upper
    lo, hi = _v_bounds(spec, group, kind)
    assert lo == hi == hb.dim_upper


@pytest.mark.parametrize("spec", ["2,a2,q1", "3,a3,q1", "2,l2,q2", "3,a2,a2^2", "2,q2,q1"])
def test_without_symmetry_the_strata_fill_the_weights(spec):
    """The trivial group: V is every weight; the full-rank stratum must account for all of
    them (its orbit, its free output weights and its fibre, which is everything)."""
    hb = hidden_normal_form_bounds(spec, "trivial", "invariant", dim_lower=0, timeout=60)
    assert hb.dim_lower == hb.dim_upper == parse_spec(spec).n_weights


def test_full_indexing_adds_the_output_kernel():
    """Full indexing doubles the output's off-diagonal A weights: the antisymmetric
    parts (m h (h - 1) / 2 of them) never reach the function."""
    tri = hidden_normal_form_bounds("3,a3,q2", "symmetric", "invariant", timeout=60)
    full = hidden_normal_form_bounds(parse_spec("3,a3,q2", full=True), "symmetric",
                                     "invariant", dim_lower=0, timeout=60)
    assert tri.dim_lower == tri.dim_upper and full.dim_lower == full.dim_upper
    assert full.dim_upper - tri.dim_upper == 2 * 3 * 2 // 2


@pytest.mark.parametrize("spec,group", [("3,a3,q3", "symmetric"), ("3,a3,q3", "cyclic")])
def test_analyze_settles_the_affine_equivariant_networks(spec, group):
    """V's codimension-32 slice takes 40 s; the strata settle the dead-layer family's 31."""
    r = analyze(spec, group=group, kind="equivariant", timeout=60)
    polys = build_problem(spec, group, "equivariant").polys()
    best = max(f.dim_lower for f in families(spec, group, "equivariant", polys=polys,
                                             timeout=60) if f.dim_lower is not None)
    assert r.dim == best == 31 and "hidden-normal-form" in r.method
    assert r.certainty == "modular"


def test_the_quadratic_strata_settle_3_q3_q3_equivariant():
    """V's own slices end at [36, 48] within a minute; the 130 echelon patterns of the
    quadratic hidden layer bring the upper bound down to the best exact family."""
    polys = build_problem("3,q3,q3", "symmetric", "equivariant").polys()
    best = max(f.dim_lower for f in families("3,q3,q3", "symmetric", "equivariant",
                                             polys=polys, timeout=60)
               if f.dim_lower is not None)
    hb = hidden_normal_form_bounds("3,q3,q3", "symmetric", "equivariant", dim_lower=best,
                                   timeout=120)
    assert len(hb.strata) == 1 + 9 + 36 + 84
    assert hb.dim_upper == best


def _v_function_bounds(spec, group, kind):
    """Function bounds from V's own image slices and counts (no normal form), starting from
    the best exact family's function dimension."""
    from varieties.algebra.function_bounds import function_dim_bounds
    from varieties.algebra.function_dim import function_dim

    pb = build_problem(spec, group, kind)
    fams = [f for f in families(spec, group, kind, polys=pb.polys(), timeout=60) if f.matrix]
    low = max(function_dim(spec, subspace=f.matrix) for f in fams)
    from varieties.algebra.engines import resolve_engine

    fb = function_dim_bounds(pb, group, low, "", system=pb.system(32003),
                             engine=resolve_engine("auto", 32003), budget=60)
    return fb.lower, fb.upper


@pytest.mark.parametrize("spec,group,kind", [
    ("2,a2,q2", "symmetric", "equivariant"),
    ("3,a3,q3", "cyclic", "equivariant"),
    ("2,a2,q1", "symmetric", "invariant"),
    ("2,q1,q2", "symmetric", "equivariant"),
])
def test_the_strata_images_meet_the_function_bounds_of_v(spec, group, kind):
    """Searched without a target, the strata's image bounds meet V's own (families below,
    V's image slices and counts above), which settle these."""
    from varieties.algebra.hidden_normal_form import prepare, search_dims, search_functions

    import time

    pb = build_problem(spec, group, kind)
    hb = prepare(parse_spec(spec), group, kind, pb.system(32003))
    search_dims(hb, 0, stop=time.perf_counter() + 60)
    search_functions(hb, pb, None, stop=time.perf_counter() + 60)
    lo, hi = _v_function_bounds(spec, group, kind)
    assert lo == hi
    assert hb.complete and hb.function_lower == hb.function_upper == hi


def test_analyze_settles_the_function_dimension_of_2_q2_q2_equivariant():
    """V's image slices end at [9, 13]; every stratum's fibre has dimension <= 9, and
    a stratum's functions are at most its fibre: the families' 9 is the answer."""
    rep = analyze("2,q2,q2", "symmetric", kind="equivariant", timeout=60)
    fam = max(f["function_dim"] for f in rep.families if "function_dim" in f)
    assert rep.function_dim == fam
    assert "echelon normal forms" in rep.certificate


@pytest.mark.parametrize("spec,kind,exclude,why", [
    ("2,q2,q1,full", "invariant", (), "triangular"),
    ("2,l2^2,q1", "invariant", (), "power"),
    ("2,a2", "invariant", (), "two layers"),
    ("2,a2,l1", "invariant", (), "quadratic"),
    ("2,a2^2,q1", "invariant", (), "power"),
    ("2,a2,q1", "invariant", ("constant-output",), "exclusion"),
])
def test_applies_says_why_not(spec, kind, exclude, why):
    assert why in applies(spec, kind, exclude)
    if not exclude:
        with pytest.raises(ValueError, match=why):
            hidden_normal_form_bounds(spec, "symmetric", kind)


def test_building_the_strata_honours_a_deadline():
    """A partial list of patterns would bound only part of V: past the deadline it raises."""
    import time

    from varieties.algebra.hidden_normal_form import prepare
    from varieties.timelimit import TimeLimit

    pb = build_problem("3,q3,q3", "symmetric", "equivariant")
    with pytest.raises(TimeLimit):
        prepare(parse_spec("3,q3,q3"), "symmetric", "equivariant", pb.system(32003),
                deadline=time.perf_counter() - 1)
