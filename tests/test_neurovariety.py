"""Neurovarieties: published dimensions, the symmetry group's claims, the report, CLI and task.

Oracles: the published values (Alexander-Hirschowitz; Kileel-Trager-Bruna 2019),
the Alexander-Hirschowitz theorem on shallow power networks, closed forms for
linear networks (matrices of rank <= rho) and KTB's expected-dimension formula.
"""

import json
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties import neurovariety
from varieties.algebra.evaluation import PRIMES, jacobian_mod, matmul_mod
from varieties.algebra.function_dim import expected_neurovariety_dim
from varieties.algebra.neurovariety import (FIELD_COLUMNS, KNOWN_DEFECTS, lie_matrix,
                                            orbit_dim, symmetry_dim)
from varieties.cli import main
from varieties.network import LayerSpec, NetworkSpec, parse_spec

# The published values: (spec, dim, expected).
ALEXANDER_HIRSCHOWITZ = [("3,l5^4,l1", 14, 15), ("4,l9^4,l1", 34, 35), ("5,l14^4,l1", 69, 70),
                         ("5,l7^3,l1", 34, 35), ("3,l2^2,l1", 5, 6)]
AH_SPORADIC = {(3, 4, 5), (4, 4, 9), (5, 4, 14), (5, 3, 7)}


@pytest.mark.parametrize("spec,dim,expected", ALEXANDER_HIRSCHOWITZ)
def test_alexander_hirschowitz_exceptions(spec, dim, expected):
    r = neurovariety(spec)
    assert (r.dim, r.expected, r.defect, r.agree) == (dim, expected, expected - dim, True)
    assert KNOWN_DEFECTS[spec][:2] == (dim, expected)


def test_kileel_trager_bruna_example():
    r = neurovariety("2,l3^2,l2^2,l3^2,l4")
    assert (r.dim, r.expected, r.agree) == (16, 22, True)


@pytest.mark.parametrize("spec,dim,filling", [("2,q2,q1", 12, False), ("3,q3,q1", 28, False),
                                              ("2,q3,q1", 15, True)])
def test_quadratic_networks_are_not_defective(spec, dim, filling):
    r = neurovariety(spec)
    assert (r.dim, r.defect, r.filling, r.agree) == (dim, 0, filling, True)


def test_every_known_defect_is_computed():
    for spec, (dim, expected, _) in KNOWN_DEFECTS.items():
        r = neurovariety(spec)
        assert (r.dim, r.expected) == (dim, expected), spec


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 5), d=st.integers(2, 4), h=st.integers(1, 16))
def test_shallow_power_networks_follow_alexander_hirschowitz(n, d, h):
    """Generic sums of h d-th powers in n variables have dimension min(C(n+d-1, d), hn)
    except for quadrics (2 <= h < n) and four sporadic cases (the theorem)."""
    r = neurovariety(f"{n},l{h}^{d},l1")
    ambient = comb(n + d - 1, d)
    assert r.ambient == ambient and r.expected == min(ambient, h * n)
    exceptional = (d == 2 and 2 <= h < n) or (n, d, h) in AH_SPORADIC
    assert (r.defect > 0) == exceptional
    if d == 2:     # quadrics of rank <= rho = min(h, n): rho n - C(rho, 2)
        rho = min(h, n)
        assert r.dim == rho * n - rho * (rho - 1) // 2


def test_expected_is_the_kileel_trager_bruna_formula_on_power_networks():
    for spec in ("2,l3^2,l2^2,l3^2,l4", "3,l4^2,l24^2,l39^2,l29^2,l5^2,l1", "2,l5^3,l2^3,l3",
                 "4,l3^2,l1"):
        sp = parse_spec(spec)
        d = [sp.n_inputs] + [layer.width for layer in sp.layers]
        D = sp.layers[0].power ** (len(d) - 2)
        ktb = min(d[-1] * comb(d[0] + D - 1, D),
                  d[-1] + sum((d[i - 1] - 1) * d[i] for i in range(1, len(d))))
        assert expected_neurovariety_dim(spec) == ktb


# ---------------------------------------------------------------------------- the group's claims

layer_st = st.builds(LayerSpec, kind=st.sampled_from("qsla"), width=st.integers(1, 3),
                     power=st.sampled_from([1, 1, 2, 3]))
spec_st = st.builds(NetworkSpec, n_inputs=st.integers(1, 3),
                    layers=st.lists(layer_st, min_size=2, max_size=4).map(tuple),
                    full=st.booleans()).filter(lambda s: s.n_weights <= 80)


@settings(max_examples=40, deadline=None)
@given(spec=spec_st, seed=st.integers(0, 10**6))
def test_symmetry_vectors_keep_the_function(spec, seed):
    """Every claimed symmetry is one: its tangent vectors kill the sample Jacobian."""
    p = PRIMES[0]
    rng = np.random.default_rng(seed)
    w = rng.integers(1, p, spec.n_weights).astype(float)
    X = rng.integers(0, p, (12, spec.n_inputs)).astype(float)
    c = rng.integers(0, p, (12, spec.n_outputs)).astype(float)
    L = lie_matrix(spec, w, p)
    assert L.shape == (spec.n_weights, symmetry_dim(spec))
    assert not matmul_mod(jacobian_mod(spec, w, X, p, c=c), L, p).any()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 4), k1=st.sampled_from("qsla"), k2=st.sampled_from("qsla"),
       m=st.integers(1, 4), k=st.integers(1, 2))
def test_power_one_pairs_admit_exactly_the_claimed_group(n, k1, k2, m, k):
    """Two power-1 layers, the hidden one no wider than its input: GL(m) (+ translations
    for q/a read by q/a) is the whole generic fibre, so the defect is 0."""
    m = min(m, n)
    r = neurovariety(f"{n},{k1}{m},{k2}{k}")
    assert r.defect == 0 and r.agree


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), m=st.integers(1, 8), k=st.integers(1, 2))
def test_a_quadratic_layer_read_by_a_quadratic_layer_has_the_affine_group(n, m, k):
    r = neurovariety(f"{n},q{m},q{k}")
    assert r.symmetry == m * m + m and r.defect == 0 and r.agree


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), m=st.integers(1, 6), k=st.integers(1, 5))
def test_linear_networks_match_the_rank_closed_form(n, m, k):
    """n,l m,l k computes the k x n matrices of rank <= rho = min(n, m, k); GL(m) has a
    stabiliser of dimension (m - min(m, n)) (m - min(m, k)) at generic weights."""
    rho = min(n, m, k)
    r = neurovariety(f"{n},l{m},l{k}")
    assert orbit_dim(f"{n},l{m},l{k}") == m * m - (m - min(m, n)) * (m - min(m, k))
    assert r.dim == r.expected == rho * (n + k - rho)


# ---------------------------------------------------------------------------- report, CLI, task

def test_result_api():
    r = neurovariety("2,q2,q1", seed=4)
    d = r.to_dict()
    assert {"dim", "ambient", "expected", "defect", "filling", "params", "primes", "ranks",
            "agree", "seconds"} <= set(d)
    assert r.to_frame().shape[0] == 1 and "defect 0" in r.summary()
    assert list(r.to_row())[:len(FIELD_COLUMNS)] == FIELD_COLUMNS


def test_timeout_gives_a_timeout_result():
    r = neurovariety("3,q3,q1", timeout=1e-9)
    assert r.status == "timeout" and r.dim is None


def test_cli_json_and_primes(capsys):
    assert main(["neurovariety", "3,l5^4,l1", "--json", "--primes", "1000003,1000033",
                 "--seed", "2"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["dim"], d["ambient"], d["expected"], d["defect"], d["filling"]) == \
        (14, 15, 15, 1, False)
    assert d["primes"] == [1000003, 1000033] and d["ranks"] == [14, 14] and d["agree"]
    assert main(["neurovariety", "2,q3,q1"]) == 0
    assert "filling" in capsys.readouterr().out


def test_cli_refuses_what_does_not_fit_in_one_line(capsys):
    assert main(["neurovariety", "20,l300^2,l300^2,l300^2,l1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "GB" in err and "--max-memory" in err
    assert main(["neurovariety", "3,q3,q1", "--max-memory", "0.000001"]) == 2
    assert "GB" in capsys.readouterr().err
    assert main(["neurovariety", "2,q1", "--primes", "2147483647"]) == 2
    assert "prime" in capsys.readouterr().err


def test_cli_timeout_exits_124(capsys):
    assert main(["neurovariety", "3,q3,q1", "--timeout", "1e-9"]) == 124
    assert "--timeout" in capsys.readouterr().err


def test_sweep_task_row():
    from varieties.sweep.tasks import TASKS, neurovariety_row, task_columns

    row = neurovariety_row({"spec": "2,l3^2,l2^2,l3^2,l4"})
    assert set(row) == set(task_columns("neurovariety_row"))
    assert row["dimension_computed"] == 16 and row["defect"] == 6
    assert row["architecture"] == "(2, 3, 2, 3, 4)" and row["exponent"] == "2"
    assert "neurovariety_row" in TASKS


@pytest.mark.parametrize("spec", ["2,q2,q2,q1", "2,a2^2,s2,l2", "2,q2,q1,full", "3,l3,a2,q1",
                                  "1,s2^3,q2,a1"])
def test_lie_matrix_spans_what_lie_vectors_span(spec):
    """The vectorised tangent vectors against the dict-based reference of the families."""
    import random

    from varieties.algebra.evaluation import rank_mod_p
    from varieties.algebra.families import LARGE_PRIME, lie_vectors

    sp, p = parse_spec(spec), LARGE_PRIME
    rng = random.Random(2)
    w = [rng.randrange(p) for _ in sp.weights]
    ref = np.array([[v.get(n, 0) for n in sp.weights]
                    for v in lie_vectors(sp, dict(zip(sp.weights, w)), p)], dtype=np.int64).T
    L = lie_matrix(sp, w, p)
    r = rank_mod_p(L, p)
    assert r == rank_mod_p(ref, p) == rank_mod_p(np.hstack([L, ref]), p)
