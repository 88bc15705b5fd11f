"""The central rank-2 image by unique factorisation, against slices, closed forms and analyze."""

import pytest

from varieties import analyze
from varieties.algebra.evaluation import x_monomials
from varieties.algebra.factor_images import _packs, rank2_image
from varieties.algebra.function_bounds import equivariant_poly_dim
from varieties.algebra.normal_form import normal_form_bounds


def _sliced_rank2(spec, group, exclude=()):
    """The central rank-2 stratum's image bounds from its own random slices (no factorisation)."""
    nf = normal_form_bounds(spec, group, exclude=exclude, timeout=30, factorise=False)
    st = next(s for s in nf.strata if s.central and s.r == 2)
    return st.function_lower, st.function_upper


@pytest.mark.parametrize("spec,group,exclude", [
    ("2,q2,q1", "symmetric", ()),
    ("3,q2,q1", "symmetric", ()),
    ("3,q2,q1", "dihedral", ()),
    ("3,a2,q1", "symmetric", ()),
    ("3,a2,q1", "cyclic", ()),
    ("3,a3,q1", "cyclic", ()),
    ("2,a2,q1", "symmetric", ("constant-output",)),
])
def test_factorisation_meets_the_strata_slices_where_they_settle(spec, group, exclude):
    lo, hi = _sliced_rank2(spec, group, exclude)
    assert lo == hi                       # the slices settle these: a real comparison
    assert rank2_image(spec, group, exclude_constant=bool(exclude)).value == hi


@pytest.mark.parametrize("n,D", [(2, 1), (3, 1), (2, 2), (3, 2)])
def test_without_symmetry_the_image_is_every_product_plus_a_constant(n, D):
    # Trivial group: {u v + c} has dimension 2 dim P_D (u and v up to a common
    # scalar, plus c), at most the polynomials of degree <= 2D (all of them at n=2, D=1).
    N = len(x_monomials(n, D))
    spec = f"{n},{'q' if D == 2 else 'a'}2,q1"
    assert 2 * N <= len(x_monomials(n, 2 * D))
    assert rank2_image(spec, "trivial").value == 2 * N


@pytest.mark.parametrize("spec,group", [("3,q2,q1", "cyclic"), ("4,q2,q1", "dihedral"),
                                        ("4,a3,q1", "cyclic"), ("3,q3,q1", "symmetric")])
def test_the_image_stays_below_the_invariant_count(spec, group):
    im = rank2_image(spec, group)
    assert 1 <= im.value <= equivariant_poly_dim(spec, group, "invariant")
    assert im.types > 0 and len(im.primes) == 2
    # Both primes have every character's values: 1 modulo the group's exponent.
    assert all(p % {"cyclic": 4 if spec[0] == "4" else 3, "dihedral": 4,
                    "symmetric": 6}[group] == 1 for p in im.primes)


def test_the_exclusion_removes_only_the_constants():
    assert rank2_image("2,q2,q1", exclude_constant=True).value == rank2_image("2,q2,q1").value


@pytest.mark.parametrize("degrees,D,fits", [
    ([2, 2], 2, True), ([1, 1, 2], 2, True), ([1, 1, 1, 1], 2, True), ([2, 1, 1, 1], 2, False),
    ([3], 2, False), ([1, 1], 1, True), ([1, 1, 1], 1, False),
])
def test_packing_into_u_and_v(degrees, D, fits):
    assert _packs(degrees, D) is fits


def test_analyze_settles_3_q2_q1_cyclic_by_factorisation():
    # The codimension-9 image slice of the rank-2 stratum runs past 25 s; the
    # factorisation gives the families' 8 as the upper bound.
    rep = analyze("3,q2,q1", "cyclic", timeout=60)
    assert rep.function_dim == rep.function_dim_lower == rep.function_dim_upper
    fam = max(f["function_dim"] for f in rep.families if "function_dim" in f)
    assert rep.function_dim == fam
    assert any(s["what"] == "normal-form factorisation" for s in rep.steps)
    assert "factorisation types" in rep.certificate


def test_a_deadline_in_the_past_raises():
    import time

    with pytest.raises(TimeoutError):
        rank2_image("3,q2,q1", "cyclic", deadline=time.perf_counter() - 1)


def test_a_group_without_a_presentation_is_refused_and_the_slices_take_over():
    # S_3 by three generators: sympy's presentation has two, so the low-index
    # subgroups are unknown; listing none would make the image look smaller.
    from varieties.groups import from_generators

    G = from_generators(3, [[1, 0, 2], [1, 2, 0], [0, 2, 1]])
    with pytest.raises(ValueError, match="presentation"):
        rank2_image("3,a2,q1", G)
    nf = normal_form_bounds("3,a2,q1", G, timeout=30)
    assert not nf.factorisations
    assert nf.function_upper == rank2_image("3,a2,q1", "symmetric").value
