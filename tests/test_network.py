"""Network specifications: parsing, weight naming, bad input."""

from __future__ import annotations

import pytest
import sympy

from varieties import LayerSpec, SpecError, parse_spec
from varieties.network import quadratic_pairs


@pytest.mark.parametrize("text", ["3,q3,q1", "2,l2^2,l1", "6,l3", "4,s2,a4^3", "3,q3,full"])
def test_spec_round_trips(text):
    assert str(parse_spec(text)) == text
    assert parse_spec(str(parse_spec(text))) == parse_spec(text)


@pytest.mark.parametrize("text", ["3,q3,q1", "2,l2^2,l1", "4,s2,a4^3", "3,q3,q2,full",
                                  "5,s3,l2,a4,q1,full", "1,q1", "7,a2^3,s1"])
def test_weight_names_are_unique_parsable_and_counted(text):
    spec = parse_spec(text)
    # The arithmetic count (used to refuse huge networks before enumerating) against enumeration.
    assert len(spec.weights) == len(set(spec.weights)) == spec.n_weights
    for name in spec.weights:
        assert str(sympy.Symbol(name)) == name
        assert sympy.sympify(name).is_Symbol


def test_weight_index_matches_names():
    spec = parse_spec("2,q2,q1")
    for w in spec.weight_index:
        parts = w.name[1:].split("_")
        assert w.name[0] == w.part and int(parts[0]) == w.layer and int(parts[1]) == w.k


def test_full_indexing_has_both_orders():
    assert len(quadratic_pairs(3, True)) == 9 and len(quadratic_pairs(3, False)) == 6
    assert "A1_0_1_0" in parse_spec("2,q1,full").weights
    assert "A1_0_1_0" not in parse_spec("2,q1").weights


@pytest.mark.parametrize("text,match", [
    ("3,x3", "x"),
    ("3,q0", "width"),
    ("3,q3^1", r"\^1"),
    ("3,q3^0", r"\^0"),
    ("0,q1", "inputs"),
    ("a,q1", "'a'"),
    ("3", "layer"),
    ("3,,q1", "SPEC"),
    ("3,q3x", "q3x"),
    ("3,q99999999999999999999", "too large"),
    ("99999999999,q1", "too large"),
    ("400,q400", "10,000,000 are supported"),   # 32 million weights: refused before enumerating
    ("2,q2^1000", "power 1000 is too large"),
])
def test_bad_specs_name_the_offending_token(text, match):
    with pytest.raises(SpecError, match=match):
        parse_spec(text)


def test_bad_layer_dataclass_values():
    with pytest.raises(SpecError, match="width"):
        LayerSpec("q", 0)
    with pytest.raises(SpecError, match="power"):
        LayerSpec("q", 2, 1.5)
    with pytest.raises(SpecError, match="kind"):
        LayerSpec("z", 2)
