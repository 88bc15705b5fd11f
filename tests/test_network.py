"""Network specifications: parsing, weight naming, bad input."""

from __future__ import annotations

import pytest
import sympy

from varieties import LayerSpec, NetworkSpec, SpecError, parse_spec
from varieties.network import quadratic_pairs


@pytest.mark.parametrize("text", ["3,q3,q1", "2,l2^2,l1", "6,l3", "4,s2,a4^3", "3,q3,full"])
def test_spec_round_trips(text):
    assert str(parse_spec(text)) == text
    assert parse_spec(str(parse_spec(text))) == parse_spec(text)


def count_weights(spec: NetworkSpec) -> int:
    """Weights counted from the layer formulas, independently of the naming code."""
    total = 0
    for layer, p in zip(spec.layers, spec.input_widths):
        per = 0
        if layer.kind in "qs":
            per += p * p if spec.full else p * (p + 1) // 2
        if layer.kind in "qla":
            per += p
        if layer.kind in "qa":
            per += 1
        total += per * layer.width
    return total


@pytest.mark.parametrize("text", ["3,q3,q1", "2,l2^2,l1", "4,s2,a4^3", "3,q3,q2,full"])
def test_weight_names_are_unique_parsable_and_counted(text):
    spec = parse_spec(text)
    assert len(spec.weights) == len(set(spec.weights)) == count_weights(spec)
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
