"""Function-space dimension: expected-dimension formula, defective cases, float SVD."""

import pytest

from varieties.algebra import expected_neurovariety_dim, function_dim, function_dim_float

# Shallow and deep l..^r networks where the expected dimension is attained
# (Kileel-Trager-Bruna 2019, non-defective: e.g. generic binary forms).
NONDEFECTIVE = ["2,l2^2,l1", "2,l3^3,l1", "3,l3^2,l1", "2,l2^2,l2^2,l1", "3,l3^2,l2"]
# Sums of h < n squares of linear forms: dim = hn - C(h, 2) < expected min(hn, C(n+1, 2)).
DEFECTIVE = [("3,l2^2,l1", 3, 2), ("4,l2^2,l1", 4, 2), ("4,l3^2,l1", 4, 3)]


@pytest.mark.parametrize("spec", NONDEFECTIVE)
def test_formula_holds(spec):
    d, info = function_dim(spec, return_details=True)
    assert info["agree"]
    assert d == expected_neurovariety_dim(spec)


@pytest.mark.parametrize("spec,n,h", DEFECTIVE)
def test_defective_below_formula(spec, n, h):
    d = function_dim(spec)
    assert d < expected_neurovariety_dim(spec)
    assert d == h * n - h * (h - 1) // 2


@pytest.mark.parametrize("spec", ["2,l2^2,l1", "3,l2^2,l1", "2,q1,q1", "2,a2,q1"])
def test_agrees_with_float_svd(spec):
    assert function_dim(spec) == function_dim_float(spec)


def test_symmetric_tying_lowers_dimension():
    free = function_dim("2,q2,q1")
    tied = function_dim("2,q2,q1", group="symmetric", kind="invariant")
    assert 0 < tied < free


@pytest.mark.parametrize("spec", ["2,q2,q1", "3,l3^2,l2", "2,a2^2,s2,l2", "1,q2,q2,full"])
def test_evaluation_matches_the_expansion_oracle(spec):
    from varieties.algebra.function_dim import function_dim_expansion

    d, info = function_dim(spec, return_details=True)
    assert info["agree"] and d == max(function_dim_expansion(spec))


def test_scales_past_the_expansion():
    """The issue's networks that the expansion could not do (killed, or 6 GB)."""
    assert function_dim("3,l9^2,l5^2,l8^2,l1") <= 45
    d, info = function_dim("2,l2^2,l8^2,l6^2,l2^2,l1", return_details=True)
    assert info["agree"] and d <= 17
