"""The orbit engine against brute force over all group elements and Burnside's lemma."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SYMMETRY_GROUPS as GROUPS
from conftest import small_cases
from varieties.closed_forms import LAYER_DEGREES, burnside_count
from varieties.errors import ActionError, MethodError
from varieties.groups import from_generators, symmetric
from varieties.network import parse_spec
from varieties.orbits import (
    brute_force_labels,
    first_appearance,
    image,
    layer_layout,
    layer_symmetries,
    orbit_labels,
)



CASES = list(small_cases())


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("spec,group,kind", CASES)
def test_orbits_match_brute_force_over_all_elements(spec, group, kind, full):
    sym = layer_symmetries(parse_spec(spec, full=full), group, kind)[0]
    assert orbit_labels(sym, full).tolist() == brute_force_labels(sym, full).tolist()


@pytest.mark.parametrize("spec,group,kind", CASES)
def test_orbit_count_is_burnside_count(spec, group, kind):
    """Orbits of symmetrised coordinates = orbits of (output, monomial) pairs."""
    sym = layer_symmetries(spec, group, kind)[0]
    n_orbits = int(orbit_labels(sym).max()) + 1
    pairs = [(sym.in_perm(g), sym.out_perm(g)) for g in sym.group.elements()]
    assert n_orbits == burnside_count(pairs, LAYER_DEGREES[sym.layer.kind])


@pytest.mark.parametrize("text", ["3,q3", "2,s2,full", "4,a2,q3,l1", "3,q2^2,s1,full"])
def test_layout_is_spec_order(text):
    spec = parse_spec(text)
    names = []
    for l, layer, p in ((l, la, p) for l, (la, p) in enumerate(zip(spec.layers, spec.input_widths), 1)):
        lay = layer_layout(layer, p, spec.full)
        for part, k, i, j in zip(lay.part.tolist(), lay.k.tolist(), lay.i.tolist(), lay.j.tolist()):
            names.append([f"A{l}_{k}_{i}_{j}", f"B{l}_{k}_{i}", f"C{l}_{k}"][part])
    assert tuple(names) == spec.weights


def test_labels_are_invariant_under_every_generator():
    sym = layer_symmetries("5,q5", "dihedral", "equivariant")[0]
    lay = layer_layout(sym.layer, 5, False)
    labels = orbit_labels(sym)
    for a, b in sym.generator_pairs():
        assert (labels[image(lay, a, b)] == labels).all()


perms = st.integers(2, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.permutations(range(n)), min_size=0, max_size=3))
)


@settings(max_examples=40, deadline=None)
@given(perms, st.sampled_from("qsla"), st.booleans())
def test_random_groups_agree_with_brute_force(ng, layer, full):
    n, gens = ng
    G = from_generators(n, [tuple(g) for g in gens])
    for kind, width in (("invariant", 2), ("equivariant", n)):
        sym = layer_symmetries(parse_spec(f"{n},{layer}{width}", full=full), G, kind)[0]
        labels = orbit_labels(sym, full)
        assert labels.tolist() == brute_force_labels(sym, full).tolist()
        if not full:
            pairs = [(sym.in_perm(g), sym.out_perm(g)) for g in G.elements()]
            assert labels.max() + 1 == burnside_count(pairs, LAYER_DEGREES[layer])


def test_layer_symmetries_rule():
    kinds = [(s.input_action, s.output_kind) for s in layer_symmetries("4,q4,q2,q4,q1", "cyclic", "invariant")]
    # width 4 = n: equivariant; width 2: invariant, and the action stays trivial after it.
    assert kinds == [("group", "equivariant"), ("group", "invariant"),
                     ("trivial", "invariant"), ("trivial", "invariant")]
    assert all(s.output_kind == "none" for s in layer_symmetries("3,q3,q1", "symmetric", "none"))


def test_equivariant_last_layer_after_invariant_hidden_layer_ties_neurons():
    sym = layer_symmetries("3,l2,l3", "symmetric", "equivariant")[1]
    assert (sym.input_action, sym.output_kind) == ("trivial", "equivariant")
    labels = orbit_labels(sym).reshape(3, 2)
    assert (labels == labels[0]).all() and labels[0, 0] != labels[0, 1]


def test_folded_needs_pair_preserving_group():
    with pytest.raises(ActionError, match="hyperoctahedral"):
        layer_symmetries("6,l3", "symmetric", "folded")


def test_brute_force_refuses_large_groups_and_names_orbits():
    sym = layer_symmetries("9,l9", symmetric(9), "equivariant")[0]
    with pytest.raises(MethodError, match="'orbits'"):
        brute_force_labels(sym, limit=1000)


@given(st.lists(st.integers(0, 6), max_size=30))
def test_first_appearance_is_a_relabelling(xs):
    arr = np.array(xs, dtype=np.int64)
    fa = first_appearance(arr)
    seen = {}
    expect = [seen.setdefault(x, len(seen)) for x in xs]
    assert fa.tolist() == expect


def test_large_n_runs_without_expansion():
    sym = layer_symmetries("60,q60", "symmetric", "equivariant")[0]
    labels = orbit_labels(sym)
    assert len(labels) == 60 * (60 * 61 // 2 + 61)
    rng = random.Random(0)
    # Spot-check: A_k,i,j and A_k',i',j' with the same "shape" (k in {i,j} or not) share a label.
    lay = layer_layout(sym.layer, 60, False)
    pos = lambda k, i, j: k * lay.stride + int(lay.pair_pos[i, j])  # noqa: E731
    for _ in range(20):
        k, i, j = rng.sample(range(60), 3)
        assert labels[pos(k, i, j)] == labels[pos(0, 1, 2)]
        assert labels[pos(k, k, j)] == labels[pos(0, 0, 1)]
    assert int(labels.max()) + 1 == 7
