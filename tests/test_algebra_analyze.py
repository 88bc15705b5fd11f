"""analyze(): reports, census bounds, exclusions, components, CLI."""

import json

import pytest

from varieties.algebra import VarietyReport, analyze, build_problem, census, groebner
from varieties.algebra.components import minimal_primes
from varieties.algebra.engines import singular_binary
from varieties.cli import main
from varieties.errors import MethodError, VarietiesError

needs_singular = pytest.mark.skipif(singular_binary() is None, reason="Singular binary absent")


def test_report_fields_and_flat_row():
    r = analyze("2,q1,l1", timeout=60)
    assert isinstance(r, VarietyReport)
    full = groebner(build_problem("2,q1,l1").system(0), "sympy", 60)
    assert r.dim == full.dim == r.dim_lower == r.dim_upper
    assert r.status == "ok" and r.certificate
    row = r.to_row()
    assert all(not isinstance(v, (list, dict)) for v in row.values())
    assert r.to_frame().shape[0] == 1


@pytest.mark.parametrize("method", ["groebner", "slice"])
def test_methods_agree(method):
    auto = analyze("2,l2,q1", timeout=60)
    other = analyze("2,l2,q1", method=method, timeout=60)
    assert other.dim == auto.dim is not None
    assert other.method == method


def test_census_respects_proven_upper_bound():
    prob = build_problem("2,q1,q1")
    full = groebner(prob.system(0), "sympy", 60)
    c = census(prob.system(0), n_points=15, seed=2)
    assert c.n_converged > 0
    assert c.max_dim <= full.dim
    r = analyze("2,q1,q1", method="census", timeout=60)
    assert r.census["consistent"]


def test_time_limit_reported():
    r = analyze("2,q2,q1", method="groebner", timeout=0.5)
    assert r.status == "timeout" and r.dim_lower <= r.dim_upper


def test_exclusion_bounds_nondegenerate_part():
    plain = analyze("2,q2,q1", timeout=60)
    excl = analyze("2,q2,q1", exclude=("constant-output",), timeout=60)
    assert excl.exclusions == ["constant-output"]
    assert excl.dim_upper <= plain.dim_upper
    assert excl.dim_lower is not None and excl.dim_lower <= excl.dim_upper


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("method", ["groebner", "slice"])
@pytest.mark.parametrize("locus", ["constant-output", "B2_0_0"])
def test_exclusion_gives_the_saturation_dimension(n, method, locus):
    """``n,l1,l1`` invariant: F = c (b . x), constraints c (b_i - b_j) = 0.

    By hand, V = {c = 0} (dimension n: b free) union {b_0 = ... = b_{n-1}}
    (dimension 2: the common b and c). Removing the constant networks
    ({c = 0} or {b = 0}), or the locus {c = 0} given as a weight set, leaves
    the second piece minus a hypersurface: dimension 2 for every n.
    """
    plain = analyze(f"{n},l1,l1", method=method, timeout=60)
    excl = analyze(f"{n},l1,l1", method=method, exclude=(locus,), timeout=60)
    assert plain.status == excl.status == "ok"
    assert plain.dim == n
    assert excl.dim == 2


def test_census_under_an_exclusion_sees_only_the_nondegenerate_piece():
    """``3,l1,l1`` minus the constant networks is the plane {b_0 = b_1 = b_2} (dimension 2).

    Points landing on the 3-dimensional piece {c = 0} must be dropped, so every
    kept point has local dimension 2.
    """
    rep = analyze("3,l1,l1", method="census", exclude=("constant-output",), census_points=10,
                  timeout=60)
    assert rep.census is not None and rep.census["consistent"]
    assert rep.census["histogram"] and set(rep.census["histogram"]) == {"2"}


def test_bad_input_raises_named_errors():
    with pytest.raises(MethodError, match="unknown method"):
        analyze("2,l1", method="magic")
    with pytest.raises(VarietiesError, match="neither a preset"):
        analyze("2,l1", exclude=("nonsense",))
    for bad in (0, -1, "soon"):
        with pytest.raises(VarietiesError, match="timeout"):
            analyze("2,l1", timeout=bad)


@pytest.mark.singular
@needs_singular
def test_components_of_a_union_of_planes():
    from varieties.algebra.engines import System

    # xy = 0 in 3-space: two planes of degree 1; on a slice of codim 1 still two components.
    s = System(("x", "y", "z"), [{(1, 1, 0): 1}], 32003)
    for codim in (0, 1):
        res = minimal_primes(s, 30, codim)
        assert res.status == "ok"
        assert sorted((c.dim, c.degree) for c in res.components) == [(2, 1), (2, 1)]


def test_cli_json(capsys):
    assert main(["analyze", "2,a1,q1", "--json", "--timeout", "60"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dim"] == data["dim_lower"] == data["dim_upper"]
    assert main(["analyze", "2,a1,q1", "--exclude", "bogus"]) == 2


@pytest.mark.singular
@needs_singular
def test_two_top_components_of_the_small_quadratic_network():
    """``2,q2,q1`` invariant has (at least) two top components, both found by Singular.

    Independent argument: the linear space L of networks whose two hidden units
    are invariant (degree 1) and the closure of the 'single-unit' family (the
    output reads one invariant unit; the other unit is free) are both in V, both
    of dimension dim V, and the second is not inside L because its point has a
    non-invariant hidden unit. So V has at least two top components, one of
    degree 1.
    """
    from varieties.algebra import families
    from varieties.network import parse_spec

    spec = parse_spec("2,q2,q1")
    rep = analyze(spec, components=True, timeout=120)
    fams = {f.name: f for f in families(spec, "symmetric", "invariant",
                                       build_problem(spec, "symmetric", "invariant",
                                                     False).cs.polys, 0)}
    L, single = fams["invariant-units"], fams["single-unit"]
    assert L.in_variety and single.in_variety
    assert rep.dim == L.dim_lower == single.dim_lower
    w = dict(zip(spec.weights, single.point))
    unit_invariant = [w[f"A1_{k}_0_0"] == w[f"A1_{k}_1_1"] and w[f"B1_{k}_0"] == w[f"B1_{k}_1"]
                      for k in range(2)]
    assert not all(unit_invariant)
    top = [c for c in rep.components if c["dim"] == rep.dim]
    assert len(top) >= 2
    assert 1 in [c["degree"] for c in top]
