"""Compiled constraints, tangent projection and Gauss-Newton retraction (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from varieties.constraints import constraints
from varieties.learn import projected as pj
from varieties.learn.synthetic import random_tied_weights
from varieties.learn.train import invariance_error
from varieties.network import parse_spec

CASES = [("3,q3,q1", "symmetric", "invariant"), ("3,q3,q1,full", "symmetric", "invariant"),
         ("4,q4,q1", "cyclic", "invariant"), ("3,q3,q3", "symmetric", "equivariant")]


@pytest.mark.parametrize("backend", ["auto", "sympy"])
@pytest.mark.parametrize("spec,group,kind", CASES[:2] + [("2,q2^2,l1", "symmetric", "invariant")])
def test_compiled_values_match_sympy(spec, group, kind, backend):
    spec = parse_spec(spec)
    cs = constraints(spec, group=group, kind=kind, backend=backend)
    cc = pj.compile_constraints(spec, group, kind, constraint_set=cs)
    w = np.random.default_rng(0).uniform(-1, 1, len(spec.weights))
    got = cc.values(w)
    for p, v in zip(cs.polys, got):
        top = max(abs(float(c)) for c in p.values())
        ref = sum(float(c) * np.prod(w ** np.array([int(e) for e in m])) for m, c in p.items())
        # The two forms differ by a nonzero scalar: normalised, they agree up to sign.
        assert abs(v) == pytest.approx(abs(ref) / top, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("spec,group,kind", CASES)
def test_jacobian_matches_finite_differences(spec, group, kind):
    spec = parse_spec(spec)
    cc = pj.compile_constraints(spec, group, kind)
    w = np.random.default_rng(1).uniform(-1, 1, len(spec.weights))
    J = cc.jacobian(w)
    h = 1e-6
    fd = np.stack([(cc.values(w + h * e) - cc.values(w - h * e)) / (2 * h)
                   for e in np.eye(len(w))], axis=1)
    assert np.allclose(J, fd, atol=1e-7)


@pytest.mark.parametrize("spec,group,kind", CASES)
def test_tied_point_is_on_variety_and_retraction_returns(spec, group, kind):
    spec = parse_spec(spec)
    cc = pj.compile_constraints(spec, group, kind)
    w = random_tied_weights(spec, group, kind, seed=2, scale=0.5)
    assert pj.residual(cc, w) < 1e-14
    rng = np.random.default_rng(3)
    off = w + 1e-3 * rng.standard_normal(len(w))
    assert pj.residual(cc, off) > 1e-8
    back, r, _ = pj.retract(cc, off)
    assert r < 1e-12
    assert np.linalg.norm(back - off) < 1e-1
    X = rng.uniform(-1, 1, (64, spec.n_inputs))
    assert invariance_error(spec, group, kind, back, X) < 1e-10


def test_projection_is_tangent():
    spec = parse_spec("3,q3,q1")
    cc = pj.compile_constraints(spec)
    w = random_tied_weights(spec, seed=4)
    rows = pj.tangent_basis(cc.jacobian(w))
    u = pj.project(np.random.default_rng(5).standard_normal(len(w)), rows)
    assert np.abs(cc.jacobian(w) @ u).max() < 1e-9 * (1 + np.abs(u).max())
    assert np.linalg.norm(u) > 0


def test_no_constraints_for_kind_none():
    cc = pj.compile_constraints("2,q2,q1", kind="none")
    w = np.ones(cc.n_vars)
    assert cc.n_polys == 0 and cc.jacobian(w).shape == (0, cc.n_vars)
    assert pj.residual(cc, w) == 0.0


def test_projected_gradient_at_tied_point_is_tied():
    # ker J at a tied point is larger than the tied subspace (the variety is singular or has
    # other components there), yet the extra directions do not move F to first order, so the
    # projected loss gradient is tied: why projected training from tied weights follows tied.
    from varieties.learn import numpy_backend as nb
    from varieties.learn.synthetic import synthetic_data
    from varieties.tying import tying

    spec = parse_spec("4,q4,q1")
    d = synthetic_data(spec, n_train=32, seed=0)
    M = tying(spec, kind="invariant").matrix()
    cc = pj.compile_constraints(spec)
    w = M @ (0.3 * np.random.default_rng(1).normal(size=M.shape[1]))
    rows = pj.tangent_basis(cc.jacobian(w))
    assert len(w) - rows.shape[0] > M.shape[1]
    _, g = nb.loss_and_grad(spec, w, d.X, d.y)
    pg = pj.project(g, rows)
    theta = np.linalg.lstsq(M, pg, rcond=None)[0]
    assert np.linalg.norm(pg) > 1e-3
    assert np.linalg.norm(M @ theta - pg) < 1e-10 * np.linalg.norm(g)
