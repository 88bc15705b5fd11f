"""Output actions: every kind, their refusals, and rho a homomorphism (brute force)."""

from __future__ import annotations

import itertools

import pytest

from varieties.actions import KINDS, make_action
from varieties.errors import ActionError, VarietiesError
from varieties.groups import cyclic, dihedral, from_generators, hyperoctahedral, symmetric, trivial


def product(g, h):
    """``gh``, applying ``h`` first, written out independently of the library."""
    return tuple(g[h[i]] for i in range(len(h)))


def assert_homomorphism(action):
    elems = action.group.elements()
    for g, h in itertools.product(elems, repeat=2):
        assert action.rho(product(g, h)) == product(action.rho(g), action.rho(h))
    assert action.rho(tuple(range(action.group.degree))) == tuple(range(action.n_outputs))


def preserves_pairs(g, m: int) -> bool:
    return all(g[i] % m == g[i + m] % m for i in range(m))


def test_every_kind_is_covered():
    assert set(KINDS) == {"invariant", "equivariant", "folded", "none"}


@pytest.mark.parametrize("kind", ["invariant", "none"])
@pytest.mark.parametrize("n_outputs", [1, 2, 5])
def test_invariant_and_none_fix_every_output(kind, n_outputs):
    act = make_action(symmetric(3), kind, n_outputs)
    assert act.kind == kind and act.n_outputs == n_outputs
    assert {act.rho(g) for g in symmetric(3).elements()} == {tuple(range(n_outputs))}
    assert_homomorphism(act)


@pytest.mark.parametrize("group", [symmetric(4), cyclic(5), dihedral(5), hyperoctahedral(2),
                                   trivial(3)])
def test_equivariant_permutes_outputs_like_inputs(group):
    act = make_action(group, "equivariant", group.degree)
    for g in group.elements():
        assert act.rho(g) == g
    assert_homomorphism(act)


@pytest.mark.parametrize("width", [1, 2, 4])
def test_equivariant_needs_n_outputs(width):
    with pytest.raises(ActionError) as info:
        make_action(symmetric(3), "equivariant", width)
    msg = str(info.value)
    assert "n = 3" in msg and f"{width} outputs" in msg and "\n" not in msg


@pytest.mark.parametrize("group", [hyperoctahedral(1), hyperoctahedral(2), hyperoctahedral(3),
                                   cyclic(4), cyclic(6), dihedral(6)])
def test_folded_is_the_action_on_pairs_and_a_homomorphism(group):
    n = group.degree
    m = n // 2
    act = make_action(group, "folded", m)
    for g in group.elements():
        # Output i mod m goes where its inputs i and i+m go, folded.
        assert all(act.rho(g)[i % m] == g[i] % m for i in range(n))
        assert sorted(act.rho(g)) == list(range(m))
    assert_homomorphism(act)


@pytest.mark.parametrize("n", [4, 6])
def test_folded_is_refused_under_the_symmetric_group_naming_hyperoctahedral(n):
    # Independent check that the refusal is right: some element of S_n splits a pair.
    assert not all(preserves_pairs(g, n // 2) for g in itertools.permutations(range(n)))
    with pytest.raises(ActionError) as info:
        make_action(symmetric(n), "folded", n // 2)
    msg = str(info.value)
    assert "hyperoctahedral" in msg and "not a group action" in msg and "\n" not in msg


@pytest.mark.parametrize("gens", [["(0 2)"], ["(0 1)(2 3)"], ["(0 1)"], ["(1 2)"],
                                  ["(0 2)(1 3)", "(0 1)"], ["(0 1 2 3)"]])
def test_folded_is_accepted_exactly_when_the_group_preserves_the_pairs(gens):
    G = from_generators(4, gens)
    ok = all(preserves_pairs(g, 2) for g in G.elements())
    if ok:
        assert_homomorphism(make_action(G, "folded", 2))
    else:
        with pytest.raises(ActionError, match="hyperoctahedral"):
            make_action(G, "folded", 2)


@pytest.mark.parametrize("n, width, needle", [(3, 1, "n must be even"), (4, 1, "width 2"),
                                              (4, 4, "width 2")])
def test_folded_needs_even_n_and_width_n_over_2(n, width, needle):
    with pytest.raises(ActionError) as info:
        make_action(cyclic(n), "folded", width)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_unknown_kind_is_a_one_line_varieties_error_listing_the_kinds():
    with pytest.raises(VarietiesError) as info:
        make_action(symmetric(3), "covariant", 3)
    msg = str(info.value)
    assert isinstance(info.value, ActionError) and "\n" not in msg
    assert all(k in msg for k in KINDS)
