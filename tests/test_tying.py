"""Tyings: two methods agree; they solve the foundation's constraints; closed forms; symmetry."""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from conftest import SYMMETRY_GROUPS as GROUPS
from conftest import act_on_input, reynolds_weights, small_cases
from varieties.closed_forms import layer_function_dim
from varieties.constraints import constraints
from varieties.errors import ActionError, MethodError, NonlinearError, VarietiesError
from varieties.groups import get_group
from varieties.network import evaluate, parse_spec
from varieties.tying import Tying, tying, tying_from_constraints



CASES = list(small_cases(range(2, 6))) + list(small_cases([6], "qs"))


def rank(M) -> int:
    """Exact rank over QQ of an object array of Fractions."""
    M = np.asarray(M, dtype=object)
    if M.size == 0:
        return 0
    d = {r: {c: QQ(v.numerator, v.denominator) for c, v in enumerate(row) if v}
         for r, row in enumerate(M.tolist())}
    return int(DomainMatrix({r: v for r, v in d.items() if v}, M.shape, QQ).rank())


def same_subspace(a: Tying, b: Tying) -> bool:
    A, B = a.matrix(dtype=object), b.matrix(dtype=object)
    return rank(A) == a.n_free == b.n_free == rank(np.hstack([A, B]))


def separating_theta(t: Tying) -> list[int]:
    """Parameter values telling apart any two different rows of M (entries are ±1, ±1/2)."""
    return [1000 ** c for c in range(t.n_free)]


# ----------------------------------------------------------------------------- agreement

@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("spec,group,kind", CASES)
def test_orbits_and_constraints_agree(spec, group, kind, full):
    a = tying(spec, group, kind, full=full, method="orbits")
    b = tying(spec, group, kind, full=full, method="constraints")
    assert (a.n_weights, a.n_free, a.n_colors, a.n_zero, a.function_dim) == \
        (b.n_weights, b.n_free, b.n_colors, b.n_zero, b.function_dim)
    assert a.color_ids.tolist() == b.color_ids.tolist()
    if full:
        assert same_subspace(a, b)
    else:
        assert a.params == b.params and a.basis == b.basis


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("spec,group,kind", [c for c in CASES if c[0][0] in "2345"])
def test_orbit_tying_solves_the_foundation_constraints(spec, group, kind, full):
    """Every constraint of :func:`constraints` vanishes on M, and dim = n - rank(constraints)."""
    t = tying(spec, group, kind, full=full, method="orbits")
    cs = constraints(spec, group, kind, full=full)
    names = list(cs.weights)
    assert list(t.weights) == names
    M = t.matrix(dtype=object)
    rows = {}
    for r, p in enumerate(cs.polys):
        terms = {}
        for mono, c in p.terms():
            assert sum(mono) == 1
            terms[mono.index(1)] = Fraction(int(c.numerator), int(c.denominator))
        assert not any(sum(c * M[v] for v, c in terms.items()))  # vanishes on every column
        rows[r] = {v: QQ(c.numerator, c.denominator) for v, c in terms.items()}
    rank_c = int(DomainMatrix(rows, (len(rows), len(names)), QQ).rank()) if rows else 0
    assert t.n_free == len(names) - rank_c
    tc = tying_from_constraints(cs)
    assert tc.color_ids.tolist() == t.color_ids.tolist() and same_subspace(tc, t)
    assert tc.function_dim == t.function_dim


# ----------------------------------------------------------------------------- dimensions

@pytest.mark.parametrize("layer", "qsla")
@pytest.mark.parametrize("n", range(1, 7))
def test_function_dim_matches_closed_forms(n, layer):
    for kind, width in (("equivariant", n), ("invariant", 1)):
        expect = layer_function_dim(n, layer, kind)
        for method in ("orbits", "constraints"):
            for full in (False, True):
                t = tying(f"{n},{layer}{width}", "symmetric", kind, full=full, method=method)
                assert t.function_dim == expect


@pytest.mark.parametrize("n", [10, 25, 40])
def test_function_dim_closed_forms_large_n(n):
    assert tying(f"{n},q{n}").function_dim == layer_function_dim(n, "q", "equivariant")
    assert tying(f"{n},q1", kind="invariant").function_dim == layer_function_dim(n, "q", "invariant")
    assert tying(f"{n},s{n}", full=True).function_dim == layer_function_dim(n, "s", "equivariant")


@pytest.mark.parametrize("spec,group,kind", [c for c in CASES if c[0][2] in "qs"])
def test_full_adds_exactly_the_antisymmetric_parts(spec, group, kind):
    tri, full = tying(spec, group, kind), tying(spec, group, kind, full=True)
    s = parse_spec(spec)
    extra = s.layers[0].width * comb(s.n_inputs, 2)
    assert full.n_free == tri.n_free + extra
    assert full.function_dim == tri.function_dim == tri.n_free
    assert full.n_weights == tri.n_weights + extra


# ----------------------------------------------------------------------------- symmetry of tied weights

SYMMETRIC_SPECS = [
    ("3,q3", "symmetric", "equivariant"),
    ("3,q3,q1", "symmetric", "invariant"),
    ("4,q4,q4", "dihedral", "equivariant"),
    ("4,q2^2,l4", "symmetric", "equivariant"),   # last layer after an invariant hidden layer
    ("5,s5,a5", "cyclic", "equivariant"),
    ("4,q4,full", "symmetric", "equivariant"),
    ("3,q3^2,q1,full", "symmetric", "invariant"),
    ("6,q3", "hyperoctahedral", "folded"),
    ("6,l3", "hyperoctahedral", "folded"),
    ("4,q4,q2", "hyperoctahedral", "folded"),
    ("4,l4", "trivial", "equivariant"),
]


def rho(kind, g, width):
    if kind == "equivariant":
        return tuple(g)
    if kind == "folded":
        return tuple(g[b] % width for b in range(width))
    return tuple(range(width))


@pytest.mark.parametrize("spec,group,kind", SYMMETRIC_SPECS)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_tied_weights_are_symmetric_exactly(spec, group, kind, seed):
    rng = random.Random(seed)
    t = tying(spec, group, kind)
    s = t.spec
    G = get_group(group, s.n_inputs)
    w = t.to_weights([Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(t.n_free)])
    x = [Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(s.n_inputs)]
    y = evaluate(s, w, x)
    for g in G.elements():
        gy = act_on_input(rho(kind, g, s.n_outputs), y)
        assert evaluate(s, w, act_on_input(g, x)) == gy


@pytest.mark.parametrize("spec,group,kind,layer_kinds", [
    ("3,q3,q1", "symmetric", "invariant", ["perm", "fixed"]),
    ("4,q4,full", "dihedral", "equivariant", ["perm"]),
    ("6,q3", "hyperoctahedral", "folded", ["fold"]),
    ("4,q2,l1", "symmetric", "invariant", ["fixed", "fixed"]),
])
def test_reynolds_averages_lie_in_the_tying(spec, group, kind, layer_kinds, rng):
    """Group-averaged weights (independent of any tying code) are on the tied subspace."""
    t = tying(spec, group, kind)
    w = reynolds_weights(t.spec, get_group(group, t.spec.n_inputs).elements(), layer_kinds, rng)
    theta = t.from_weights(w, check=True)
    assert t.to_weights(theta) == w


def test_untied_weights_are_caught(rng):
    t = tying("3,q3")
    w = {name: Fraction(rng.randint(1, 99)) for name in t.weights}
    with pytest.raises(VarietiesError, match="not on the tied subspace"):
        t.from_weights(w, check=True)


# ----------------------------------------------------------------------------- the maps

@pytest.mark.parametrize("spec,full", [("3,q3", False), ("3,q3", True), ("4,q4,q1", True), ("2,a2", False)])
def test_weights_params_round_trip(spec, full):
    t = tying(spec, "symmetric", "invariant" if spec.endswith("q1") else "equivariant", full=full)
    rng = random.Random(1)
    theta = [Fraction(rng.randint(-50, 50), rng.randint(1, 7)) for _ in range(t.n_free)]
    w = t.to_weights(theta)
    assert t.from_weights(w, check=True) == theta
    M = t.matrix(dtype=object)
    assert [w[n] for n in t.weights] == list(M.dot(np.array(theta, dtype=object)))
    thf = np.array([float(v) for v in theta])
    wf = t.to_weights(thf)
    assert np.allclose([wf[n] for n in t.weights], t.matrix() @ thf)
    assert np.allclose(t.from_weights(wf), thf)
    assert np.array_equal(t.matrix(sparse=True).toarray(), t.matrix())


@pytest.mark.parametrize("spec,group,kind,full", [("4,q4", "symmetric", "equivariant", True),
                                                  ("4,q2", "hyperoctahedral", "folded", False),
                                                  ("3,q3,s1", "cyclic", "invariant", True)])
def test_colors_are_equality_classes(spec, group, kind, full):
    t = tying(spec, group, kind, full=full)
    w = t.to_weights(separating_theta(t))
    by_color: dict = {}
    for name, c in t.colors.items():
        by_color.setdefault(c, set()).add(w[name])
    assert all(len(v) == 1 for c, v in by_color.items())
    values = [next(iter(v)) for c, v in by_color.items() if c >= 0]
    assert len(set(values)) == len(values) == t.n_colors
    assert by_color.get(-1, {0}) == {0}


def test_multilayer_is_the_concatenation_of_layers():
    t = tying("3,q3,q3,q1", "symmetric", "invariant")
    assert len(t.layers) == 3 and t.function_dim is None
    assert t.n_free == sum(layer.n_free for layer in t.layers)
    assert t.n_colors == sum(layer.n_colors for layer in t.layers)
    assert t.weights == t.spec.weights and len(set(t.params)) == t.n_free
    first = {}
    for c in t.color_ids.tolist():
        first.setdefault(c, len(first))
    assert all(first[c] == c for c in first)


# ----------------------------------------------------------------------------- the notes

@pytest.mark.parametrize("n", range(2, 7))
def test_linear_layer_is_alpha_I_plus_beta_J(n):
    """Notes eq. 10: the tied matrices are exactly span{I, 11^T}."""
    M = tying(f"{n},l{n}").matrix(dtype=object)
    I = np.array([Fraction(int(i == j)) for i in range(n) for j in range(n)], dtype=object)
    J = np.array([Fraction(1)] * (n * n), dtype=object)
    basis = np.stack([I, J], axis=1)
    assert rank(M) == rank(basis) == rank(np.hstack([M, basis])) == 2


@pytest.mark.parametrize("n", range(3, 8))
def test_quadratic_form_colors_as_in_section_3(n):
    """Diagonals of all blocks use 2 colors, off-diagonals 2 more, symmetric about the diagonal."""
    from varieties.patterns import layer_patterns

    A = layer_patterns(tying(f"{n},s{n}"))[0].A
    diag = {int(A[k, i, i]) for k in range(n) for i in range(n)}
    off = {int(A[k, i, j]) for k in range(n) for i in range(n) for j in range(n) if i != j}
    assert len(diag) == 2 and len(off) == 2 and not diag & off
    assert (A == A.transpose(0, 2, 1)).all()


NOTES_EQ21 = [[5, 1, 1, 2, 3, 4], [1, 5, 1, 2, 3, 4], [1, 1, 5, 2, 3, 4]]


def test_notes_folded_pattern_eq21_is_not_equivariant():
    """No folded action of S_6 exists, and eq. 21 is not equivariant under B_3 either."""
    with pytest.raises(ActionError):
        tying("6,l3", "symmetric", "folded")
    t = tying("6,l3", "hyperoctahedral", "folded")
    w = {f"B1_{k}_{i}": Fraction(7 ** c) for k, row in enumerate(NOTES_EQ21) for i, c in enumerate(row)}
    with pytest.raises(VarietiesError, match="not on the tied subspace"):
        t.from_weights(w, check=True)
    G = get_group("hyperoctahedral", 6)
    x = [Fraction(v) for v in (1, 2, 3, 5, 7, 11)]
    y = evaluate(t.spec, w, x)
    broken = [g for g in G.elements()
              if evaluate(t.spec, w, act_on_input(g, x)) != act_on_input(rho("folded", g, 3), y)]
    assert broken


# ----------------------------------------------------------------------------- bad input

def test_nonlinear_constraints_raise_naming_the_constraint():
    with pytest.raises(NonlinearError, match=r"constraint .* is not linear.*varieties analyze"):
        tying("2,q2,q1", "symmetric", "invariant", method="constraints", layerwise=False)
    with pytest.raises(NonlinearError, match="varieties analyze"):
        tying_from_constraints(constraints("2,l2^2", "symmetric", "equivariant"))


def test_whole_network_tying_of_one_linear_layer_equals_layerwise():
    a = tying("3,q3", method="constraints", layerwise=False)
    b = tying("3,q3")
    assert a.color_ids.tolist() == b.color_ids.tolist() and same_subspace(a, b)


def test_method_errors_name_the_method_that_works(monkeypatch):
    import importlib

    # The package re-exports the function ``tying``; the module itself is in sys.modules.
    ty = importlib.import_module("varieties.tying")

    with pytest.raises(MethodError, match="auto, orbits, constraints"):
        tying("3,q3", method="gauss")
    with pytest.raises(MethodError, match="'constraints'"):
        tying("3,q3", method="orbits", layerwise=False)
    monkeypatch.setattr(ty, "CONSTRAINT_MAX_WEIGHTS", 20)
    with pytest.raises(MethodError, match="use method 'orbits'"):
        tying("3,q3", method="constraints")
    with pytest.raises(ActionError):
        tying("4,q3", "symmetric", "equivariant")


def test_solver_handles_zero_and_additive_constraints():
    """x = y, y = 0, a + b = c + d, 2c = d: zeros propagate, one additive pivot each."""
    from sympy.polys.rings import ring

    from varieties.tying import _solve

    names = ("x", "y", "z", "a", "b", "c", "d")
    R, x, y, z, a, b, c, d = ring(",".join(names), QQ)
    polys = [x - y, y, a + b - c - d, 2 * c - d]
    t = _solve(parse_spec("1,l1"), names, names, polys, R)
    assert t.colors["x"] == t.colors["y"] == -1 and t.n_zero == 2
    assert t.n_free == 7 - 2 - 2 == 3
    M = t.matrix(dtype=object)
    idx = {n: i for i, n in enumerate(names)}
    for col in M.T:
        v = {n: col[i] for n, i in idx.items()}
        assert v["a"] + v["b"] == v["c"] + v["d"] and 2 * v["c"] == v["d"]
    assert rank(M) == 3
    with pytest.raises(NonlinearError, match="x\\*\\*2"):
        _solve(parse_spec("1,l1"), names, names, [x**2 - y], R)
