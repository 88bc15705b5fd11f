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
