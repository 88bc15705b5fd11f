"""Constraints against independent constructions: group averaging and direct evaluation."""

from __future__ import annotations

import random
from fractions import Fraction
from math import gcd

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import act_on_input, random_fraction, random_weights, reynolds_weights
from varieties import constraints, get_group, make_action, parse_spec
from varieties.errors import ActionError, GroupError, VarietiesError
from varieties.expand import flint_available
from varieties.network import evaluate

BACKENDS = ["sympy"] + (["flint"] if flint_available() else [])


def eval_poly(poly, weights, names):
    R = poly.ring
    vals = [R.domain.convert(weights[w].numerator) / R.domain.convert(weights[w].denominator)
            for w in names]
    return poly(*vals) if len(names) > 1 else poly(vals[0])


def is_symmetric_at(spec, action, weights, rng, trials=3):
    """Check F(g.x) == rho(g).F(x) exactly for all generators at random rational x."""
    for _ in range(trials):
        x = [random_fraction(rng) for _ in range(spec.n_inputs)]
        fx = evaluate(spec, weights, x)
        for g in action.group.generators:
            if evaluate(spec, weights, act_on_input(g, x)) != act_on_input(action.rho(g), fx):
                return False
    return True


CASES = [
    # spec, group, kind, layer-wise action of each layer's outputs
    ("3,q3", "symmetric", "equivariant", ["perm"]),
    ("3,q3,full", "symmetric", "equivariant", ["perm"]),
    ("3,l3", "symmetric", "equivariant", ["perm"]),
    ("3,a3,q1", "symmetric", "invariant", ["perm", "fixed"]),
    ("2,q2,q1", "symmetric", "invariant", ["perm", "fixed"]),
    ("4,q4", "cyclic", "equivariant", ["perm"]),
    ("4,s4,l1^2", "dihedral", "invariant", ["perm", "fixed"]),
    ("4,q2", "hyperoctahedral", "folded", ["fold"]),
    ("4,l4,a2", "hyperoctahedral", "folded", ["perm", "fold"]),
    ("3,q2,q1", "symmetric", "invariant", ["fixed", "fixed"]),
]


@pytest.mark.parametrize("text,group,kind,layer_kinds", CASES)
def test_constraints_vanish_exactly_at_group_averaged_weights(text, group, kind, layer_kinds, rng):
    spec = parse_spec(text)
    G = get_group(group, spec.n_inputs)
    action = make_action(G, kind, spec.n_outputs)
    w = reynolds_weights(spec, G.elements(), layer_kinds, rng)
    assert is_symmetric_at(spec, action, w, rng)
    for backend in BACKENDS:
        cs = constraints(spec, group=group, kind=kind, backend=backend)
        assert len(cs) > 0
        for c in cs:
            assert eval_poly(c.poly, w, cs.weights) == 0, str(c)


@pytest.mark.parametrize("text,group,kind,layer_kinds", CASES)
def test_constraints_detect_random_weights(text, group, kind, layer_kinds, rng):
    spec = parse_spec(text)
    cs = constraints(spec, group=group, kind=kind)
    w = random_weights(spec, rng)
    assert any(eval_poly(c.poly, w, cs.weights) != 0 for c in cs)
    assert not is_symmetric_at(spec, cs.action, w, rng)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6),
       case=st.sampled_from([("2,q2,q1", "symmetric"), ("3,a3,l1", "cyclic"), ("4,l4,q1", "dihedral")]))
def test_constraints_vanish_iff_symmetric_on_last_layer_fibre(seed, case):
    """Fix random earlier layers; solve the (linear) constraints for the last layer.

    Every solution gives an exactly invariant network, which exercises the
    constraints' completeness for polynomial (not only linear) constraint sets.
    """
    text, group = case
    rng = random.Random(seed)
    spec = parse_spec(text)
    cs = constraints(spec, group=group, kind="invariant")
    last = len(spec.layers)
    w = random_weights(spec, rng)
    last_names = [x.name for x in spec.layer_weights(last)]
    syms = sympy.symbols(last_names)
    subs = {sympy.Symbol(k): v for k, v in w.items() if k not in last_names}
    eqs = [sympy.expand(c.poly.as_expr().subs(subs)) for c in cs]
    M, rhs = sympy.linear_eq_to_matrix(eqs, syms)
    assert all(v == 0 for v in rhs), "constraints are linear and homogeneous in the last layer"
    kernel = M.nullspace()
    assert kernel, "the constant network always solves the last-layer system"
    vec = sum((sympy.Rational(rng.randint(-5, 5), rng.randint(1, 3)) * v for v in kernel),
              sympy.zeros(len(syms), 1))
    point = dict(w)
    for name, val in zip(last_names, vec):
        point[name] = Fraction(int(val.p), int(val.q))
    action = cs.action
    assert is_symmetric_at(spec, action, point, rng)


def linear_nullity(cs):
    M = sympy.Matrix([[c.poly.coeff(cs.ring.gens[i]) for i in range(len(cs.weights))] for c in cs])
    return len(cs.weights) - M.rank()


def reynolds_rank(spec, group, layer_kinds):
    """Dimension of the space of averaged weights, from many averaged samples (exact)."""
    G = get_group(group, spec.n_inputs)
    rng = random.Random(7)
    rows = []
    for _ in range(len(spec.weights) + 2):
        w = reynolds_weights(spec, G.elements(), layer_kinds, rng)
        rows.append([w[n] for n in spec.weights])
    return sympy.Matrix(rows).rank()


@pytest.mark.parametrize("text,group,kind,layer_kinds", [
    ("3,q3", "symmetric", "equivariant", ["perm"]),
    ("4,q4", "cyclic", "equivariant", ["perm"]),
    ("4,a4", "dihedral", "equivariant", ["perm"]),
    ("4,q2", "hyperoctahedral", "folded", ["fold"]),
    ("3,s1", "symmetric", "invariant", ["fixed"]),
])
def test_linear_solution_space_equals_averaged_weight_space(text, group, kind, layer_kinds):
    spec = parse_spec(text)
    cs = constraints(spec, group=group, kind=kind)
    assert cs.is_linear()
    assert linear_nullity(cs) == reynolds_rank(spec, group, layer_kinds)


def reduced_basis(cs):
    return sympy.groebner(cs.exprs(), *sympy.symbols(cs.weights), order="grevlex")


@pytest.mark.parametrize("text,group,kind", [
    ("3,q3", "symmetric", "equivariant"),
    ("3,l3,l1", "symmetric", "invariant"),
    ("3,l2,a1", "symmetric", "invariant"),
    ("4,l4", "symmetric", "equivariant"),
])
def test_transpositions_and_generators_give_the_same_ideal(text, group, kind):
    a = constraints(text, group=group, kind=kind, mode="generators")
    b = constraints(text, group=group, kind=kind, mode="transpositions")
    c = constraints(text, group=group, kind=kind, mode="elements")
    assert len(b.elements_used) == a.spec.n_inputs * (a.spec.n_inputs - 1) // 2
    ga, gb, gc = reduced_basis(a), reduced_basis(b), reduced_basis(c)
    assert list(ga.exprs) == list(gb.exprs) == list(gc.exprs)


@pytest.mark.parametrize("group", ["cyclic", "dihedral"])
def test_generators_and_all_elements_agree_for_other_groups(group):
    a = constraints("4,l4", group=group, kind="equivariant", mode="generators")
    c = constraints("4,l4", group=group, kind="equivariant", mode="elements")
    assert list(reduced_basis(a).exprs) == list(reduced_basis(c).exprs)


@pytest.mark.parametrize("text,kind", [("3,q3,q1", "invariant"), ("3,q3,full", "equivariant")])
def test_constraints_are_normalised_deduplicated_and_classified(text, kind):
    cs = constraints(text, kind=kind)
    seen = set()
    for c in cs:
        coeffs = [int(v) for v in c.poly.values()]
        assert all(v == c for v, c in zip(coeffs, c.poly.values()))
        g = 0
        for v in coeffs:
            g = gcd(g, v)
        assert g == 1 and c.poly.LC > 0
        monic = c.poly.monic()
        assert monic not in seen
        seen.add(monic)
        degs = [sum(m) for m in c.poly.keys()]
        if c.cls == "equality":
            assert sorted(coeffs) == [-1, 1] and degs == [1, 1]
        elif c.cls == "zero":
            assert coeffs == [1] and degs == [1]
        elif c.cls == "linear":
            assert max(degs) == 1
        else:
            assert max(degs) > 1
        assert c.degree == max(degs) and c.terms == len(coeffs)


def test_constraint_origin_is_a_real_coefficient(rng):
    """Each constraint is the x^m coefficient of output k of F(g x) - rho(g) F(x)."""
    spec = parse_spec("2,q2,q1")
    cs = constraints(spec)
    c = cs.constraints[0]
    x = sympy.symbols("x0:2")
    e = cs.expansion
    F = e.output_expr(0)
    gx = act_on_input(c.g, list(x))
    diff = sympy.expand(F.subs(dict(zip(x, gx)), simultaneous=True) - F)
    coeff = sympy.Poly(diff, *x).coeff_monomial(sympy.Mul(*[xi**mi for xi, mi in zip(x, c.monomial)]))
    ratio = sympy.simplify(coeff / c.poly.as_expr())
    assert ratio.is_number and ratio != 0


@pytest.mark.parametrize("text, kind", [("3,q3,q1", "invariant"), ("3,q3,full", "equivariant"),
                                        ("2,a2^2,q1", "invariant")])
def test_backends_give_the_same_constraints(text, kind):
    if not flint_available():
        pytest.skip("python-flint not installed")
    a = constraints(text, kind=kind, backend="sympy")
    b = constraints(text, kind=kind, backend="flint")
    # flint scales to primitive integers before converting, sympy after: same polynomials.
    assert [c.poly for c in a] == [c.poly for c in b]
    assert a.counts() == b.counts()
    fresh = constraints(text, kind=kind, backend="flint")  # printed before any sympy conversion
    assert [str(c) for c in fresh] == [str(c) for c in a] == [str(c.poly) for c in a]


def test_folded_symmetric_group_is_refused_with_the_fix():
    with pytest.raises(ActionError, match="hyperoctahedral"):
        constraints("6,l3", group="symmetric", kind="folded")
    cs = constraints("6,l3", group="hyperoctahedral", kind="folded")
    assert cs.is_linear()


@pytest.mark.parametrize("call,match", [
    (lambda: constraints("3,q3,q2", kind="equivariant"), "width"),
    (lambda: constraints("3,q1", kind="folded", group="symmetric"), "even"),
    (lambda: constraints("3,q1", group="hyperoctahedral"), "odd"),
    (lambda: constraints("3,q1", group="nonsense"), "nonsense"),
    (lambda: constraints("3,q1", group="cyclic", mode="transpositions"), "transpositions"),
    (lambda: constraints("3,q1", mode="bogus"), "bogus"),
    (lambda: constraints("3,q1", kind="weird"), "weird"),
    (lambda: constraints("3,q1", group=get_group("symmetric", 4)), "4 points"),
])
def test_bad_symmetry_input_is_reported(call, match):
    with pytest.raises(VarietiesError, match=match):
        call()


def test_groups_check_custom_generators():
    from varieties.groups import from_generators

    with pytest.raises(GroupError, match="not a permutation"):
        from_generators(3, [(0, 0, 1)])
    with pytest.raises(GroupError, match="cycle"):
        from_generators(3, ["(0 5)"])
    G = from_generators(4, ["(0 1)(2 3)", "1 0 2 3"])
    assert G.order() == 4 == len(G.elements())


@pytest.mark.parametrize("gens, match", [
    (["(0 a)"], "cannot read cycle"),
    (["(0 1)(0 1)"], "overlap"),           # would silently be (0 1) if cycles overwrote each other
    (["(0 1 2)(0 2 1)"], "overlap"),
    ([(0.7, 1.2, 2.9)], "not a permutation"),  # int() would truncate this to the identity
    ([None], "not a permutation"),
    ([5], "not a permutation"),
])
def test_custom_generators_refuse_ambiguous_or_non_integer_input(gens, match):
    from varieties.groups import from_generators

    with pytest.raises(GroupError, match=match):
        from_generators(3, gens)


@settings(max_examples=50, deadline=None)
@given(st.permutations(list(range(6))))
def test_cycle_notation_round_trips(images):
    from varieties.groups import cycle_string, parse_permutation

    g = tuple(images)
    assert parse_permutation(cycle_string(g), 6) == g
    assert parse_permutation(" ".join(map(str, g)), 6) == g


def test_cli_reports_unreadable_generators_in_one_line(capsys):
    from varieties.cli import main

    assert main(["constraints", "3,q3", "--group", "gens:(0 a)"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot read cycle" in err and "\n" not in err


def test_progress_bars_only_on_a_terminal(monkeypatch, capsys):
    import io
    import sys

    plain = constraints("3,q3,q1")
    quiet = constraints("3,q3,q1", progress=True)
    assert capsys.readouterr().err == ""          # standard error is not a terminal here

    class Tty(io.StringIO):
        def isatty(self):
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    shown = constraints("3,q3,q1", progress=True)
    text = err.getvalue()
    assert "expand" in text and "neuron" in text and "coefficient" in text
    assert [str(c) for c in shown] == [str(c) for c in quiet] == [str(c) for c in plain]
