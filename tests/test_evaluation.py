"""The evaluation engine mod p: forward pass, back-propagation, rank, memory and time limits.

Oracles: exact evaluation from the definition (:func:`varieties.network.evaluate`),
the float64 back-propagation of :mod:`varieties.learn.numpy_backend` (exact on small
integers), python-flint's ``nmod_mat`` rank, and the expansion-based rank of the
Jacobian of ``w -> x-coefficients`` (:func:`function_dim_expansion`).
"""

import random
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varieties.algebra import evaluation as ev
from varieties.algebra.evaluation import (PRIMES, ambient_dim, evaluation_ranks, forward_mod,
                                          jacobian_mod, matmul_mod, rank_mod_p)
from varieties.algebra.function_dim import _tied_matrix, function_dim_expansion
from varieties.errors import MethodError
from varieties.network import LayerSpec, NetworkSpec, evaluate, parse_spec
from varieties.timelimit import TimeLimit

P = PRIMES[0]

layer_st = st.builds(LayerSpec, kind=st.sampled_from("qsla"), width=st.integers(1, 3),
                     power=st.sampled_from([1, 1, 2, 3]))
spec_st = st.builds(
    NetworkSpec, n_inputs=st.integers(1, 3),
    layers=st.lists(layer_st, min_size=1, max_size=3).map(tuple), full=st.booleans(),
).filter(lambda s: s.degree <= 8 and s.n_weights <= 40)


@settings(max_examples=40, deadline=None)
@given(spec=spec_st, seed=st.integers(0, 10**6))
def test_forward_matches_exact_evaluation(spec, seed):
    rng = np.random.default_rng(seed)
    w = rng.integers(0, P, spec.n_weights)
    X = rng.integers(0, P, (3, spec.n_inputs))
    got = forward_mod(spec, w.astype(float), X.astype(float), P)
    weights = dict(zip(spec.weights, map(int, w)))
    for x, row in zip(X, got):
        want = [v % P for v in evaluate(spec, weights, [int(v) for v in x])]
        assert row.astype(np.int64).tolist() == want


@settings(max_examples=40, deadline=None)
@given(spec=spec_st, seed=st.integers(0, 10**6))
def test_jacobian_matches_float_backprop_on_small_integers(spec, seed):
    """Weights and inputs in {-1, 0, 1, 2}: float64 back-propagation is exact there."""
    from varieties.learn.numpy_backend import backward, forward

    rng = np.random.default_rng(seed)
    w = rng.integers(-1, 3, spec.n_weights).astype(float)
    X = rng.integers(-1, 3, (4, spec.n_inputs)).astype(float)
    c = rng.integers(0, 3, (4, spec.n_outputs)).astype(float)
    J = jacobian_mod(spec, np.mod(w, P), np.mod(X, P), P, c=c)
    for s in range(4):
        _, cache = forward(spec, w, X[s:s + 1], return_cache=True)
        g = backward(spec, w, cache, c[s:s + 1])
        assert np.all(np.abs(g) < 2**52)
        assert J[s].astype(np.int64).tolist() == np.mod(g.astype(np.int64), P).tolist()


@settings(max_examples=30, deadline=None)
@given(spec=spec_st.filter(lambda s: s.degree <= 4 and s.n_weights <= 25),
       seed=st.integers(0, 100))
def test_rank_matches_the_expansion_oracle(spec, seed):
    got = evaluation_ranks(spec, seed=seed)
    assert got["agree"]
    assert got["ranks"][0] == max(function_dim_expansion(spec, seed=seed))


@pytest.mark.parametrize("spec,group,kind", [
    ("2,q2,q1", "symmetric", "invariant"), ("3,q3,q1", "symmetric", "invariant"),
    ("2,a2^2,q2", "cyclic", "equivariant"), ("3,l3^2,s1", "symmetric", "invariant"),
    ("2,q2,q1,full", "symmetric", "invariant")])
def test_tied_subspace_rank_matches_the_oracle(spec, group, kind):
    sp = parse_spec(spec)
    M = _tied_matrix(sp, group, kind)
    assert evaluation_ranks(sp, subspace=M)["ranks"][0] == max(function_dim_expansion(sp, M))


def test_published_deep_example_and_the_issue_network():
    # Kileel-Trager-Bruna 2019: 16; the issue's network, dimension 522 by the field's method.
    assert evaluation_ranks("2,l3^2,l2^2,l3^2,l4")["ranks"] == [16, 16]
    r = evaluation_ranks("3,l4^2,l24^2,l39^2,l29^2,l5^2,l1")
    assert r["ranks"] == [522, 522] and r["samples"] == 561 + ev.EXTRA_SAMPLES


@st.composite
def low_rank(draw):
    m, n = draw(st.integers(1, 70)), draw(st.integers(1, 70))
    r = draw(st.integers(0, min(m, n)))
    seed = draw(st.integers(0, 10**6))
    rng = np.random.default_rng(seed)
    A = rng.integers(0, P, (m, r)).astype(float)
    B = rng.integers(0, P, (r, n)).astype(float)
    M = matmul_mod(A, B, P) if r else np.zeros((m, n))
    if draw(st.booleans()) and m > 1:
        M[1] = M[0]             # repeated rows and zero columns exercise the pivoting
        M[:, 0] = 0
    return M


@settings(max_examples=60, deadline=None)
@given(M=low_rank())
def test_blas_rank_matches_flint(M):
    want = ev._rank_flint(M, P)
    got = ev._rank_rec(np.ascontiguousarray(M if M.shape[0] <= M.shape[1] else M.T), P, None)
    assert got == want


def test_rank_mod_p_takes_the_blas_path_above_the_flint_threshold(monkeypatch):
    rng = np.random.default_rng(0)
    A = matmul_mod(rng.integers(0, P, (90, 40)).astype(float),
                   rng.integers(0, P, (40, 120)).astype(float), P)
    want = ev._rank_flint(A, P)
    monkeypatch.setattr(ev, "FLINT_MAX_ENTRIES", 0)
    assert rank_mod_p(A, P) == want == 40
    assert rank_mod_p(A.T, P) == 40


def test_matmul_mod_is_exact_past_one_chunk():
    p = 2**25 - 39                       # chunk(p) == 8: sums are split
    assert ev.chunk(p) < 20
    rng = random.Random(1)
    A = [[rng.randrange(p) for _ in range(50)] for _ in range(3)]
    B = [[rng.randrange(p) for _ in range(2)] for _ in range(50)]
    want = [[sum(a * b for a, b in zip(row, col)) % p for col in zip(*B)] for row in A]
    got = matmul_mod(np.array(A, float), np.array(B, float), p)
    assert got.astype(np.int64).tolist() == want


def test_blas_rank_is_exact_for_primes_near_the_limit(monkeypatch):
    p = 2**26 - 5                        # chunk(p) == 2: every product sum is split
    rng = np.random.default_rng(3)
    A = matmul_mod(rng.integers(0, p, (60, 25)).astype(float),
                   rng.integers(0, p, (25, 50)).astype(float), p)
    monkeypatch.setattr(ev, "FLINT_MAX_ENTRIES", 0)
    assert ev.chunk(p) == 2
    assert rank_mod_p(A, p) == ev._rank_flint(A, p) == 25


def test_ambient_counts_monomials():
    assert ambient_dim(parse_spec("2,l3^2,l2^2,l3^2,l4")) == 4 * 9    # binary octics
    assert ambient_dim(parse_spec("2,q2,q1")) == 15                    # degree <= 4 in 2
    assert ambient_dim(parse_spec("2,s2,a1")) == 1 + 3                 # degrees 0 and 2


def test_too_large_a_jacobian_is_refused_with_its_size():
    with pytest.raises(MethodError, match=r"needs about [\d.]+ GB .*--max-memory"):
        evaluation_ranks("20,l300^2,l300^2,l300^2,l1")
    with pytest.raises(MethodError, match="GB"):
        evaluation_ranks("3,q3,q1", max_memory=1e-9)


def test_deadline_and_bad_primes():
    with pytest.raises(TimeLimit):
        evaluation_ranks("2,q2,q1", deadline=time.perf_counter() - 1)
    for bad in (2**31 - 1, 4, 1000, 2**21 - 8, True):
        with pytest.raises(MethodError, match="prime"):
            evaluation_ranks("2,q2,q1", primes=(bad, PRIMES[1]))


def test_primes_agree_on_a_range_of_networks():
    for spec in ("3,q3,q1", "2,l2^2,l8^2,l6^2,l2^2,l1", "2,a3^3,s2,q2,full", "1,q3^2,l2"):
        assert evaluation_ranks(spec, seed=3)["agree"]


def test_blas_threads_are_restored():
    lib = ev._openblas()
    if lib is None:
        pytest.skip("numpy's OpenBLAS not found")
    get, _ = lib
    before = get()
    with ev.blas_threads(1):
        with ev.blas_threads(1):
            assert get() == 1
        assert get() == 1
    assert get() == before


@settings(max_examples=20, deadline=None)
@given(spec=spec_st, seed=st.integers(0, 10**6))
def test_float_jacobian_matches_float_backprop(spec, seed):
    from varieties.algebra.evaluation import jacobian_float
    from varieties.learn.numpy_backend import backward, forward

    rng = np.random.default_rng(seed)
    w = rng.normal(size=spec.n_weights)
    X = rng.normal(size=(3, spec.n_inputs))
    c = rng.normal(size=(3, spec.n_outputs))
    J = jacobian_float(spec, w, X, c=c)
    for s in range(3):
        _, cache = forward(spec, w, X[s:s + 1], return_cache=True)
        g = backward(spec, w, cache, c[s:s + 1])
        assert np.allclose(J[s], g, rtol=1e-9, atol=1e-9 * (1 + np.abs(g).max()))


def test_the_primes_in_parallel_give_the_ranks_of_the_sequential_run(monkeypatch):
    """Large Jacobians rank the two primes in two threads: the same ranks, prime by prime."""
    from varieties.algebra import evaluation as ev

    spec = "3,l4^2,l6^2,l1"
    monkeypatch.setattr(ev, "PARALLEL_MIN_ENTRIES", 10**12)
    seq = ev.evaluation_ranks(spec, seed=3)
    monkeypatch.setattr(ev, "PARALLEL_MIN_ENTRIES", 0)
    par = ev.evaluation_ranks(spec, seed=3)
    assert par["ranks"] == seq["ranks"] and par["primes"] == seq["primes"]
