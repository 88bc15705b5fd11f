"""Bounds on the function-space dimension, against independent computations."""

from __future__ import annotations

import itertools
import shutil
from fractions import Fraction

import pytest

from varieties.actions import make_action
from varieties.algebra import analyze
from varieties.algebra.function_bounds import equivariant_poly_dim
from varieties.groups import get_group

from conftest import act_on_input


def orbit_count(n, group, kind, n_out, degrees):
    """Orbits of (output, monomial) pairs, enumerated one by one."""
    G = get_group(group, n)
    act = make_action(G, kind, n_out)
    els = G.elements()
    seen, orbits = set(), 0
    for d in degrees:
        for m in itertools.product(range(d + 1), repeat=n):
            if sum(m) != d:
                continue
            for k in range(n_out):
                if (k, m) in seen:
                    continue
                orbits += 1
                for g in els:
                    seen.add((act.rho(g)[k], tuple(act_on_input(g, list(m)))))
    return orbits


@pytest.mark.parametrize("spec,group,kind", [
    ("3,q3,q1", "cyclic", "invariant"), ("4,q2,q1", "dihedral", "invariant"),
    ("3,q3,q3", "cyclic", "equivariant"), ("4,q2,q2", "hyperoctahedral", "folded"),
    ("3,q2,q1", "symmetric", "invariant"), ("3,q2,q3", "symmetric", "equivariant"),
    ("2,l2^2,l1", "symmetric", "invariant"),
])
def test_the_polynomial_count_is_an_orbit_count(spec, group, kind):
    from varieties.algebra.evaluation import output_degrees
    from varieties.network import parse_spec

    s = parse_spec(spec)
    want = orbit_count(s.n_inputs, group, kind, s.n_outputs, sorted(output_degrees(s)))
    assert equivariant_poly_dim(s, group, kind) == want


@pytest.mark.parametrize("spec", ["2,q2,q1", "2,q1,q1", "3,q2,q1", "3,a3,q1", "3,q3,q1"])
def test_function_dim_bounds_are_ordered_and_set_only_when_they_meet(spec):
    r = analyze(spec, timeout=60)
    assert r.function_dim_lower is not None and r.function_dim_upper is not None
    assert r.function_dim_lower <= r.function_dim_upper
    assert r.function_dim_upper <= equivariant_poly_dim(spec, "symmetric", "invariant")
    if r.function_dim is not None:
        assert r.function_dim == r.function_dim_lower == r.function_dim_upper
        assert r.function_dim_certainty in ("exact", "probabilistic", "modular")
    else:
        assert r.function_dim_lower < r.function_dim_upper
    # The families that give the lower bound are named.
    assert any(f.get("function_top") for f in r.families)


def _image_dim_by_elimination(spec):
    """dim of the closure of {F_w : w in V} over QQ: eliminate w from the graph (Singular)."""
    from varieties.algebra.engines import System
    from varieties.algebra.groebner import elimination
    from varieties.algebra.system import build_problem

    pr = build_problem(spec, "symmetric", "invariant")
    qq = pr.system(0)
    N = pr.n_weights
    pos = {w: i for i, w in enumerate(pr.order)}
    names = list(pr.cs.weights)
    coeffs = [c for out in pr.cs.expansion.coeffs for _, c in sorted(out.items())]
    K = len(coeffs)
    polys = [{(0,) * K + m: c for m, c in f.items()} for f in qq.polys]
    for j, c in enumerate(coeffs):
        d = {}
        items = c.to_dict().items() if hasattr(c, "to_dict") else c.items()
        for m, v in items:
            mm = [0] * N
            for wi, ex in enumerate(m):
                if ex:
                    mm[pos[names[wi]]] = int(ex)
            d[(0,) * K + tuple(mm)] = -(Fraction(int(v.p), int(v.q)) if hasattr(v, "p")
                                         else Fraction(int(v.numerator), int(v.denominator)))
        unit = [0] * K
        unit[j] = 1
        d[tuple(unit) + (0,) * N] = Fraction(1)
        polys.append(d)
    S = System(tuple(f"c{j}" for j in range(K)) + tuple(pr.order), polys, 0)
    r = elimination(S, N, engine="singular", timeout=120, hilbert=False)
    assert r.status == "ok", r.message
    return r.dim


@pytest.mark.singular
@pytest.mark.skipif(shutil.which("Singular") is None, reason="needs Singular")
@pytest.mark.parametrize("spec", ["2,q1,q1", "2,a1,q1", "2,l1^2,l1"])
def test_settled_function_dims_equal_the_image_dimension_over_qq(spec):
    r = analyze(spec, timeout=60)
    assert r.function_dim is not None
    assert r.function_dim == _image_dim_by_elimination(spec)


def test_image_slices_are_empty_above_the_function_dim_and_not_at_it():
    from varieties.algebra.function_bounds import image_slice
    from varieties.algebra.system import build_problem

    pr = build_problem("2,q1,q1")
    system = pr.system(32003)
    r = analyze("2,q1,q1", timeout=60)
    d = r.function_dim
    engine = r.engine.split("+")[-1]
    for seed in range(3):
        assert image_slice(pr, system, d + 1, engine=engine, seed=seed).empty is True
        assert image_slice(pr, system, d, engine=engine, seed=seed).empty is False


def test_sweep_rows_carry_the_function_dim_bounds():
    from varieties.sweep.tasks import dimension_row

    row = dimension_row({"spec": "2,q2,q1", "timeout": 60})
    for k in ("function_dim", "function_dim_lower", "function_dim_upper",
              "function_dim_certainty", "top_families"):
        assert k in row
    assert row["function_dim_lower"] <= row["function_dim_upper"]
    assert row["top_families"]


def test_the_slice_at_the_family_value_comes_first_and_agrees_with_the_top_down_ones():
    """``3,q1,q1,q1`` cyclic minus the constant output: the family gives 6 and V's first
    image slice, at codimension 7, is empty; the slices above it, run one by one with
    another seed, are empty too (the bound does not hang on the order of the search; the
    family, a rigorous lower bound, is attained). ``analyze`` settles it before V's slices
    now, by the deep strata's images on the root (an independent system), at the same 6."""
    from varieties.algebra.engines import resolve_engine
    from varieties.algebra.exclusions import exclusion_poly, rabinowitsch
    from varieties.algebra.function_bounds import function_dim_bounds, image_slice
    from varieties.algebra.system import build_problem

    r = analyze("3,q1,q1,q1", group="cyclic", exclude=("constant-output",), timeout=60)
    assert r.function_dim == r.function_dim_lower == 6
    pr = build_problem("3,q1,q1,q1", "cyclic")
    rabinowitsch(pr, exclusion_poly(pr.spec, "constant-output"))
    system = pr.system(32003)
    engine = resolve_engine("auto", 32003)
    fb = function_dim_bounds(pr, "cyclic", 6, "family", system=system, engine=engine,
                             budget=60)
    assert fb.tests[0].codim == 7 and fb.tests[0].empty is True
    assert fb.value == 6
    assert all(image_slice(pr, system, c, engine=engine, seed=1).empty is True
               for c in range(7, 10))
